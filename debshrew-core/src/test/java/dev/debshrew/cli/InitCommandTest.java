package dev.debshrew.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.debshrew.testing.Examples;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code debshrew init}: the scaffolded projects build with their own build scripts and pass their
 * own golden test ({@code test.sh} running {@code debshrew test --expect expected.jsonl}, with a
 * {@code debshrew} launcher on this test's class path), so the template's {@code expected.jsonl} is
 * proven to be the template transform's real output on the embedded devnet.
 *
 * <p>AssemblyScript needs npm with the repository's {@code assemblyscript} compiler in the npm cache
 * (the Maven build's {@code npm ci} puts it there). Rust needs either rustup's
 * {@code wasm32-unknown-unknown} target or the offline toolchain of scripts/setup-rust-wasm.sh
 * ({@code DEBSHREW_TOOLCHAIN_DIR}, default {@code <repo>/.toolchain}); it is skipped without one,
 * except with {@code -Ddebshrew.requireRust=true} (scripts/test.sh, CI), where it fails.
 */
class InitCommandTest {

    private static final long BUILD_MINUTES = 30;

    @TempDir
    Path tmp;

    @Test
    void unknownLanguageIsAClearError() {
        CliTest.Result r = CliTest.run("init", "--lang", "go", tmp.resolve("p").toString());
        assertThat(r.status()).isEqualTo(ExitStatus.CONFIGURATION);
        assertThat(r.err()).contains("unknown --lang 'go'").contains("rust or assemblyscript");
        assertThat(tmp.resolve("p")).doesNotExist();
    }

    @Test
    void nonEmptyDirectoryIsAClearErrorAndLeftAlone() throws IOException {
        Path p = Files.createDirectories(tmp.resolve("p"));
        Files.writeString(p.resolve("mine.txt"), "keep");
        CliTest.Result r = CliTest.run("init", "--lang", "rust", p.toString());
        assertThat(r.status()).isEqualTo(ExitStatus.CONFIGURATION);
        assertThat(r.err()).contains(p.toString()).contains("is not empty").contains("mine.txt");
        try (var s = Files.list(p)) {
            assertThat(s.map(f -> f.getFileName().toString()).toList()).containsExactly("mine.txt");
        }
    }

    @Test
    void assemblyScriptProjectBuildsAndPassesItsGoldenTestWithTheVendoredAndThePackedSdk() throws Exception {
        Path p = tmp.resolve("my-as");
        CliTest.Result r = CliTest.run("init", "--lang", "assemblyscript", p.toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(p.resolve("package.json")).content().contains("\"name\": \"my-as\"");
        assertThat(Files.isSymbolicLink(p.resolve("debshrew-sdk"))).isFalse();

        run(p, List.of("npm", "install", "--offline", "--no-audit", "--no-fund"));
        assertThat(Files.isSymbolicLink(p.resolve("node_modules/debshrew-sdk"))).as("file: dependency").isTrue();
        buildAndPassGoldenTest(p, List.of("npm", "run", "build"), List.of("npm", "test"));

        // The same project on the packed SDK: npm pack of examples/assemblyscript/sdk, installed as a tarball.
        Path packDir = Files.createDirectories(tmp.resolve("pack"));
        run(packDir, List.of("npm", "pack", Examples.dir().resolve("assemblyscript/sdk").toString(),
                "--pack-destination", packDir.toString()));
        Path tgz = packDir.resolve("debshrew-sdk-0.1.0.tgz");
        assertThat(tgz).isRegularFile();
        Files.copy(tgz, p.resolve(tgz.getFileName()));
        run(p, List.of("npm", "install", "--offline", "--no-audit", "--no-fund", "./" + tgz.getFileName()));
        assertThat(Files.isSymbolicLink(p.resolve("node_modules/debshrew-sdk"))).as("installed from the tarball").isFalse();
        assertThat(p.resolve("node_modules/debshrew-sdk/index.ts")).isRegularFile();
        assertThat(p.resolve("package.json")).content().contains("debshrew-sdk-0.1.0.tgz");
        Files.delete(p.resolve("build/transform.wasm"));
        buildAndPassGoldenTest(p, List.of("npm", "run", "build"), List.of("npm", "test"));
    }

    @Test
    void rustProjectBuildsAndPassesItsGoldenTest() throws Exception {
        Map<String, String> env = rustEnvOrNull();
        if (Boolean.getBoolean("debshrew.requireRust")) {
            assertThat(env).as("a wasm32 Rust toolchain (rustup target or scripts/setup-rust-wasm.sh)").isNotNull();
        }
        assumeTrue(env != null, "no wasm32 Rust toolchain; run scripts/setup-rust-wasm.sh");
        Path p = tmp.resolve("my-rs");
        CliTest.Result r = CliTest.run("init", "--lang", "rust", p.toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(p.resolve("Cargo.toml")).content().contains("name = \"my-rs\"");
        assertThat(p.resolve("debshrew-runtime/Cargo.toml")).content().doesNotContain(".workspace");
        buildAndPassGoldenTest(p, List.of("./build.sh"), List.of("./test.sh"), env);
    }

    private void buildAndPassGoldenTest(Path p, List<String> build, List<String> test) throws Exception {
        buildAndPassGoldenTest(p, build, test, Map.of());
    }

    /** Builds, passes the golden test, then fails it once expected.jsonl is changed (the check can fail). */
    private void buildAndPassGoldenTest(Path p, List<String> build, List<String> test, Map<String, String> env)
            throws Exception {
        run(p, build, env);
        assertThat(p.resolve("build/transform.wasm")).isRegularFile();
        Map<String, String> withDebshrew = new java.util.HashMap<>(env);
        withDebshrew.put("DEBSHREW", launcher().toString());
        Proc ok = exec(p, test, withDebshrew);
        assertThat(ok.status).as("golden test of the generated project:\n%s", ok.output).isZero();

        Path expected = p.resolve("expected.jsonl");
        String golden = Files.readString(expected);
        assertThat(golden.lines().count()).isEqualTo(8);
        Files.writeString(expected, golden.replace("\"seen\":5,", "\"seen\":6,"));
        Proc differs = exec(p, test, withDebshrew);
        assertThat(differs.status).as("a changed expected.jsonl must fail:\n%s", differs.output).isNotZero();
        assertThat(differs.output).contains("block 5");
        Files.writeString(expected, golden);
    }

    /** A {@code debshrew} launcher running this test's class path (the shaded jar is built after the tests). */
    private Path launcher() throws IOException {
        Path l = tmp.resolve("debshrew");
        if (!Files.exists(l)) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Files.writeString(l, "#!/bin/sh\nexec '" + java + "' -cp '" + System.getProperty("java.class.path")
                    + "' dev.debshrew.cli.Main \"$@\"\n");
            assertThat(l.toFile().setExecutable(true)).isTrue();
        }
        return l;
    }

    /**
     * The environment for the generated build.sh: empty with rustup's wasm32 target installed, else
     * DEBSHREW_TOOLCHAIN_DIR (and, with the offline toolchain, the examples' target directory, whose
     * std build it reuses); null when neither is available.
     */
    private static Map<String, String> rustEnvOrNull() throws Exception {
        try {
            Proc targets = exec(Path.of("."), List.of("rustup", "target", "list", "--installed"), Map.of());
            if (targets.status == 0 && targets.output.lines().anyMatch("wasm32-unknown-unknown"::equals)) {
                return Map.of();
            }
        } catch (IOException e) {
            // no rustup
        }
        String tc = System.getenv("DEBSHREW_TOOLCHAIN_DIR");
        Path dir = tc != null ? Path.of(tc) : Examples.dir().resolveSibling(".toolchain");
        if (!Files.isRegularFile(dir.resolve("env.sh"))) {
            return null;
        }
        return Map.of("DEBSHREW_TOOLCHAIN_DIR", dir.toAbsolutePath().toString(),
                "CARGO_TARGET_DIR", Examples.dir().resolve("rust/target").toString());
    }

    private record Proc(int status, String output) {
    }

    private static void run(Path dir, List<String> cmd) throws Exception {
        run(dir, cmd, Map.of());
    }

    private static void run(Path dir, List<String> cmd, Map<String, String> env) throws Exception {
        Proc r = exec(dir, cmd, env);
        assertThat(r.status).as("%s in %s:\n%s", cmd, dir, r.output).isZero();
    }

    /** Runs a command to completion (bounded), output and errors merged. */
    private static Proc exec(Path dir, List<String> cmd, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(cmd)).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Path log = Files.createTempFile("init-test", ".log");
        pb.redirectOutput(log.toFile());
        Process proc = pb.start();
        try {
            if (!proc.waitFor(BUILD_MINUTES, TimeUnit.MINUTES)) {
                proc.descendants().forEach(ProcessHandle::destroyForcibly);
                proc.destroyForcibly();
                throw new AssertionError(cmd + " did not finish within " + BUILD_MINUTES + " minutes:\n"
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
            return new Proc(proc.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
