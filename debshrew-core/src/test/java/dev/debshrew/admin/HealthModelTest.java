package dev.debshrew.admin;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.daemon.Daemon;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.testing.Examples;
import dev.debshrew.testing.RestartablePostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The health model (operations issue, item 1) against a real daemon writing to a real PostgreSQL
 * that is stopped for several retry attempts and started again: {@code /ready} turns 503 naming the
 * sink, {@code /health} stays 200 throughout, {@code /status} shows the sink down with its error and
 * clears it on recovery, the log has one line when the sink goes down and one when it recovers, and
 * the pipeline resumes by itself.
 */
class HealthModelTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(90);
    /** Failed attempts the outage lasts at least (each one used to log a WARN line). */
    private static final int ATTEMPTS = 4;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Logger fanOutLogger = (Logger) LoggerFactory.getLogger("dev.debshrew.follow.SinkFanOut");
    private final ListAppender<ILoggingEvent> fanOutLog = new ListAppender<>();
    private Level levelBefore;

    @TempDir
    Path dir;

    @BeforeEach
    void captureLog() {
        fanOutLog.start();
        fanOutLogger.addAppender(fanOutLog);
        levelBefore = fanOutLogger.getLevel();
        fanOutLogger.setLevel(Level.DEBUG); // to count the attempts, which log at DEBUG
    }

    @AfterEach
    void releaseLog() {
        fanOutLogger.detachAppender(fanOutLog);
        fanOutLogger.setLevel(levelBefore);
    }

    @Test
    void postgresDownMakesReadyFailNamingTheSinkWhileHealthStaysOkAndOneLineIsLoggedPerTransition() throws Exception {
        try (RestartablePostgres pg = new RestartablePostgres(dir.resolve("pgdata"));
                DevnetServer devnet = DevnetServer.builder().seed(91).initialHeight(5).build().start(0)) {
            pg.start();
            ObjectNode cfg = DebshrewConfig.emptyTree();
            cfg.putObject("metashrew").put("url", devnet.url());
            cfg.putObject("transform").put("path", Examples.assemblyScript("blocks").toString());
            cfg.putObject("sink").put("type", "postgres").put("url", pg.url()).put("schema", "health")
                    .put("connection_timeout_ms", 250);
            cfg.put("state_store", "memory").put("data_dir", dir.resolve("data").toString()).put("start_height", 0)
                    .put("poll_interval_ms", 20);
            cfg.putObject("admin").put("port", 0).put("ready_max_lag", 0);
            Daemon daemon = Daemon.create(DebshrewConfig.fromJson(cfg, "test"));
            String base = "http://127.0.0.1:" + daemon.adminAddress().orElseThrow().getPort();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    daemon.run();
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "health-model-daemon");
            t.start();
            try {
                awaitStatus(base, "/ready", 200, r -> true);
                String sink = JSON.readTree(get(base, "/status").body()).path("sinks").get(0).path("name").asText();
                assertThat(sink).startsWith("postgres");
                fanOutLog.list.clear();

                pg.stop();
                devnet.mine(2); // the next commit fails
                HttpResponse<String> notReady = awaitStatus(base, "/ready", 503,
                        r -> r.body().contains("sink " + sink + " is down"));
                JsonNode body = JSON.readTree(notReady.body());
                assertThat(body.path("status").asText()).isEqualTo("not_ready");
                assertThat(body.path("reason").asText()).contains("sink " + sink + " is down");
                // several attempts fail; /health is 200 at every look meanwhile
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (attempts() < ATTEMPTS) {
                    assertThat(System.nanoTime()).as("%d failed attempts", ATTEMPTS).isLessThan(deadline);
                    assertThat(failure.get()).isNull();
                    HttpResponse<String> health = get(base, "/health");
                    assertThat(health.statusCode()).as("/health during the outage: %s", health.body()).isEqualTo(200);
                    Thread.sleep(50);
                }
                JsonNode status = JSON.readTree(get(base, "/status").body());
                JsonNode component = sinkComponent(status);
                assertThat(component.path("up").asBoolean()).isFalse();
                assertThat(component.path("last_error").asText()).isNotBlank();
                assertThat(component.path("last_error_at").asText()).isNotBlank();
                assertThat(status.path("ready").asBoolean()).isFalse();
                assertThat(status.path("healthy").asBoolean()).isTrue();
                String metrics = get(base, "/metrics").body();
                assertThat(metrics).contains("debshrew_sink_up{sink=\"" + sink + "\"} 0.0")
                        .contains("debshrew_sink_errors_total{sink=\"" + sink + "\"} 1.0")
                        .containsPattern("debshrew_build_info\\{version=\"[^\"]+\"} 1");

                pg.start();
                awaitStatus(base, "/ready", 200, r -> true);
                assertThat(daemon.follower().nextHeight()).as("the pipeline resumed by itself")
                        .isEqualTo(devnet.height() + 1);
                List<String> warns = lines(Level.WARN);
                List<String> infos = lines(Level.INFO);
                assertThat(warns).as("one WARN line for the outage, not one per attempt").hasSize(1);
                assertThat(warns.get(0)).contains("sink " + sink + " is down");
                assertThat(infos).as("one INFO line for the recovery").hasSize(1);
                assertThat(infos.get(0)).contains("sink " + sink + " is up again");
                JsonNode after = sinkComponent(JSON.readTree(get(base, "/status").body()));
                assertThat(after.path("up").asBoolean()).isTrue();
                assertThat(after.path("last_error").isNull()).as("the error is cleared on recovery").isTrue();
                assertThat(get(base, "/metrics").body()).contains("debshrew_sink_up{sink=\"" + sink + "\"} 1.0");
                assertThat(get(base, "/health").statusCode()).isEqualTo(200);
            } finally {
                assertThat(daemon.stop(30_000)).isTrue();
                t.join(30_000);
            }
            assertThat(failure.get()).isNull();
        }
    }

    private long attempts() {
        return fanOutLog.list.stream().filter(e -> e.getLevel() == Level.DEBUG || e.getLevel() == Level.WARN)
                .filter(e -> e.getFormattedMessage().contains("is down")).count();
    }

    private List<String> lines(Level level) {
        return fanOutLog.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }

    private static JsonNode sinkComponent(JsonNode status) {
        for (JsonNode c : status.path("components")) {
            if ("sink".equals(c.path("kind").asText())) {
                return c;
            }
        }
        throw new AssertionError("no sink in components: " + status);
    }

    private HttpResponse<String> get(String base, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> awaitStatus(String base, String path, int status, Predicate<HttpResponse<String>> also)
            throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        HttpResponse<String> r = get(base, path);
        while (r.statusCode() != status || !also.test(r)) {
            assertThat(System.nanoTime()).as("%s to answer %d; last: %d %s", path, status, r.statusCode(), r.body())
                    .isLessThan(deadline);
            Thread.sleep(50);
            r = get(base, path);
        }
        return r;
    }
}
