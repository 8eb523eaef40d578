package dev.debshrew.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.config.ConfigException;
import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.daemon.Daemon;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.metrics.DebshrewMetrics;
import dev.debshrew.testing.Examples;
import dev.debshrew.testing.TcpProxy;
import dev.debshrew.util.Secrets;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin endpoints of a real daemon over real HTTP, and their configuration. */
class AdminServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private HttpResponse<String> get(String base, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> awaitHealth(String base, int status, Duration timeout) throws Exception {
        return awaitPath(base, "/health", status, timeout);
    }

    private HttpResponse<String> awaitPath(String base, String path, int status, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpResponse<String> r = get(base, path);
        while (r.statusCode() != status && System.nanoTime() < deadline) {
            Thread.sleep(50);
            r = get(base, path);
        }
        assertThat(r.statusCode()).as("%s: %s", path, r.body()).isEqualTo(status);
        return r;
    }

    private static void await(String what, Duration timeout, java.util.function.BooleanSupplier done) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for %s", what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static double sample(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        assertThat(m.find()).as("series %s in:\n%s", series, scrape).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private ObjectNode config(String url, int adminPort) {
        ObjectNode root = DebshrewConfig.emptyTree();
        root.putObject("metashrew").put("url", url).put("timeout", 1).put("connect_timeout", 1).put("max_retries", 0);
        root.putObject("transform").put("path", Examples.assemblyScript("txindex").toString());
        root.putObject("sink").put("type", "file").put("path", dir.resolve("out.jsonl").toString());
        root.put("state_store", "memory");
        root.put("data_dir", dir.resolve("data").toString());
        root.put("start_height", 0);
        root.put("poll_interval_ms", 20);
        root.putObject("admin").put("port", adminPort).put("node_stale_after", 1);
        return root;
    }

    @Test
    void metricsHealthAndStatusOfARunningDaemon() throws Exception {
        try (DevnetServer devnet = DevnetServer.builder().initialHeight(6).build().start(0);
                TcpProxy proxy = new TcpProxy(devnet.port()).start(0)) {
            Daemon daemon = Daemon.create(DebshrewConfig.fromJson(config(proxy.url(), 0), "test"));
            String base = "http://127.0.0.1:" + daemon.adminAddress().orElseThrow().getPort();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    daemon.run();
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "admin-test-daemon");
            try {
                HttpResponse<String> before = get(base, "/health");
                if (before.statusCode() == 503) { // unless the thread below already started
                    assertThat(JSON.readTree(before.body()).path("status").asText()).isEqualTo("unhealthy");
                }
                t.start();
                await("catch-up", Duration.ofSeconds(60), () -> daemon.follower().nextHeight() == devnet.height() + 1);

                HttpResponse<String> metrics = get(base, "/metrics");
                assertThat(metrics.statusCode()).isEqualTo(200);
                assertThat(metrics.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
                String text = metrics.body();
                assertThat(sample(text, "debshrew_blocks_processed_total")).isEqualTo(devnet.height() + 1);
                assertThat(sample(text, "debshrew_node_height")).isEqualTo(devnet.height());
                assertThat(sample(text, "debshrew_processed_height")).isEqualTo(devnet.height());
                assertThat(sample(text, "debshrew_lag_blocks")).isZero();
                assertThat(sample(text, "debshrew_follower_up")).isEqualTo(1);
                assertThat(sample(text, "debshrew_transform_seconds_count")).isEqualTo(devnet.height() + 1);
                assertThat(sample(text, "debshrew_messages_emitted_total{sink=\"file:" + dir.resolve("out.jsonl") + "\"}"))
                        .isPositive();
                assertThat(sample(text, "debshrew_metashrew_requests_seconds_count{method=\"metashrew_view\",outcome=\"success\"}"))
                        .isGreaterThanOrEqualTo(devnet.height() + 1);
                assertThat(text).contains("debshrew_block_processing_seconds_bucket{le=")
                        .contains("debshrew_sink_commit_seconds_count{sink=").contains("jvm_memory_used_bytes");

                HttpResponse<String> health = awaitHealth(base, 200, Duration.ofSeconds(5));
                assertThat(JSON.readTree(health.body()).path("status").asText()).isEqualTo("ok");

                HttpResponse<String> statusResp = get(base, "/status");
                assertThat(statusResp.statusCode()).isEqualTo(200);
                JsonNode status = JSON.readTree(statusResp.body());
                assertThat(status.path("transform").asText()).isNotEmpty();
                assertThat(status.path("follower").path("state").asText()).isEqualTo("running");
                assertThat(status.path("follower").path("next_height").asLong()).isEqualTo(devnet.height() + 1);
                assertThat(status.path("node").path("url").asText()).isEqualTo(proxy.url());
                assertThat(status.path("node").path("version_line").asText()).isEqualTo("current");
                assertThat(status.path("node").path("height").asLong()).isEqualTo(devnet.height());
                assertThat(status.path("node").path("lag").asLong()).isZero();
                assertThat(status.path("window").path("tip_height").asLong()).isEqualTo(devnet.height());
                assertThat(status.path("window").path("tip_hash").asText()).isEqualTo(devnet.blockHash(devnet.height()));
                assertThat(status.path("window").path("blocks").asInt()).isEqualTo(6);
                assertThat(status.path("window").path("size").asInt()).isEqualTo(6);
                JsonNode sink = status.path("sinks").get(0);
                assertThat(sink.path("name").asText()).startsWith("file:");
                assertThat(sink.path("cursor").path("height").asLong()).isEqualTo(devnet.height());

                assertThat(status.path("node").has("last_failure"))
                        .as("no stale start-up probe error (\"Invalid height: 0.5\"): %s", status).isFalse();
                assertThat(status.path("node").path("up").asBoolean()).isTrue();
                assertThat(get(base, "/ready").statusCode()).isEqualTo(200);

                // the node goes away: /ready 503 once no call succeeded for node_stale_after (1 s); /health stays 200
                proxy.stop();
                HttpResponse<String> down = awaitPath(base, "/ready", 503, Duration.ofSeconds(15));
                assertThat(JSON.readTree(down.body()).path("reason").asText())
                        .contains("node: no successful metashrew call").contains("TRANSPORT");
                assertThat(get(base, "/health").statusCode()).as("liveness does not depend on the node").isEqualTo(200);
                JsonNode nodeDown = JSON.readTree(get(base, "/status").body()).path("components").get(0);
                assertThat(nodeDown.path("kind").asText()).isEqualTo("node");
                assertThat(nodeDown.path("up").asBoolean()).isFalse();
                assertThat(nodeDown.path("last_error").asText()).contains("TRANSPORT");
                assertThat(nodeDown.path("last_error_at").asText()).isNotEmpty();
                assertThat(sample(get(base, "/metrics").body(), "debshrew_node_errors_total{kind=\"transport\"}"))
                        .isPositive();
                assertThat(t.isAlive()).isTrue();

                // ... and comes back: healthy again, and the new blocks are processed
                devnet.mine(2);
                proxy.restart();
                awaitPath(base, "/ready", 200, Duration.ofSeconds(60));
                assertThat(JSON.readTree(get(base, "/status").body()).path("components").get(0).path("last_error")
                        .isNull()).as("the node's error is cleared on recovery").isTrue();
                await("catch-up after the outage", Duration.ofSeconds(60),
                        () -> daemon.follower().nextHeight() == devnet.height() + 1);
            } finally {
                assertThat(daemon.stop(30_000)).isTrue();
                t.join(30_000);
            }
            assertThat(failure.get()).isNull();
            assertThatThrownBy(() -> get(base, "/health")).as("admin server stopped with the daemon")
                    .isInstanceOf(IOException.class);
        }
    }

    /** The version-line detection's expected "Invalid height: 0.5" answer is not a node failure. */
    @Test
    void startUpProbeErrorIsNeverRecordedAsANodeFailure() throws Exception {
        try (DevnetServer devnet = DevnetServer.builder().initialHeight(2).build().start(0);
                DebshrewMetrics metrics = new DebshrewMetrics(false, System::nanoTime);
                MetashrewClient client = MetashrewClient.builder(devnet.url()).listener(metrics).build()) {
            assertThat(client.height()).isEqualTo(2);
            assertThat(client.versionLine().id()).isEqualTo("current");
            assertThat(metrics.lastNodeFailure()).isNull();
            assertThat(metrics.scrape()).doesNotContain("outcome=\"rpc_error\"");
        }
    }

    @Test
    void otherPathsAndMethods() throws Exception {
        try (DevnetServer devnet = DevnetServer.builder().initialHeight(2).build().start(0)) {
            Daemon daemon = Daemon.create(DebshrewConfig.fromJson(config(devnet.url(), 0), "test"));
            try {
                String base = "http://127.0.0.1:" + daemon.adminAddress().orElseThrow().getPort();
                assertThat(get(base, "/nope").statusCode()).isEqualTo(404);
                HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                        .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(post.statusCode()).isEqualTo(405);
                HttpResponse<String> health = get(base, "/health");
                assertThat(health.statusCode()).isEqualTo(503);
                assertThat(health.body()).contains("has not started");
                JsonNode status = JSON.readTree(get(base, "/status").body());
                assertThat(status.path("follower").path("state").asText()).isEqualTo("not_started");
                assertThat(status.path("node").path("height").isNull()).isTrue();
                assertThat(status.path("sinks").get(0).path("cursor").isNull()).isTrue();
            } finally {
                daemon.close();
            }
        }
    }

    @Test
    void adminDisabledByDefaultAndAPortInUseIsAConfigurationError() throws Exception {
        try (DevnetServer devnet = DevnetServer.builder().initialHeight(2).build().start(0)) {
            ObjectNode cfg = config(devnet.url(), 0);
            cfg.remove("admin");
            Daemon daemon = Daemon.create(DebshrewConfig.fromJson(cfg, "test"));
            assertThat(daemon.adminAddress()).isEmpty();
            daemon.close();

            Daemon first = Daemon.create(DebshrewConfig.fromJson(config(devnet.url(), 0), "test"));
            try {
                int port = first.adminAddress().orElseThrow().getPort();
                assertThatThrownBy(() -> Daemon.create(DebshrewConfig.fromJson(config(devnet.url(), port), "test")))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("admin.port")
                        .hasMessageContaining(String.valueOf(port));
            } finally {
                first.close();
            }
        }
    }

    @Test
    void adminOptionsAreValidated() throws Exception {
        ObjectNode cfg = config("http://127.0.0.1:1/", 0);
        DebshrewConfig ok = DebshrewConfig.fromJson(cfg, "test");
        assertThat(ok.adminPort()).isZero();
        assertThat(ok.adminBind()).isEqualTo("127.0.0.1");
        assertThat(ok.adminNodeStaleAfter()).isEqualTo(Duration.ofSeconds(1));
        assertThat(ok.adminReadyMaxLag()).isEqualTo(3);
        assertThat(ok.adminStallAfter()).isNull();
        assertThat(ok.adminToken()).isNull();
        cfg.remove("admin");
        assertThat(DebshrewConfig.fromJson(cfg, "test").adminPort()).isNull();
        assertThat(DebshrewConfig.fromJson(cfg, "test").adminNodeStaleAfter()).isEqualTo(Duration.ofSeconds(60));

        for (Predicate<ObjectNode> bad : java.util.List.<Predicate<ObjectNode>>of(
                c -> c.putObject("admin").put("port", 70_000) != null,
                c -> c.putObject("admin").put("port", -1) != null,
                c -> c.putObject("admin").put("port", "http") != null,
                c -> c.putObject("admin").put("bind", " ") != null,
                c -> c.putObject("admin").put("node_stale_after", 0) != null,
                c -> c.putObject("admin").put("ready_max_lag", -1) != null,
                c -> c.putObject("admin").put("stall_after", 0) != null)) {
            ObjectNode c = config("http://127.0.0.1:1/", 0);
            bad.test(c);
            assertThatThrownBy(() -> DebshrewConfig.fromJson(c, "test")).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("admin.");
        }
    }

    @Test
    void statusNeverShowsCredentialsPathsOrQueries() {
        assertThat(Secrets.redactEndpoint("http://127.0.0.1:8080")).isEqualTo("http://127.0.0.1:8080/");
        assertThat(Secrets.redactEndpoint("http://127.0.0.1:8080/")).isEqualTo("http://127.0.0.1:8080/");
        assertThat(Secrets.redactEndpoint("https://user:secret@gw.example/v1/APIKEY?token=x"))
                .isEqualTo("https://***@gw.example/...?...");
        assertThat(Secrets.redactEndpoint("http://[::1]:8080/rpc")).isEqualTo("http://[::1]:8080/...");
    }
}
