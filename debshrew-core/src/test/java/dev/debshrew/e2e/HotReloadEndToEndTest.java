package dev.debshrew.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.ReorgStyle;
import dev.debshrew.journal.JournalTool;
import dev.debshrew.testing.DaemonProcess;
import dev.debshrew.testing.Examples;
import dev.debshrew.testing.SwitchedReference;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLimits;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot reload of a real daemon process in live mode: refused without the admin token, a module that
 * cannot be loaded leaves the old one running (error in the CLI output, /status and the metrics),
 * {@code debshrew reload} swaps in another module at the next block, a reorg across the swap
 * undoes each block exactly and re-applies it with the current module, SIGHUP reloads
 * {@code transform.path}; the file output folds to exactly the canonical tables, {@code journal
 * inspect} names each block's module, and a restart must run the module swapped in last.
 */
class HotReloadEndToEndTest {

    private static final String TOKEN = "hot-reload-admin-token-0123456789abcdef";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void reloadThroughTheCliAndSighupAcrossAReorgIsExact() throws Exception {
        Path v1 = Examples.assemblyScript("tally");
        Path v2 = Examples.assemblyScript("tally_v2");
        Path current = dir.resolve("current.wasm"); // transform.path: SIGHUP reads it again
        Files.copy(v1, current);
        Path garbage = Files.writeString(dir.resolve("garbage.wasm"), "this is not a wasm module");
        Path out = dir.resolve("out.jsonl");
        Path cursor = dir.resolve("out.jsonl.cursor");
        int port = freePort();
        try (DevnetServer devnet = DevnetServer.builder().seed(913).initialHeight(20).reorgTiming(E2e.FAST).build()
                .start(0);
                Transform a = Transform.load(v1, TransformLimits.defaults());
                Transform b = Transform.load(v2, TransformLimits.defaults())) {
            Path config = config(devnet, current, out, port);
            String base = "http://127.0.0.1:" + port;
            long ancestor = 20; // of the reorg below: 25 - 5
            long back; // the first block of the SIGHUP reload
            try (DaemonProcess daemon = DaemonProcess.start(config, null, dir.resolve("logs"))) {
                daemon.awaitCursor(cursor, 20, devnet.blockHash(20), E2e.WAIT);

                // without the token, or with a wrong one: 401, nothing reloaded
                assertThat(post(base, null).statusCode()).isEqualTo(401);
                assertThat(post(base, "not-the-" + TOKEN).statusCode()).isEqualTo(401);
                assertThat(status(base).path("last_reload").isNull()).as("no reload happened").isTrue();

                // modules that cannot be loaded: refused, the old module runs on
                Cli missing = cli(config, "--module", dir.resolve("absent.wasm").toString());
                assertThat(missing.exit()).as(missing.output()).isEqualTo(1);
                assertThat(missing.output()).contains("refused", dir.resolve("absent.wasm").toString());
                Cli malformed = cli(config, "--module", garbage.toString());
                assertThat(malformed.exit()).as(malformed.output()).isEqualTo(1);
                assertThat(malformed.output()).contains("refused", garbage.toString());
                JsonNode failed = status(base).path("last_reload");
                assertThat(failed.path("ok").asBoolean(true)).isFalse();
                assertThat(failed.path("error").asText()).contains(garbage.toString());
                assertThat(daemon.stderr()).contains("hot reload refused").contains(garbage.toString());
                devnet.mine(2);
                daemon.awaitCursor(cursor, 22, devnet.blockHash(22), E2e.WAIT);

                // debshrew reload: the other module from the next block on
                Cli reload = cli(config, "--module", v2.toString());
                assertThat(reload.exit()).as(reload.output()).isZero();
                assertThat(reload.output()).contains(b.sha256(), "runs from block 23 on");
                assertThat(status(base).path("transform").asText()).isEqualTo("tally_v2.wasm");
                devnet.mine(3);
                daemon.awaitCursor(cursor, 25, devnet.blockHash(25), E2e.WAIT);

                // a reorg across the swap: undoes 21..25 (21, 22 by tally, 23.. by tally_v2), re-applies with tally_v2
                devnet.reorg(5, 7, ReorgStyle.INSTANT).get(60, TimeUnit.SECONDS);
                daemon.awaitCursor(cursor, 27, devnet.blockHash(27), E2e.WAIT);

                // SIGHUP: transform.path (tally) again, from the next block on
                Process hup = new ProcessBuilder("kill", "-HUP", Long.toString(daemon.pid())).inheritIO().start();
                assertThat(hup.waitFor(30, TimeUnit.SECONDS) && hup.exitValue() == 0).as("kill -HUP").isTrue();
                E2e.await("the SIGHUP reload applied", daemon, E2e.WAIT, () -> {
                    JsonNode r = status(base).path("last_reload");
                    return a.sha256().equals(r.path("sha256").asText()) && r.path("from_height").isNumber();
                });
                back = status(base).path("last_reload").path("from_height").asLong();
                assertThat(back).isEqualTo(28);
                assertThat(status(base).path("transform").asText()).isEqualTo("current.wasm");
                devnet.mine(2);
                daemon.awaitCursor(cursor, 29, devnet.blockHash(29), E2e.WAIT);

                String metrics = get(base + "/metrics").body();
                assertThat(metrics).contains("debshrew_module_reloads_total{outcome=\"failed\"} 2.0")
                        .contains("debshrew_module_reloads_total{outcome=\"applied\"} 2.0");
                assertThat(daemon.terminate(E2e.WAIT)).isZero();
                assertThat(daemon.stderr()).doesNotContain(TOKEN);
            }

            // the output: blocks up to the ancestor by tally, then tally_v2, then tally from the SIGHUP on
            List<CdcMessage> canonical = SwitchedReference.messages(devnet, h -> h <= ancestor || h >= back ? a : b);
            List<CdcMessage> delivered = dev.debshrew.testing.TableFold.readFile(out);
            E2e.Checked checked = E2e.assertExactlyOnce("file output", delivered, canonical);
            assertThat(checked.inverse()).as("inverse messages of the undone blocks 21..25").isPositive();

            // journal inspect: the module of each block of the window
            ByteArrayOutputStream inspect = new ByteArrayOutputStream();
            JournalTool.inspect(dir.resolve("data").resolve("state"), new PrintStream(inspect, true, StandardCharsets.UTF_8));
            List<Long> seen = new ArrayList<>();
            for (String line : inspect.toString(StandardCharsets.UTF_8).split("\n")) {
                Matcher m = Pattern.compile("^(\\d+)\\s+\\S+\\s+\\S+\\s+\\d+\\s+\\d+\\s+(\\S+)\\s+ok").matcher(line);
                if (m.find()) {
                    long h = Long.parseLong(m.group(1));
                    String want = (h <= ancestor || h >= back ? a : b).sha256().substring(0, 16);
                    assertThat(m.group(2)).as("module of block %d: %s", h, line).isEqualTo(want);
                    seen.add(h);
                }
            }
            assertThat(seen).as(inspect.toString(StandardCharsets.UTF_8)).contains(20L, 21L, 27L, 28L, 29L);

            // a restart must run the module swapped in last (tally): tally_v2 is refused, tally accepted
            try (DaemonProcess old = DaemonProcess.start(config, null, dir.resolve("logs"), "-t", v2.toString())) {
                assertThat(old.awaitExit(E2e.WAIT)).as(old.stderr()).isEqualTo(3);
                assertThat(old.stderr()).contains("was built by another transform module", "hot reload");
            }
            try (DaemonProcess again = DaemonProcess.start(config, null, dir.resolve("logs"))) {
                again.awaitStderr("debshrew following", E2e.WAIT);
                devnet.mine(1);
                again.awaitCursor(cursor, 30, devnet.blockHash(30), E2e.WAIT);
                assertThat(again.terminate(E2e.WAIT)).isZero();
            }
            System.out.printf("hot reload e2e: swap at 23, reorg to %d, SIGHUP swap at %d; %s%n", ancestor, back,
                    checked);
        }
    }

