package dev.debshrew.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.config.PipelinesConfig;
import dev.debshrew.daemon.MultiDaemon;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.testing.Examples;
import dev.debshrew.testing.HeadlessChromium;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page of a daemon with several pipelines, in a real browser: it lists every pipeline
 * (state, transform, height) and shows the details of the one selected; a click selects another.
 */
class MultiPipelineStatusPageTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private static void awaitPage(HeadlessChromium browser, String what, String condition) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!browser.evaluate("(() => { try { return !!(" + condition + "); } catch (e) { return false; } })()")
                .asBoolean()) {
            assertThat(System.nanoTime()).as("waiting for the page to show %s; page text:\n%s", what,
                    browser.evaluate("document.body.innerText").asText()).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @Test
    void theStatusPageListsEveryPipelineAndShowsTheSelectedOne() throws Exception {
        Path chromium = HeadlessChromium.find().orElse(null);
        Assumptions.assumeTrue(chromium != null, "chromium not found on the PATH (nor $DEBSHREW_CHROMIUM);"
                + " skipping the browser test");
        try (DevnetServer devnet = DevnetServer.builder().initialHeight(12).build().start(0)) {
            ObjectNode root = DebshrewConfig.emptyTree();
            root.putObject("metashrew").put("url", devnet.url()).put("timeout", 5);
            root.put("state_store", "memory").put("data_dir", dir.resolve("data").toString())
                    .put("poll_interval_ms", 50).put("start_height", 0);
            root.putObject("admin").put("port", 0);
            ArrayNode list = root.putArray("pipelines");
            for (String example : List.of("txindex", "blocks")) {
                ObjectNode e = list.addObject().put("name", example + "-pipe");
                e.putObject("transform").put("path", Examples.assemblyScript(example).toString())
                        .put("compile_cache_dir", "");
                e.putObject("sink").put("type", "file").put("path", dir.resolve(example + ".jsonl").toString());
            }
            MultiDaemon daemon = MultiDaemon.create(PipelinesConfig.read(root, "test"), false);
            String base = "http://127.0.0.1:" + daemon.adminAddress().orElseThrow().getPort();
            AtomicReference<Object> outcome = new AtomicReference<>();
            Thread runner = new Thread(() -> {
                try {
                    outcome.set(daemon.run());
                } catch (InterruptedException e) {
                    outcome.set(e);
                }
            }, "multi-status-page");
            runner.start();
            try (HeadlessChromium browser = HeadlessChromium.start(chromium, 1280, 1300, WAIT)) {
                browser.navigate(base + "/");
                long tip = devnet.height();
                awaitPage(browser, "both pipelines running and caught up",
                        "document.querySelectorAll('#pipelines tbody tr[data-state=\"running\"]').length === 2"
                                + " && document.getElementById('height').textContent === '" + tip + "'");
                assertThat(browser.evaluate("document.getElementById('pipelines-section').hidden").asBoolean())
                        .isFalse();
                assertThat(browser.evaluate("document.getElementById('transform').textContent").asText())
                        .isEqualTo("txindex.wasm");
                assertThat(browser.evaluate("document.querySelector('#pipelines tbody tr[data-pipeline=\"blocks-pipe\"]')"
                        + ".innerText").asText()).contains("blocks.wasm").contains(Long.toString(tip));
                browser.evaluate("document.querySelector('#pipelines tbody tr[data-pipeline=\"blocks-pipe\"]').click()");
                awaitPage(browser, "the selected pipeline's details",
                        "document.getElementById('transform').textContent === 'blocks.wasm'"
                                + " && document.querySelector('#pipelines tbody tr[data-pipeline=\"blocks-pipe\"]')"
                                + ".getAttribute('aria-selected') === 'true'");
            } finally {
                assertThat(daemon.stop(WAIT)).as("every pipeline stopped").isTrue();
                runner.join(WAIT.toMillis());
            }
            assertThat(outcome.get()).isInstanceOf(List.class);
            assertThat((List<?>) outcome.get()).hasSize(2)
                    .allSatisfy(o -> assertThat(((MultiDaemon.Outcome) o).failure()).isNull());
        }
    }
}
