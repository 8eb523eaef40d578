package dev.debshrew.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.daemon.DataDirLock;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.testing.DaemonProcess;
import dev.debshrew.testing.TableFold;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Standby pair (docs/operations.md, "Standby pair"): two real daemon processes with the same config
 * (same data_dir); A writes, B waits as its standby (its /status says so; it writes nothing); A is
 * SIGKILLed in the middle of a commit during catch-up (state store committed, file sink not); B takes
 * over and reaches the devnet's tip, and the output equals an uninterrupted run exactly. Also: a
 * standby stops on SIGTERM with status 0, and without standby.enabled a second daemon exits with
 * status 2 naming the lock file and the active one's pid; a daemon with another data_dir but the same
 * output file is refused by the file sink's own lock; a standby whose admin port is taken exits with
 * status 2; the active daemon's /status says {@code "role": "active"}.
 */
class StandbyTakeoverTest {

    private static final Pattern ADMIN = Pattern.compile("admin server listening on http://127\\.0\\.0\\.1:(\\d+)/ \\(standby");
    private static final Pattern ACTIVE_ADMIN = Pattern.compile("admin server listening on http://127\\.0\\.0\\.1:(\\d+)/ \\(metrics");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void standbyTakesOverAfterSigkillWithNothingLostOrDuplicated() throws Exception {
        Path out = dir.resolve("out.jsonl");
        Path cursor = dir.resolve("out.jsonl.cursor");
        Path data = dir.resolve("data");
        try (DevnetServer devnet = DevnetServer.builder().seed(1414).initialHeight(40).build().start(0)) {
            Path config = E2e.writeConfig(dir.resolve("config.json"), devnet, "txindex", data,
                    dir.resolve("compile-cache"), "rocksdb", E2e.sink("file").put("path", out.toString()));
            Path standbyConfig = withStandby(config, dir.resolve("standby.json"), true);
            Path plainConfig = withStandby(config, dir.resolve("plain.json"), false);

            try (DaemonProcess a = DaemonProcess.start(standbyConfig, "after-state-commit@20", dir.resolve("logs"));
                    DaemonProcess b = DaemonProcess.start(standbyConfig, null, dir.resolve("logs"))) {
                a.awaitPaused(E2e.WAIT);
                b.awaitStderr("standby: another debshrew (pid " + a.pid() + ") holds the pipeline lock", E2e.WAIT);
                b.awaitStderr("(standby: status, health, ready)", E2e.WAIT);
                String base = adminBase(b);
                JsonNode status = CdcCodec.mapper().readTree(get(base + "/status", 200));
                assertThat(status.path("role").asText()).isEqualTo("standby");
                assertThat(status.path("active_pid").asText()).isEqualTo(Long.toString(a.pid()));
                assertThat(status.path("lock_file").asText()).isEqualTo(DataDirLock.file(data).toString());
                get(base + "/health", 200);
                assertThat(get(base + "/ready", 503)).contains("not_ready");

                Matcher activeAdmin = ACTIVE_ADMIN.matcher(a.stderr());
                assertThat(activeAdmin.find()).as("A's admin address in its log").isTrue();
                int activePort = Integer.parseInt(activeAdmin.group(1));
                assertThat(CdcCodec.mapper().readTree(get("http://127.0.0.1:" + activePort + "/status", 200))
                        .path("role").asText()).isEqualTo("active");
                // a standby whose admin port is taken (by A): a configuration error naming the options
                Path samePort = dir.resolve("same-port.json");
                ObjectNode tree = (ObjectNode) CdcCodec.mapper().readTree(standbyConfig.toFile());
                tree.putObject("admin").put("port", activePort);
                Files.writeString(samePort, tree.toPrettyString());
                try (DaemonProcess p = DaemonProcess.start(samePort, null, dir.resolve("logs"))) {
                    assertThat(p.awaitExit(E2e.WAIT)).isEqualTo(2);
                    assertThat(p.stderr()).contains("admin server: cannot listen on 127.0.0.1:" + activePort);
                }
                // standby disabled: a clear error naming the lock file and the holder's pid
                try (DaemonProcess c = DaemonProcess.start(plainConfig, null, dir.resolve("logs"))) {
                    assertThat(c.awaitExit(E2e.WAIT)).isEqualTo(2);
                    assertThat(c.stderr()).contains(DataDirLock.file(data).toString())
                            .contains("pid " + a.pid()).contains("standby.enabled=true");
                }
                // another data_dir, same output file: the file sink's own lock refuses it
                Path otherData = withDataDir(plainConfig, dir.resolve("other.json"), dir.resolve("other-data"));
                try (DaemonProcess o = DaemonProcess.start(otherData, null, dir.resolve("logs"))) {
                    assertThat(o.awaitExit(E2e.WAIT)).isNotZero();
                    assertThat(o.stderr()).contains(out + ".lock").contains("held by another");
                }
                // a standby stops on SIGTERM with 0, without having written anything
                try (DaemonProcess s = DaemonProcess.start(standbyConfig, null, dir.resolve("logs"))) {
                    s.awaitStderr("standby: another debshrew", E2e.WAIT);
                    assertThat(s.terminate(E2e.WAIT)).isZero();
                    assertThat(s.stderr()).doesNotContain("debshrew following");
                }

                byte[] outAtKill = Files.readAllBytes(out);
                long heightAtKill = cursorHeight(cursor);
                assertThat(heightAtKill).as("A paused with the file sink behind the store").isLessThan(20);
                assertThat(b.stderr()).as("B wrote nothing while standby").doesNotContain("debshrew following");
                assertThat(Files.readAllBytes(out)).isEqualTo(outAtKill);

                a.kill();
                long killed = System.nanoTime();
                E2e.await("B's first committed block after the takeover", b, E2e.WAIT,
                        () -> cursorHeight(cursor) > heightAtKill);
                long failoverMs = (System.nanoTime() - killed) / 1_000_000;
                assertThat(b.stderr()).contains("standby: took the pipeline lock");
                b.awaitCursor(cursor, devnet.height(), devnet.blockHash(devnet.height()), E2e.WAIT);
                assertThat(b.terminate(E2e.WAIT)).isZero();
                System.out.printf("standby takeover: SIGKILL of A at cursor %d -> B's first commit in %d ms"
                        + " (standby.poll_ms 1000)%n", heightAtKill, failoverMs);
            }

            List<CdcMessage> delivered = TableFold.readFile(out);
            List<CdcMessage> reference = E2e.reference(devnet, "txindex", dir);
            assertThat(reference).isNotEmpty();
            assertThat(delivered).as("the output equals an uninterrupted run").isEqualTo(reference);
            E2e.assertExactlyOnce("standby takeover", delivered, reference);
        }
    }