    private Path config(DevnetServer devnet, Path module, Path out, int port) throws Exception {
        Path file = E2e.writeConfig(dir.resolve("config.json"), devnet, "tally", dir.resolve("data"),
                dir.resolve("cache"), "rocksdb", E2e.sink("file").put("path", out.toString()));
        ObjectNode cfg = (ObjectNode) CdcCodec.mapper().readTree(file.toFile());
        ((ObjectNode) cfg.path("transform")).put("path", module.toString());
        cfg.put("cache_size", 12);
        cfg.putObject("admin").put("port", port).put("token", TOKEN);
        Files.writeString(file, cfg.toPrettyString());
        return file;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static HttpResponse<String> post(String base, String token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + "/admin/reload"))
                .POST(HttpRequest.BodyPublishers.ofString("{}"));
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode status(String base) throws Exception {
        HttpResponse<String> r = get(base + "/status");
        assertThat(r.statusCode()).isEqualTo(200);
        return CdcCodec.mapper().readTree(r.body());
    }

    /** What {@code debshrew reload} printed (stdout and stderr) and its exit status. */
    private record Cli(int exit, String output) {
    }

    /** {@code debshrew reload --config config ARGS} as a process of its own. */
    private Cli cli(Path config, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Dlogback.configurationFile=logback.xml", "-cp",
                System.getProperty("java.class.path"), "dev.debshrew.cli.Main", "reload", "--config", config.toString()));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile(dir, "reload-", ".out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("debshrew reload ended").isTrue();
        return new Cli(p.exitValue(), Files.readString(log));
    }
}
