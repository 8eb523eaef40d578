package dev.debshrew.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.debshrew.admin.ModuleReloads;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.daemon.Daemon;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.journal.JournalEntry;
import dev.debshrew.testing.DaemonThread;
import dev.debshrew.testing.Examples;
import dev.debshrew.testing.SwitchedReference;
import dev.debshrew.testing.TableFold;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLimits;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.cdc.CdcCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot reload while the daemon (in-process, pipelined engine with speculation) catches up: the
 * module is swapped in at a block boundary, whatever batch was running, and the output is exactly
 * that of a strictly sequential run whose blocks below the reported height ran with the old module
 * and the rest with the new one; the journal records each block's module. Then the admin
 * endpoint's answers: the same module again changes nothing, a module without the ABI's exports is
 * refused (422) and the new module runs on, a bad body is 400, another method 405.
 */
class HotReloadCatchUpTest {

    @TempDir
    Path dir;

    private static final String TOKEN = "catch-up-reload-token-0123456789";

    private static HttpResponse<String> post(String url, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return CdcCodec.mapper().readTree(r.body());
    }

    @Test
    void swapDuringCatchUpIsExactAtTheReportedHeight() throws Exception {
        Path v1 = Examples.assemblyScript("tally");
        Path v2 = Examples.assemblyScript("tally_v2");
        try (DevnetServer devnet = DevnetServer.builder().seed(812).initialHeight(400).latency(Duration.ofMillis(5))
                .build().start(0);
                Transform a = Transform.load(v1, TransformLimits.defaults());
                Transform b = Transform.load(v2, TransformLimits.defaults())) {
            Path out = dir.resolve("out.jsonl");
            Path config = E2e.writeConfig(dir.resolve("config.json"), devnet, "tally", dir.resolve("data"),
                    dir.resolve("cache"), "rocksdb", E2e.sink("file").put("path", out.toString()));
            ObjectNode cfg = (ObjectNode) CdcCodec.mapper().readTree(config.toFile());
            cfg.putObject("admin").put("port", 0).put("token", TOKEN);
            Files.writeString(config, cfg.toPrettyString());
            Daemon daemon = Daemon.create(DebshrewConfig.load(config));
            String url = "http://127.0.0.1:" + daemon.adminAddress().orElseThrow().getPort() + "/admin/reload";
            ModuleReloads.Report report;
            List<JournalEntry> window;
            try (DaemonThread running = DaemonThread.start(daemon, "hot-reload-daemon")) {
                E2e.await("the first 30 blocks", null, E2e.WAIT, () -> daemon.follower().nextHeight() >= 30);
                report = daemon.reload(v2); // while catching up (the swap waits for the next block boundary)
                assertThat(report.outcome()).as("%s", report).isEqualTo("applied");
                assertThat(report.sha256()).isEqualTo(b.sha256());
                assertThat(report.fromHeight()).as("the height the new module applies from").isNotNull()
                        .isBetween(30L, devnet.height() + 1);
                devnet.mine(4);
                E2e.await("caught up with the devnet tip", null, E2e.WAIT, () -> {
                    var tip = daemon.follower().windowTip();
                    return tip.isPresent() && tip.get().height() == devnet.height()
                            && daemon.follower().nextHeight() == devnet.height() + 1;
                });
                window = daemon.follower().window();

                HttpResponse<String> same = post(url, "{\"module\": \"" + v2 + "\"}");
                assertThat(same.statusCode()).as(same.body()).isEqualTo(200);
                assertThat(json(same).path("outcome").asText()).isEqualTo("unchanged");
                Path noExports = Files.write(dir.resolve("empty.wasm"), new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
                HttpResponse<String> refused = post(url, "{\"module\": \"" + noExports + "\"}");
                assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
                assertThat(json(refused).path("ok").asBoolean(true)).isFalse();
                assertThat(json(refused).path("error").asText()).contains(noExports.toString(), "export");
                assertThat(post(url, "{\"module\": 5}").statusCode()).isEqualTo(400);
                assertThat(post(url, "not json").statusCode()).isEqualTo(400);
                HttpResponse<String> get = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                        .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(get.statusCode()).isEqualTo(405);
                long before = devnet.height();
                devnet.mine(2);
                E2e.await("blocks after the refused reload", null, E2e.WAIT,
                        () -> daemon.follower().nextHeight() == before + 3);
                assertThat(daemon.follower().windowTip().orElseThrow().module()).as("the module still running")
                        .isEqualTo(b.sha256());
            }
            long swap = report.fromHeight();
            for (JournalEntry e : window) {
                assertThat(e.module()).as("module recorded for block %d", e.height())
                        .isEqualTo(e.height() < swap ? a.sha256() : b.sha256());
            }
            List<CdcMessage> reference = SwitchedReference.messages(devnet, h -> h < swap ? a : b);
            TableFold actual = TableFold.ofFile(out);
            assertThat(actual.tables()).as("tables of the run with the swap at %d", swap)
                    .isEqualTo(E2e.fold(reference).tables());
            assertThat(TableFold.readFile(out).stream().map(E2e.CODEC::encode).toList())
                    .as("every message once, in order, none inverse")
                    .isEqualTo(reference.stream().map(E2e.CODEC::encode).toList());
            System.out.printf("hot reload during catch-up: swapped at %d of %d, %d messages exact%n", swap,
                    devnet.height(), reference.size());
        }
    }
}