    private static Path withStandby(Path config, Path to, boolean enabled) throws Exception {
        ObjectNode tree = (ObjectNode) CdcCodec.mapper().readTree(config.toFile());
        tree.putObject("standby").put("enabled", enabled).put("poll_ms", 1000);
        tree.putObject("admin").put("port", 0);
        Files.writeString(to, tree.toPrettyString());
        return to;
    }

    private static Path withDataDir(Path config, Path to, Path dataDir) throws Exception {
        ObjectNode tree = (ObjectNode) CdcCodec.mapper().readTree(config.toFile());
        tree.put("data_dir", dataDir.toString());
        Files.writeString(to, tree.toPrettyString());
        return to;
    }

    private static String adminBase(DaemonProcess d) throws Exception {
        Matcher m = ADMIN.matcher(d.stderr());
        assertThat(m.find()).as("the standby's admin address in its log").isTrue();
        return "http://127.0.0.1:" + m.group(1);
    }

    private static String get(String url, int expectedStatus) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", url, r.body()).isEqualTo(expectedStatus);
        return r.body();
    }

    private static long cursorHeight(Path cursor) throws Exception {
        return Files.exists(cursor) ? CdcCodec.mapper().readTree(cursor.toFile()).path("height").asLong(-1) : -1;
    }
}
