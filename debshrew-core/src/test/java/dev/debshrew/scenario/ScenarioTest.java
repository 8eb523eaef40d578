package dev.debshrew.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden-output scenario tests (Debezium connector-test style): every
 * {@code src/test/resources/scenarios/NAME.json} is run against a devnet with the daemon as a real
 * process, and its CDC output (inverse timestamps normalised) must equal
 * {@code NAME.expected.jsonl}, on top of the golden-independent checks of {@link ScenarioRunner}.
 *
 * <p>System properties: {@code debshrew.scenarios.update=true} (re)writes the golden files from
 * the actual output (review them before committing: docs/scenarios.md);
 * {@code debshrew.scenarios.only=a,b} runs only the named scenarios.
 */
class ScenarioTest {

    static final boolean UPDATE = Boolean.getBoolean("debshrew.scenarios.update");

    static Path moduleDir() {
        String basedir = System.getProperty("basedir");
        return (basedir != null ? Path.of(basedir) : Path.of("")).toAbsolutePath();
    }

    static Path scenarioDir() {
        return moduleDir().resolve("src/test/resources/scenarios");
    }

    static Path runsDir() {
        return moduleDir().resolve("target/scenario-runs");
    }

    @TestFactory
    Stream<DynamicTest> scenarios() throws Exception {
        String only = System.getProperty("debshrew.scenarios.only", "");
        Set<String> selected = only.isBlank() ? Set.of()
                : Arrays.stream(only.split(",")).map(String::trim).collect(Collectors.toSet());
        List<Path> files;
        try (Stream<Path> s = Files.list(scenarioDir())) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
        assertThat(files).as("scenario files in %s", scenarioDir()).isNotEmpty();
        return files.stream().map(f -> {
            String name = f.getFileName().toString().replaceFirst("\\.json$", "");
            return DynamicTest.dynamicTest(name, f.toUri(), () -> {
                if (!selected.isEmpty() && !selected.contains(name)) {
                    return;
                }
                runScenario(f);
            });
        });
    }

    private static void runScenario(Path file) throws Exception {
        ScenarioSpec spec = ScenarioSpec.load(file);
        Path work = runsDir().resolve(spec.name());
        ScenarioRunner.deleteTree(work);
        Files.createDirectories(work);
        Path golden = file.resolveSibling(spec.name() + ".expected.jsonl");
        long started = System.nanoTime();
        try (ScenarioRunner runner = new ScenarioRunner(spec, work, runsDir().resolve("compile-cache"))) {
            List<String> actual;
            try {
                actual = runner.run();
            } catch (Throwable t) {
                throw new AssertionError("scenario " + spec.name() + " failed; steps so far:\n  "
                        + String.join("\n  ", runner.trail()) + "\n" + runner.daemonLogs() + "work dir: " + work, t);
            }
            Golden.write(work.resolve("actual.normalised.jsonl"), actual);
            if (UPDATE) {
                Golden.write(golden, actual);
                System.out.printf("scenario %s: wrote %s (%d lines, %d inverse) - REVIEW before committing%n",
                        spec.name(), golden, actual.size(), actual.stream().filter(l -> l.contains("\"inverse\":true"))
                                .count());
            } else {
                assertThat(Files.exists(golden)).as("golden file %s is missing: run once with"
                        + " -Ddebshrew.scenarios.update=true and review it (docs/scenarios.md)", golden).isTrue();
                Golden.assertSame("scenario " + spec.name() + " vs. " + golden.getFileName(), Golden.read(golden),
                        actual);
            }
            System.out.printf("scenario %s: ok in %d ms (%d lines, %d verification(s)); %s%n", spec.name(),
                    (System.nanoTime() - started) / 1_000_000, actual.size(), runner.verifications(),
                    String.join(" | ", runner.trail()));
        }
    }
}
