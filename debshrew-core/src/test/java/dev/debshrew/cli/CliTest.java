package dev.debshrew.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The command line: exit statuses and messages for bad input, help and version. */
class CliTest {

    /**
     * {@code run} configures the process's logging (levels, filters, layout) as the daemon does:
     * give the tests that run after this class in the same JVM the default configuration back.
     */
    @AfterEach
    void restoreLogging() throws Exception {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        new ContextInitializer(ctx).autoConfig();
    }

    @TempDir
    Path dir;

    /** A command's exit status and output (also used by the other CLI tests). */
    record Result(int status, String out, String err) {
    }

    static Result run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int status = Main.execute(args);
            return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void helpAndVersion() {
        Result help = run("--help");
        assertThat(help.status()).isZero();
        assertThat(help.out()).contains("run").contains("devnet").contains("demo").contains("journal");
        Result version = run("--version");
        assertThat(version.status()).isZero();
        assertThat(version.out()).startsWith("debshrew ");
        assertThat(run("run", "--help").out()).contains("--metashrew-url").contains("--sink-config")
                .contains("--cache-size").contains("--start-height").contains("--log-level");
    }

    @Test
    void missingTransformIsAConfigurationError() {
        Result r = run("run", "-m", "http://127.0.0.1:1/");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("'transform.path' is required");
    }

    @Test
    void unreadableModuleIsRejectedBeforeTouchingTheNode() throws Exception {
        Path wasm = dir.resolve("garbage.wasm");
        Files.writeString(wasm, "this is not wasm");
        Path cfg = dir.resolve("config.json"); // data_dir here: the pipeline lock is taken before the module loads
        Files.writeString(cfg, "{\"data_dir\": \"" + dir.resolve("data").toString().replace("\\", "/") + "\"}");
        Result r = run("run", "-c", cfg.toString(), "-m", "http://127.0.0.1:1/", "-t", wasm.toString(), "-z", "6",
                "-l", "error", "--sink-type", "console");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("cannot load transform").contains("garbage.wasm");
    }

    @Test
    void badFlagValuesAreNamed() throws Exception {
        Result r = run("run", "-t", "x.wasm", "-z", "0");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("cache_size");
        Path sinkCfg = dir.resolve("sink.json");
        Files.writeString(sinkCfg, "[1,2]");
        Result r2 = run("run", "-t", "x.wasm", "-s", "file", "-f", sinkCfg.toString());
        assertThat(r2.status()).isEqualTo(2);
        assertThat(r2.err()).contains("sink config file").contains("JSON object");
        Result r3 = run("run", "-t", "x.wasm", "-s", "file");
        assertThat(r3.status()).isEqualTo(2);
    }

    @Test
    void configDocListsOptions() {
        Result r = run("config-doc");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("`cache_size`").contains("`start_height`").contains("`metashrew.url`");
    }

    @Test
    void journalVerifyOnAMissingDirectoryFailsClearly() {
        Result r = run("journal", "verify", "--data-dir", dir.resolve("nothing").toString());
        assertThat(r.status()).isEqualTo(2);
    }
}
