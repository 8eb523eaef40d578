package dev.debshrew.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.testing.DaemonProcess;
import dev.debshrew.testing.Examples;
import dev.debshrew.testing.TableFold;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 item 4, a daemon process with several pipelines: a pipeline whose transform traps at
 * block 5 stops alone (logged with its {@code pipeline} field) while the other one reaches the tip
 * and follows new blocks; {@code /status} shows one failed and one running, the metrics carry both
 * {@code pipeline} tags, SIGHUP reloads every pipeline, the exit status is the failed pipeline's (3). And the shared node client
 * and block-hash hints save calls: two pipelines at the same heights make fewer
 * {@code metashrew_getblockhash} calls than twice one pipeline (the devnet counts them).
 */
class MultiPipelineDaemonTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Pattern ADMIN = Pattern.compile("admin server listening on http://127\\.0\\.0\\.1:(\\d+)/");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aFailingPipelineStopsAloneWhileTheOtherFollowsTheNode() throws Exception {
        Path hostile = HostileWasm.compile(dir.resolve("wat"), "trap", HostileWasm.wat(5, "", "", "unreachable"));
        try (DevnetServer devnet = DevnetServer.builder().seed(71).initialHeight(8).build().start(0)) {
            ObjectNode cfg = top(devnet);
            cfg.put("poll_interval_ms", 50).put("log_format", "json");
            cfg.putObject("admin").put("port", 0);
            ArrayNode list = cfg.putArray("pipelines");
            entry(list, "good", Examples.assemblyScript("txindex"));
            entry(list, "bad", hostile);
            Path config = write(cfg);
            try (DaemonProcess d = DaemonProcess.start(config, null, dir.resolve("logs"))) {
                d.awaitStderr("stopped alone on a failure", WAIT);
                d.awaitCursor(out("good").resolveSibling("good.jsonl.cursor"), 8, devnet.blockHash(8), WAIT);
                devnet.mine(3);
                d.awaitCursor(out("good").resolveSibling("good.jsonl.cursor"), 11, devnet.blockHash(11), WAIT);
                String failureLine = d.stderr().lines().filter(l -> l.contains("stopped alone on a failure"))
                        .findFirst().orElseThrow();
                assertThat(CdcCodec.mapper().readTree(failureLine).path("pipeline").asText())
                        .as("the failure is logged with its pipeline field: %s", failureLine).isEqualTo("bad");

                String base = adminBase(d);
                JsonNode status = CdcCodec.mapper().readTree(get(base + "/status", 200));
                assertThat(status.path("role").asText()).isEqualTo("active");
                assertThat(status.path("ready").asBoolean(true)).as("a failed pipeline is not ready").isFalse();
                assertThat(status.path("not_ready_reasons").toString()).contains("pipeline bad");
                JsonNode good = pipeline(status, "good");
                JsonNode bad = pipeline(status, "bad");
                assertThat(good.path("state").asText()).isEqualTo("running");
                assertThat(good.path("follower").path("next_height").asLong()).isEqualTo(12);
                assertThat(good.path("sinks").get(0).path("cursor").path("height").asLong()).isEqualTo(11);
                assertThat(bad.path("state").asText()).isEqualTo("failed");
                assertThat(bad.path("follower").path("failure").asText()).contains("block 5");
                assertThat(bad.path("transform").asText()).isEqualTo("trap.wasm");
                // liveness: the running pipeline is alive, the failed one stopped alone
                assertThat(get(base + "/health", 200)).contains("1 of 2 pipelines alive").contains("bad failed");
                get(base + "/ready", 503);

                String metrics = get(base + "/metrics", 200);
                assertThat(metrics).containsPattern("debshrew_blocks_processed_total\\{pipeline=\"good\"} 12\\.0")
                        .containsPattern("debshrew_blocks_processed_total\\{pipeline=\"bad\"} 5\\.0")
                        .containsPattern("debshrew_follower_up\\{pipeline=\"bad\"} 0\\.0")
                        .containsPattern("debshrew_follower_up\\{pipeline=\"good\"} 1\\.0");

                JsonNode unknown = CdcCodec.mapper().readTree(post(base + "/admin/reload?pipeline=nope", 404));
                assertThat(unknown.path("error").asText()).contains("no pipeline named 'nope'");
                JsonNode reload = CdcCodec.mapper().readTree(post(base + "/admin/reload?pipeline=good", 200));
                assertThat(reload.path("outcome").asText()).isEqualTo("unchanged");

                // SIGHUP reloads every pipeline, each logging with its pipeline field
                Process hup = new ProcessBuilder("kill", "-HUP", Long.toString(d.pid())).start();
                assertThat(hup.waitFor()).isZero();
                awaitLogged(d, "good", "is the module already running");
                awaitLogged(d, "bad", "is the module already running");

                assertThat(d.terminate(WAIT)).as("exit status: the most severe of the pipelines' (a transform"
                        + " failing on a block needs the operator)").isEqualTo(3);
            }
            assertThat(TableFold.readFile(out("bad"))).as("nothing of block 5 was written").hasSize(5)
                    .allMatch(m -> m.header().blockHeight() < 5);
        }
    }

    @Test
    void twoPipelinesAtTheSameHeightsReadFewerBlockHashesThanTwiceOne() throws Exception {
        long one;
        try (DevnetServer devnet = DevnetServer.builder().seed(9).initialHeight(40).build().start(0)) {
            ObjectNode cfg = top(devnet);
            ObjectNode single = entry(cfg.putArray("unused"), "single", Examples.assemblyScript("txindex"));
            cfg.remove("unused");
            single.remove("name");
            cfg.setAll(single);
            try (DaemonProcess d = DaemonProcess.start(write(cfg), null, dir.resolve("logs"))) {
                d.awaitCursor(out("single").resolveSibling("single.jsonl.cursor"), 40, devnet.blockHash(40), WAIT);
                assertThat(d.terminate(WAIT)).isZero();
            }
            one = devnet.requestCount("metashrew_getblockhash");
        }
        long two;
        try (DevnetServer devnet = DevnetServer.builder().seed(9).initialHeight(40).build().start(0)) {
            ObjectNode cfg = top(devnet);
            ArrayNode list = cfg.putArray("pipelines");
            entry(list, "a", Examples.assemblyScript("txindex"));
            entry(list, "b", Examples.assemblyScript("txindex"));
            try (DaemonProcess d = DaemonProcess.start(write(cfg), null, dir.resolve("logs"))) {
                d.awaitCursor(out("a").resolveSibling("a.jsonl.cursor"), 40, devnet.blockHash(40), WAIT);
                d.awaitCursor(out("b").resolveSibling("b.jsonl.cursor"), 40, devnet.blockHash(40), WAIT);
                assertThat(d.terminate(WAIT)).isZero();
            }
            two = devnet.requestCount("metashrew_getblockhash");
        }
        System.out.printf("getblockhash calls to reach height 40: one pipeline %d, two pipelines %d%n", one, two);
        assertThat(one).as("one pipeline reads each of the 41 blocks' hashes").isGreaterThanOrEqualTo(41);
        assertThat(two).as("two pipelines share the first read of each block (one pipeline: %d)", one)
                .isLessThan(2 * one);
        assertThat(Files.readString(out("a"))).isEqualTo(Files.readString(out("b")));
    }

    /** Waits for a JSON log line of pipeline {@code pipeline} containing {@code text}. */
    private static void awaitLogged(DaemonProcess d, String pipeline, String text) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (d.stderr().lines().filter(l -> l.contains(text)).noneMatch(l -> l.contains("\"pipeline\":\"" + pipeline
                + "\""))) {
            assertThat(System.nanoTime()).as("waiting for %s logged by pipeline %s:\n%s", text, pipeline, d.stderr())
                    .isLessThan(deadline);
            assertThat(d.isAlive()).as("the daemon is running").isTrue();
            Thread.sleep(20);
        }
    }

    /** The daemon-wide part: the devnet, one poll per 10 minutes once caught up (no calls while idle). */
    private ObjectNode top(DevnetServer devnet) {
        ObjectNode cfg = DebshrewConfig.emptyTree();
        cfg.putObject("metashrew").put("url", devnet.url()).put("timeout", 10);
        cfg.put("cache_size", 6).put("data_dir", dir.resolve("data").toString()).put("poll_interval_ms", 600_000);
        return cfg;
    }

    private ObjectNode entry(ArrayNode list, String name, Path wasm) {
        ObjectNode e = list.addObject().put("name", name).put("start_height", 0);
        e.putObject("transform").put("path", wasm.toString()).put("compile_cache_dir", "");
        e.putObject("sink").put("type", "file").put("path", out(name).toString());
        return e;
    }

    private Path out(String name) {
        return dir.resolve(name + ".jsonl");
    }

    private Path write(ObjectNode cfg) throws Exception {
        Path p = Files.createTempFile(dir, "config-", ".json");
        Files.writeString(p, cfg.toPrettyString());
        return p;
    }

    private static JsonNode pipeline(JsonNode status, String name) {
        for (JsonNode p : status.path("pipelines")) {
            if (name.equals(p.path("name").asText())) {
                return p;
            }
        }
        throw new AssertionError("no pipeline " + name + " in /status: " + status.toPrettyString());
    }

    private static String adminBase(DaemonProcess d) throws Exception {
        Matcher m = ADMIN.matcher(d.stderr());
        assertThat(m.find()).as("the admin server's address in the log").isTrue();
        return "http://127.0.0.1:" + m.group(1);
    }

    private String get(String url, int expected) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", url, r.body()).isEqualTo(expected);
        return r.body();
    }

    private String post(String url, int expected) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("POST %s: %s", url, r.body()).isEqualTo(expected);
        return r.body();
    }
}
