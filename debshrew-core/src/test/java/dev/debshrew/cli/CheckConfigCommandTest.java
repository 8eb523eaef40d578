package dev.debshrew.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.metashrew.VersionLine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Issue 11 item 3: {@code check-config} (every problem with its key path, exit 0/2, --connect) and {@code config-doc}. */
@Timeout(120)
class CheckConfigCommandTest {

    @TempDir
    Path dir;

    private static CliTest.Result run(String... args) {
        return CliTest.run(args);
    }

    @Test
    void checkConfigPrintsEveryProblemWithItsKeyPathAndExits2() throws Exception {
        Path cfg = dir.resolve("bad.yaml");
        Files.writeString(cfg, """
                metashrew:
                  url: http://127.0.0.1:1/
                  timeout: 0
                transform:
                  path: %s
                sinks:
                  - type: console
                  - type: kafka
                    bootstrap_servers: "k:9092"
                    topic: t
                    batch_size: -5
                cache_size: 0
                log_levl: info
                """.formatted(dir.resolve("missing.wasm")));
        CliTest.Result r = run("check-config", cfg.toString());
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.out()).contains("problem: ").contains("'metashrew.timeout'").contains("'cache_size'")
                .contains("log_levl").contains("'sinks[1].batch_size'").contains("'transform.path'")
                .contains("missing.wasm does not exist").contains("invalid (5 problems)");
    }

    @Test
    void checkConfigAcceptsAValidFileAndWithConnectReachesTheNodeAndEachSink() throws Exception {
        Path wasm = Files.writeString(dir.resolve("t.wasm"), "not checked without --connect's transform load");
        DevnetServer devnet = DevnetServer.builder().versionLine(VersionLine.CURRENT).seed(3).initialHeight(7).build()
                .start(0);
        try {
            Path cfg = dir.resolve("ok.json");
            Files.writeString(cfg, """
                    {"metashrew": {"url": "%s"}, "transform": {"path": "%s"},
                     "sinks": [{"type": "file", "path": "%s"}, {"type": "console"}]}
                    """.formatted(devnet.url(), wasm, dir.resolve("out.jsonl")));
            CliTest.Result plain = run("check-config", cfg.toString());
            assertThat(plain.status()).isZero();
            assertThat(plain.out()).contains("ok.json: valid (2 sinks)").doesNotContain("problem");

            CliTest.Result connected = run("check-config", "--connect", cfg.toString());
            assertThat(connected.status()).as(connected.out()).isZero();
            assertThat(connected.out()).contains("height 7").contains("sink 0 (file): ok, no cursor yet")
                    .contains("sink 1 (console): ok");
        } finally {
            devnet.close();
        }
        Path down = dir.resolve("down.json");
        Files.writeString(down, "{\"metashrew\": {\"url\": \"http://127.0.0.1:1/\", \"connect_timeout\": 2},"
                + " \"transform\": {\"path\": \"" + wasm + "\"}, \"sink\": {\"type\": \"console\"}}");
        CliTest.Result failed = run("check-config", "--connect", down.toString());
        assertThat(failed.status()).isEqualTo(1);
        assertThat(failed.out()).contains("node http://127.0.0.1:1/: FAILED").contains("sink 0 (console): ok");
    }

    @Test
    void checkConfigReadsTheEnvironmentInARealProcess() throws Exception {
        Path wasm = Files.writeString(dir.resolve("t.wasm"), "x");
        Path pw = Files.writeString(dir.resolve("pw"), "proc-secret-4419\n");
        Path cfg = dir.resolve("env.yaml");
        Files.writeString(cfg, """
                metashrew:
                  url: ${NODE_URL}
                transform:
                  path: %s
                sink:
                  type: postgres
                  url: jdbc:postgresql://127.0.0.1:1/cdc
                  password_file: %s
                """.formatted(wasm, pw));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "check-config", cfg.toString())
                .redirectErrorStream(true);
        pb.environment().put("NODE_URL", "http://127.0.0.1:8080/");
        pb.environment().put("DEBSHREW_SINK_POOL_SIZE", "0");
        pb.environment().put("DEBSHREW_SINK_BATCH_SIZ", "1");
        String out = runProcess(pb);
        assertThat(out).contains("environment variable DEBSHREW_SINK_POOL_SIZE").contains("pool_size")
                .contains("warning: environment variable DEBSHREW_SINK_BATCH_SIZ sets no option")
                .doesNotContain("proc-secret-4419");
        pb.environment().remove("DEBSHREW_SINK_POOL_SIZE");
        pb.environment().remove("NODE_URL");
        String unset = runProcess(pb);
        assertThat(unset).contains("'metashrew.url': environment variable NODE_URL is not set");
    }

    private static String runProcess(ProcessBuilder pb) throws Exception {
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isEqualTo(2);
        return out;
    }

    @Test
    void configDocListsTheSinkOptionsAndAnswersHelp() {
        CliTest.Result doc = run("config-doc");
        assertThat(doc.status()).isZero();
        List<String> expected = new ArrayList<>(List.of("`metashrew.url`", "### Sink `kafka`", "`bootstrap_servers`",
                "### Sink `postgres` (also `postgresql`)", "`connection_string`", "### Sink `file`", "`rotate_bytes`",
                "### Sink `console`", "`pretty`"));
        expected.forEach(e -> assertThat(doc.out()).contains(e));
        CliTest.Result help = run("config-doc", "--help");
        assertThat(help.status()).isZero();
        assertThat(help.out()).contains("Usage:").contains("config-doc").contains("each sink type");
        assertThat(run("check-config", "--help").out()).contains("--connect").contains("FILE");
    }
}
