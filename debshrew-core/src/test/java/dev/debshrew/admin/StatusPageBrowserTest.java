package dev.debshrew.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.daemon.Daemon;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.ReorgStyle;
import dev.debshrew.follow.RecentReorgs;
import dev.debshrew.testing.DaemonThread;
import dev.debshrew.testing.Examples;
import dev.debshrew.testing.HeadlessChromium;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live status page ({@code GET /}) of a real daemon following the devnet, in a real headless
 * Chromium: it shows the pipeline, then a reorganisation the devnet makes, with its depth, inverse
 * message count and hashes, and saves a screenshot ({@code target/status-page-reorg.png}; with
 * {@code -Ddebshrew.statusPageScreenshot=FILE} also there, e.g. {@code docs/images/status-page-reorg.png}).
 */
class StatusPageBrowserTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private ObjectNode config(String url) {
        ObjectNode root = DebshrewConfig.emptyTree();
        root.putObject("metashrew").put("url", url).put("timeout", 5).put("max_retries", 0);
        root.putObject("transform").put("path", Examples.assemblyScript("txindex").toString());
        root.putObject("sink").put("type", "file").put("path", dir.resolve("out.jsonl").toString());
        root.put("state_store", "memory");
        root.put("data_dir", dir.resolve("data").toString());
        root.put("start_height", 0);
        root.put("cache_size", 6);
        root.put("poll_interval_ms", 50);
        root.putObject("admin").put("port", 0);
        return root;
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for %s", what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /**
     * Polls a JavaScript condition in the page until it is true, within {@link #WAIT}; a condition
     * that throws (the page still loading) counts as false.
     */
    private static void awaitPage(HeadlessChromium browser, String what, String condition) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!browser.evaluate("(() => { try { return !!(" + condition + "); } catch (e) { return false; } })()").asBoolean()) {
            assertThat(System.nanoTime()).as("waiting for the page to show %s; page text:\n%s", what,
                    browser.evaluate("document.body.innerText").asText()).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /** The full hashes (data-hash) shown inside the first element matching {@code selector}. */
    private static List<String> hashesIn(HeadlessChromium browser, String selector) throws Exception {
        List<String> out = new ArrayList<>();
        browser.evaluate("Array.from(document.querySelector('" + selector + "').querySelectorAll('[data-hash]'))"
                + ".map(e => e.dataset.hash)").forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void statusPageShowsAReorgLiveInARealBrowser() throws Exception {
        Path chromium = HeadlessChromium.find().orElse(null);
        Assumptions.assumeTrue(chromium != null, "chromium not found on the PATH (nor $DEBSHREW_CHROMIUM):"
                + " scripts/install-prerequisites.sh installs Debian's chromium package; skipping the browser test");
        try (DevnetServer devnet = DevnetServer.builder().initialHeight(12).build().start(0)) {
            Daemon daemon = Daemon.create(DebshrewConfig.fromJson(config(devnet.url()), "test"));
            String base = "http://127.0.0.1:" + daemon.adminAddress().orElseThrow().getPort();
            DaemonThread running = DaemonThread.start(daemon, "status-page-daemon");
            try (running; HeadlessChromium browser = HeadlessChromium.start(chromium, 1280, 1300, WAIT)) {
                await("catch-up", () -> daemon.follower().nextHeight() == devnet.height() + 1);
                long tip = devnet.height();
                browser.navigate(base + "/");
                awaitPage(browser, "the caught-up pipeline", "document.getElementById('state').textContent === 'running'"
                        + " && document.querySelector('#window tbody tr[data-height=\"" + tip + "\"]')"
                        + " && document.getElementById('lag').textContent === '0'");
                assertThat(hashesIn(browser, "#window tbody tr")).contains(devnet.blockHash(tip));
                assertThat(browser.evaluate("document.querySelectorAll('#reorgs tbody tr').length").asInt()).isZero();
                assertThat(browser.evaluate("document.getElementById('node-height').textContent").asText())
                        .isEqualTo(Long.toString(tip));

                List<String> orphaned = new ArrayList<>();
                for (long h = tip; h > tip - 3; h--) {
                    orphaned.add(devnet.blockHash(h));
                }
                devnet.reorg(3, 4, ReorgStyle.INSTANT).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                await("the reorg undone and the new branch processed", () -> !daemon.follower().recentReorgs().isEmpty()
                        && daemon.follower().nextHeight() == devnet.height() + 1);
                RecentReorgs.Reorg reorg = daemon.follower().recentReorgs().get(0);
                assertThat(reorg.depth()).isEqualTo(3);
                assertThat(reorg.undoneHashes()).isEqualTo(orphaned);
                assertThat(reorg.inverseMessages()).as("txindex emits messages for every block").isPositive();

                awaitPage(browser, "the reorg", "document.querySelector('#reorgs tbody tr[data-depth=\"3\"]')"
                        + " && document.querySelector('#window tbody tr[data-height=\"" + devnet.height() + "\"]')");
                String row = browser.evaluate("document.querySelector('#reorgs tbody tr').innerText").asText();
                assertThat(row).contains(Long.toString(reorg.inverseMessages()));
                assertThat(hashesIn(browser, "#reorgs tbody tr")).contains(reorg.ancestorHash())
                        .containsSubsequence(orphaned);
                assertThat(browser.evaluate("document.querySelector('#reorgs tbody tr').dataset.inverse").asText())
                        .isEqualTo(Long.toString(reorg.inverseMessages()));
                assertThat(browser.evaluate("document.getElementById('no-reorgs').style.display").asText())
                        .isEqualTo("none");
                assertThat(hashesIn(browser, "#window tbody tr")).containsExactly(devnet.blockHash(devnet.height()));
                assertThat(hashesIn(browser, "#window tbody")).doesNotContainAnyElementsOf(orphaned);
                assertThat(browser.evaluate("document.querySelector('#sinks tbody tr').innerText").asText())
                        .contains("up");
                assertThat(hashesIn(browser, "#sinks tbody tr")).containsExactly(devnet.blockHash(devnet.height()));

                // the chart: a line once two samples were taken (one every StatusHistory.SAMPLE_INTERVAL)
                awaitPage(browser, "the chart's lines", "Number(document.getElementById('rate-line')"
                        + ".getAttribute('data-points')) >= 2 && Number(document.getElementById('lag-line')"
                        + ".getAttribute('data-points')) >= 2");

                Path shot = Path.of("target", "status-page-reorg.png");
                browser.screenshot(shot);
                byte[] png = Files.readAllBytes(shot);
                assertThat(png).hasSizeGreaterThan(10_000);
                assertThat(new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
                String copy = System.getProperty("debshrew.statusPageScreenshot");
                if (copy != null && !copy.isBlank()) {
                    Files.createDirectories(Path.of(copy).toAbsolutePath().getParent());
                    Files.copy(shot, Path.of(copy), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            assertThat(running.failure()).isNull();
        }
    }

    @Test
    void statusPageIsSelfContainedAndItsHistoryIsJson() throws Exception {
        try (DevnetServer devnet = DevnetServer.builder().initialHeight(2).build().start(0)) {
            Daemon daemon = Daemon.create(DebshrewConfig.fromJson(config(devnet.url()), "test"));
            try {
                String base = "http://127.0.0.1:" + daemon.adminAddress().orElseThrow().getPort();
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(page.statusCode()).isEqualTo(200);
                assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
                assertThat(page.headers().firstValue("Content-Security-Policy").orElse(""))
                        .contains("default-src 'none'").contains("connect-src 'self'");
                assertThat(page.body()).contains("<svg id=\"chart\"").doesNotContainPattern("(src|href)=\"?(https?:)?//")
                        .doesNotContain("innerHTML");
                HttpResponse<String> history = http.send(HttpRequest.newBuilder(URI.create(base + "/status/history"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(history.statusCode()).isEqualTo(200);
                JsonNode h = JSON.readTree(history.body());
                assertThat(h.path("sample_interval_ms").asLong()).isEqualTo(StatusHistory.SAMPLE_INTERVAL.toMillis());
                assertThat(h.path("samples").isArray()).isTrue();
                assertThat(h.path("reorgs").isArray()).isTrue();
                assertThat(h.path("reorgs")).isEmpty();
                assertThat(h.path("window").isArray()).isTrue();
                assertThat(h.path("errors").isArray()).isTrue();
                assertThat(h.path("follower_state").asText()).isEqualTo("not_started");
            } finally {
                daemon.close();
            }
        }
    }

    @Test
    void historyNotesEachNewErrorOnceWithoutSecrets() throws Exception {
        int closedPort;
        try (DevnetServer gone = DevnetServer.builder().initialHeight(1).build().start(0)) {
            closedPort = gone.port();
        }
        String password = "Zq8-status-page-pw";
        Daemon daemon = Daemon.create(DebshrewConfig.fromJson(
                config("http://operator:" + password + "@127.0.0.1:" + closedPort + "/"), "test"));
        String base = "http://127.0.0.1:" + daemon.adminAddress().orElseThrow().getPort();
        HttpClient http = HttpClient.newHttpClient();
        AtomicReference<JsonNode> history = new AtomicReference<>();
        try (DaemonThread running = DaemonThread.start(daemon, "status-history-daemon")) {
            // the node never answers: the follower retries, the sampler notes the failure once, however many samples
            await("three samples after a node failure", () -> {
                try {
                    history.set(JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/status/history"))
                            .build(), HttpResponse.BodyHandlers.ofString()).body()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                JsonNode h = history.get();
                return h.path("samples").size() >= 3 && h.path("errors").size() >= 1;
            });
            assertThat(running.failure()).isNull();
        }
        JsonNode errors = history.get().path("errors");
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).path("source").asText()).isEqualTo("node");
        assertThat(errors.get(0).path("message").asText()).isNotEmpty();
        assertThat(history.get().toString()).doesNotContain(password);
        JsonNode first = history.get().path("samples").get(0);
        assertThat(first.path("node_height").asLong()).isEqualTo(-1);
        assertThat(first.path("lag").asLong()).isEqualTo(-1);
    }
}
