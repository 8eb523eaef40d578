package dev.debshrew.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The devnet's base latency: applied to every request, waited out in parallel by concurrent requests. */
@Timeout(60)
class DevnetLatencyTest {

    private static final String HEIGHT = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"metashrew_height\",\"params\":[]}";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<DevnetServer> servers = new ArrayList<>();

    private DevnetServer start(Duration latency) throws Exception {
        DevnetServer s = DevnetServer.builder().initialHeight(7).latency(latency).build().start(0);
        servers.add(s);
        return s;
    }

    @AfterEach
    void stop() {
        servers.forEach(DevnetServer::close);
    }

    private CompletableFuture<HttpResponse<String>> heightAsync(DevnetServer s) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(s.url())).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(HEIGHT)).build();
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitValue(IntSupplier value, int expected, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (value.getAsInt() != expected) {
            assertThat(System.nanoTime()).as("%s reaches %d (now %d)", what, expected, value.getAsInt()).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void concurrentRequestsWaitOutTheLatencyTogether() throws Exception {
        // A latency no request can sit out within the test: all 8 can only be in flight at once if
        // the server holds them in parallel. Setting the latency to zero then releases them all.
        DevnetServer s = start(Duration.ofMinutes(10));
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            calls.add(heightAsync(s));
        }
        awaitValue(s::inFlight, 8, "requests in flight");
        assertThat(s.maxInFlight()).isEqualTo(8);
        assertThat(calls).noneMatch(CompletableFuture::isDone);

        s.setLatency(Duration.ZERO);
        for (CompletableFuture<HttpResponse<String>> c : calls) {
            HttpResponse<String> r = c.get(20, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(RawRpc.MAPPER.readTree(r.body()).get("result").asText()).isEqualTo("7");
        }
        awaitValue(s::inFlight, 0, "requests in flight");
        assertThat(s.maxInFlight()).isEqualTo(8);
        s.clearRequests();
        assertThat(s.maxInFlight()).isZero();
        assertThat(s.requestCount()).isZero();
    }

    @Test
    void everyRequestIsDelayedByTheLatency() throws Exception {
        DevnetServer s = start(Duration.ofMillis(150));
        assertThat(s.latency()).isEqualTo(Duration.ofMillis(150));
        for (int i = 0; i < 2; i++) { // the second call reuses the kept-alive connection
            long t0 = System.nanoTime();
            HttpResponse<String> r = heightAsync(s).get(20, TimeUnit.SECONDS);
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(tookMs).as("round trip with a 150 ms devnet latency").isGreaterThanOrEqualTo(150);
        }
        assertThat(s.requestCount("metashrew_height")).isEqualTo(2);
        assertThat(s.inFlight()).isZero();
        assertThat(s.maxInFlight()).isEqualTo(1);
    }

    @Test
    void badLatenciesAreRejectedWithTheirSource() throws Exception {
        assertThatThrownBy(() -> DevnetServer.builder().latency(Duration.ofMillis(-1)))
                .hasMessageContaining("devnet latency must be within 0..3600000 ms, got -1 ms");
        DevnetServer s = start(Duration.ZERO);
        assertThatThrownBy(() -> s.setLatency(Duration.ofHours(2))).hasMessageContaining("got 7200000 ms");
        assertThat(s.latency()).isZero();
        assertThatThrownBy(() -> DevnetScenario.parse("{\"latency_ms\":-3}"))
                .hasMessageContaining("scenario.latency_ms must be an integer >= 0, got -3");
        assertThatThrownBy(() -> DevnetScenario.parse("{\"latency_ms\":3600001}"))
                .hasMessageContaining("scenario.latency_ms must be <= 3600000, got 3600001");
        assertThatThrownBy(() -> DevnetMain.launch(new String[] {"--latency-ms", "-5"}, System.out))
                .hasMessageContaining("--latency-ms must be within 0..3600000, got -5");
    }

    @Test
    void commandLineAndScenarioSetTheLatency() throws Exception {
        assertThat(DevnetScenario.parse("{\"latency_ms\":40}").latencyMs()).isEqualTo(40);
        assertThat(DevnetScenario.parse("{}").latencyMs()).isZero();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (DevnetMain.Running r = DevnetMain.launch(new String[] {"--port", "0", "--latency-ms", "25"},
                new PrintStream(buf, true, StandardCharsets.UTF_8))) {
            assertThat(r.server().latency()).isEqualTo(Duration.ofMillis(25));
            assertThat(buf.toString(StandardCharsets.UTF_8)).contains("latency 25 ms");
            assertThat(RawRpc.result(r.server().url(), "metashrew_height", "[]").asText()).isEqualTo("10");
        }
    }
}
