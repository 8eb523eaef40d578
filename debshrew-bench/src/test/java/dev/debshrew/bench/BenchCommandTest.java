package dev.debshrew.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code bin/debshrew bench} end to end on tiny inputs: the launcher's dispatch, its help, the
 * errors for an unbuilt bench or a missing transform, and a 20-block run of one workload (empty
 * blocks into the file sink, real daemon and devnet) whose JSON has every field.
 */
class BenchCommandTest {

    static final Path HOME = Path.of(System.getProperty("debshrew.home", "..")).toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    record Result(int exit, String stdout, String stderr) {
    }

    private Result launcher(Map<String, String> env, String... args) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(concat(HOME.resolve("bin/debshrew").toString(), args));
        pb.environment().putAll(env);
        Path out = tmp.resolve("out.txt");
        Path err = tmp.resolve("err.txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("bin/debshrew bench finished").isTrue();
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static String[] concat(String first, String... rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    @Test
    void launcherDispatchesBenchAndShowsItsHelp() throws Exception {
        Result r = launcher(Map.of("DEBSHREW_BENCH_CLASSPATH", System.getProperty("java.class.path")), "bench",
                "--help");
        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains("Usage: debshrew bench", "--quick", "--json", "--postgres-url", "--latency-ms",
                "--only", "--blocks");
    }

    @Test
    void launcherNamesTheBuildCommandWhenTheBenchIsNotBuilt() throws Exception {
        Result r = launcher(Map.of("DEBSHREW_BENCH_JAR", tmp.resolve("absent/debshrew-bench.jar").toString()), "bench",
                "--quick");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.stderr()).contains("absent/debshrew-bench.jar", "mvn -B -q package -DskipTests -pl debshrew-bench -am");
    }

    @Test
    void aMissingTransformIsNamedWithItsBuildCommandBeforeAnythingStarts() {
        StringWriter err = new StringWriter();
        CommandLine cl = BenchMain.commandLine();
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute("--home", tmp.toString(), "--only", "messages-kafka");
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains(tmp.resolve("examples/assemblyscript/build/bench_messages.wasm").toString(),
                "npm run build");
    }

    @Test
    void badArgumentsAreRefusedWithTheirName() {
        StringWriter err = new StringWriter();
        CommandLine cl = BenchMain.commandLine();
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute("--only", "nosuch", "--home", HOME.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("--only nosuch", "messages-kafka");
        assertThat(BenchMain.commandLine().execute("--blocks", "1")).isEqualTo(2);
        assertThat(BenchMain.commandLine().execute("--postgres-url", "postgresql://x")).isEqualTo(2);
    }

    @Test
    void aTwentyBlockRunOfTheEmptyBlocksWorkloadWritesEveryField() throws Exception {
        Path json = tmp.resolve("bench.json");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        int exit;
        try {
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            exit = BenchMain.commandLine().execute("--quick", "--only", "empty-blocks", "--blocks", "20", "--json",
                    json.toString(), "--home", HOME.toString());
        } finally {
            System.setOut(saved);
        }
        assertThat(exit).isZero();
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertThat(BenchResultsTest.fieldNames(root)).contains("machine", "workloads", "live");
        assertThat(root.get("live").isNull()).as("--only runs no live mode").isTrue();
        assertThat(root.get("workloads")).hasSize(1);
        JsonNode w = root.get("workloads").get(0);
        assertThat(BenchResultsTest.fieldNames(w)).containsExactly("name", "sink", "blocks", "messages", "seconds",
                "blocks_per_s", "msgs_per_s", "ceiling_msgs_per_s", "ratio", "sequential_blocks_per_s", "speedup",
                "heap_peak_mb", "rss_peak_mb");
        assertThat(w.get("name").asText()).isEqualTo("empty-blocks");
        assertThat(w.get("sink").asText()).isEqualTo("file");
        assertThat(w.get("blocks").asLong()).isEqualTo(20);
        assertThat(w.get("messages").asLong()).as("the blocks example emits one message per block").isEqualTo(20);
        for (String f : List.of("seconds", "blocks_per_s", "msgs_per_s", "sequential_blocks_per_s", "speedup",
                "heap_peak_mb", "rss_peak_mb")) {
            assertThat(w.get(f).asDouble()).as(f).isPositive();
        }
        assertThat(w.get("blocks_per_s").asDouble() * w.get("seconds").asDouble()).isCloseTo(20.0,
                org.assertj.core.api.Assertions.within(0.1));
        assertThat(w.get("ceiling_msgs_per_s").isNull()).as("the file sink has no ceiling").isTrue();
        assertThat(root.at("/machine/cores").asInt()).isPositive();
        assertThat(stdout.toString(StandardCharsets.UTF_8)).contains("empty-blocks", "blocks/s", "speedup");
    }
}
