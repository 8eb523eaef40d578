package dev.debshrew.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.debshrew.metashrew.VersionLine;
import dev.debshrew.util.Hex;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(60)
class DevnetServerTest {

    private final List<DevnetServer> servers = new ArrayList<>();

    private DevnetServer start(VersionLine line, long height) throws IOException {
        DevnetServer s = DevnetServer.builder().versionLine(line).seed(3).initialHeight(height).build().start(0);
        servers.add(s);
        return s;
    }

    @AfterEach
    void stop() {
        servers.forEach(DevnetServer::close);
    }

    @Test
    void transportRules() throws Exception {
        DevnetServer s = start(VersionLine.CURRENT, 5);
        assertThat(s.url()).startsWith("http://127.0.0.1:").endsWith("/");
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"metashrew_height\",\"params\":[]}";
        assertThat(RawRpc.post(s.url(), null, body).statusCode()).isEqualTo(400);
        assertThat(RawRpc.post(s.url(), "text/plain", body).statusCode()).isEqualTo(400);
        assertThat(RawRpc.post(s.url(), "application/json; charset=utf-8", body).statusCode()).isEqualTo(200);
        // any path
        HttpResponse<String> r = RawRpc.post(s.url() + "gateway/v1/some-key", "application/json", body);
        assertThat(RawRpc.MAPPER.readTree(r.body()).get("result").asText()).isEqualTo("5");
        assertThat(s.requests().get(s.requests().size() - 1).path()).isEqualTo("/gateway/v1/some-key");
        // id echoed as given, string ids too
        r = RawRpc.post(s.url(), "application/json", "{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":\"metashrew_height\",\"params\":[]}");
        assertThat(RawRpc.MAPPER.readTree(r.body()).get("id").asText()).isEqualTo("abc");
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        // body limit
        String big = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":[\"" + "a".repeat(DevnetServer.MAX_BODY_BYTES) + "\"]}";
        assertThat(RawRpc.post(s.url(), "application/json", big).statusCode()).isEqualTo(413);
        // parse error
        r = RawRpc.post(s.url(), "application/json", "{not json");
        assertThat(RawRpc.MAPPER.readTree(r.body()).at("/error/code").asInt()).isEqualTo(-32700);
    }

    @Test
    void heightShapePerVersionLine() throws Exception {
        assertThat(RawRpc.result(start(VersionLine.V8, 12).url(), "metashrew_height", "[]").isTextual()).isTrue();
        assertThat(RawRpc.result(start(VersionLine.V8, 12).url(), "metashrew_height", "[]").asText()).isEqualTo("13");
        JsonNode rc = RawRpc.result(start(VersionLine.RC, 12).url(), "metashrew_height", "[]");
        assertThat(rc.isNumber()).isTrue();
        assertThat(rc.asLong()).isEqualTo(12);
        assertThat(RawRpc.result(start(VersionLine.RC11, 12).url(), "metashrew_height", "[]").asText()).isEqualTo("12");
        JsonNode cur = RawRpc.result(start(VersionLine.CURRENT, 12).url(), "metashrew_height", "[]");
        assertThat(cur.isTextual()).isTrue();
        assertThat(cur.asText()).isEqualTo("12");
    }

    @ParameterizedTest
    @EnumSource(value = VersionLine.class, names = {"V8", "RC", "RC11", "CURRENT"})
    void blockHashAndErrors(VersionLine line) throws Exception {
        DevnetServer s = start(line, 8);
        String url = s.url();
        assertThat(RawRpc.result(url, "metashrew_getblockhash", "[3]").asText()).isEqualTo("0x" + s.chain().block(0, 3).hash());
        JsonNode nf = RawRpc.call(url, "metashrew_getblockhash", "[9]");
        assertThat(nf.at("/error/code").asInt()).isEqualTo(-32000);
        assertThat(nf.at("/error/message").asText()).isEqualTo("Storage error: Block hash not found for height 9");
        JsonNode unknown = RawRpc.call(url, "metashrew_nope", "[]");
        boolean v9 = line == VersionLine.RC11 || line == VersionLine.CURRENT;
        assertThat(unknown.at("/error/code").asInt()).isEqualTo(v9 ? -32000 : -32601);
        assertThat(unknown.at("/error/message").asText()).isEqualTo(v9 ? "Generic error: Method not found" : "Method not found");
        JsonNode view = RawRpc.call(url, "metashrew_view", "[\"nosuch\",\"0x\",\"latest\"]");
        assertThat(view.at("/error/message").asText())
                .isEqualTo("View function error: View function failed: Failed to get view function 'nosuch'");
        JsonNode hex = RawRpc.call(url, "metashrew_view", "[\"blocktracker\",\"0xzz\",\"latest\"]");
        assertThat(hex.at("/error/message").asText()).startsWith("Serialization error: Invalid hex input: ");
        JsonNode root = RawRpc.call(url, "metashrew_stateroot", "[\"latest\"]");
        if (line == VersionLine.V8) {
            assertThat(root.at("/error/code").asInt()).isEqualTo(-32601);
        } else {
            assertThat(root.get("result").asText()).matches("0x[0-9a-f]{64}");
            JsonNode snap = RawRpc.MAPPER.readTree(RawRpc.result(url, "metashrew_snapshot", "[]").asText());
            assertThat(snap.get("height").asLong()).isEqualTo(8);
        }
    }

    @Test
    void viewHeightParsingPerVersionLine() throws Exception {
        // current: string or integer; fractional rejected
        String cur = start(VersionLine.CURRENT, 10).url();
        assertThat(RawRpc.result(cur, "metashrew_view", "[\"blocktracker\",\"\",\"4\"]").asText()).hasSize(2 + 2 * 5);
        assertThat(RawRpc.result(cur, "metashrew_view", "[\"blocktracker\",\"0x\",4]").asText()).hasSize(2 + 2 * 5);
        assertThat(RawRpc.result(cur, "metashrew_view", "[\"blocktracker\",\"0x\",\"latest\"]").asText()).hasSize(2 + 2 * 11);
        assertThat(RawRpc.result(cur, "metashrew_view", "[\"blocktracker\",\"0x\",\"99\"]").asText()).hasSize(2 + 2 * 11);
        assertThat(RawRpc.call(cur, "metashrew_view", "[\"blocktracker\",\"0x\",0.5]").at("/error/message").asText())
                .contains("Invalid height");
        // rc11: an integer is silently latest
        String rc11 = start(VersionLine.RC11, 10).url();
        assertThat(RawRpc.result(rc11, "metashrew_view", "[\"blocktracker\",\"0x\",\"4\"]").asText()).hasSize(2 + 2 * 5);
        assertThat(RawRpc.result(rc11, "metashrew_view", "[\"blocktracker\",\"0x\",4]").asText()).hasSize(2 + 2 * 11);
        assertThat(RawRpc.call(rc11, "metashrew_view", "[\"nosuch\",\"0x\",0.5]").at("/error/message").asText())
                .contains("Failed to get view function");
        // v8 / rc: integer or latest; decimal strings rejected with -32602
        for (VersionLine line : new VersionLine[] {VersionLine.V8, VersionLine.RC}) {
            String u = start(line, 10).url();
            assertThat(RawRpc.result(u, "metashrew_view", "[\"blocktracker\",\"0x\",4]").asText()).hasSize(2 + 2 * 5);
            assertThat(RawRpc.result(u, "metashrew_view", "[\"blocktracker\",\"0x\",\"latest\"]").asText()).hasSize(2 + 2 * 11);
            assertThat(RawRpc.call(u, "metashrew_view", "[\"blocktracker\",\"0x\",\"4\"]").at("/error/code").asInt()).isEqualTo(-32602);
        }
    }

    @Test
    void viewsServeHistoricState() throws Exception {
        DevnetServer s = start(VersionLine.CURRENT, 6);
        byte[] tracker = Hex.decode(RawRpc.result(s.url(), "metashrew_view", "[\"blocktracker\",\"0x\",\"latest\"]").asText());
        assertThat(tracker).hasSize(7);
        for (int h = 0; h <= 6; h++) {
            assertThat(tracker[h]).isEqualTo((byte) Integer.parseInt(s.chain().block(0, h).hash().substring(0, 2), 16));
            byte[] raw = Hex.decode(RawRpc.result(s.url(), "metashrew_view", "[\"getblock\",\"0x\",\"" + h + "\"]").asText());
            assertThat(raw).isEqualTo(s.chain().block(0, h).raw());
        }
        s.mine(2);
        assertThat(Hex.decode(RawRpc.result(s.url(), "metashrew_view", "[\"blocktracker\",\"0x\",\"latest\"]").asText())).hasSize(9);
        assertThat(Hex.decode(RawRpc.result(s.url(), "metashrew_view", "[\"blocktracker\",\"0x\",\"6\"]").asText())).isEqualTo(tracker);
    }

    @Test
    void v8DropsTheConnectionWhenParamsAreMissing() throws Exception {
        DevnetServer s = start(VersionLine.V8, 3);
        assertThatThrownBy(() -> RawRpc.call(s.url(), "metashrew_height", null)).isInstanceOf(IOException.class);
        assertThat(RawRpc.result(s.url(), "metashrew_height", "[]").asText()).isEqualTo("4");
        DevnetServer c = start(VersionLine.CURRENT, 3);
        assertThat(RawRpc.result(c.url(), "metashrew_height", null).asText()).isEqualTo("3");
    }

    @Test
    void instantReorgSwitchesHashesWithoutDroppingHeight() throws Exception {
        DevnetServer s = start(VersionLine.CURRENT, 10);
        String old8 = s.blockHash(8);
        String old7 = s.blockHash(7);
        assertThat(s.reorg(3, 4, ReorgStyle.INSTANT)).isDone();
        assertThat(s.height()).isEqualTo(11);
        assertThat(s.reorgPhase()).isEqualTo(ReorgPhase.DONE);
        assertThat(RawRpc.result(s.url(), "metashrew_getblockhash", "[7]").asText()).isEqualTo("0x" + old7);
        String new8 = RawRpc.result(s.url(), "metashrew_getblockhash", "[8]").asText();
        assertThat(new8).isNotEqualTo("0x" + old8).isEqualTo("0x" + s.chain().block(s.branch(), 8).hash());
        assertThat(s.block(8).prevHash()).isEqualTo(old7);
        assertThatThrownBy(() -> s.reorg(12, 1, ReorgStyle.INSTANT)).hasMessageContaining("depth must be within 1..11");
    }

    @Test
    void reorgToSwitchesBackToAnEarlierBranchOneBlockLonger() throws Exception {
        DevnetServer s = start(VersionLine.CURRENT, 10);
        String a8 = s.blockHash(8);
        String a10 = s.blockHash(10);
        s.reorg(3, 3, ReorgStyle.INSTANT);
        assertThat(s.blockHash(8)).isNotEqualTo(a8);
        assertThat(s.reorgTo(0, ReorgStyle.INSTANT)).isDone();
        assertThat(s.branch()).isZero();
        assertThat(s.height()).isEqualTo(11);
        assertThat(s.blockHash(8)).isEqualTo(a8);
        assertThat(RawRpc.result(s.url(), "metashrew_getblockhash", "[10]").asText()).isEqualTo("0x" + a10);
        assertThat(s.block(11).prevHash()).isEqualTo(a10);
        assertThatThrownBy(() -> s.reorgTo(0, ReorgStyle.INSTANT)).hasMessageContaining("than the current 0");
        assertThatThrownBy(() -> s.reorgTo(7, ReorgStyle.INSTANT)).hasMessageContaining("got 7");
    }

    @Test
    void phasedReorgGoesThroughAllPhasesWithStaleHashes() throws Exception {
        DevnetServer s = start(VersionLine.CURRENT, 10);
        String url = s.url();
        List<String> oldHashes = new ArrayList<>();
        for (int h = 0; h <= 10; h++) {
            oldHashes.add(s.blockHash(h));
        }
        ReorgTiming timing = new ReorgTiming(Duration.ofMillis(300), Duration.ofMillis(400), Duration.ofMillis(250));
        CompletableFuture<Void> done = s.reorg(3, 4, ReorgStyle.PHASED, timing);
        // phase 1: still the old branch
        assertThat(s.reorgPhase()).isEqualTo(ReorgPhase.SERVING_OLD);
        assertThat(RawRpc.result(url, "metashrew_height", "[]").asText()).isEqualTo("10");
        assertThat(RawRpc.result(url, "metashrew_getblockhash", "[10]").asText()).isEqualTo("0x" + oldHashes.get(10));
        // phase 2: metadata calls block, then the height drops to the ancestor
        waitFor(s, ReorgPhase.ROLLING_BACK);
        long t0 = System.nanoTime();
        assertThat(RawRpc.result(url, "metashrew_height", "[]").asText()).isEqualTo("7");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThan(Duration.ofMillis(100));
        // phase 3: stale old-branch hashes above the tip while re-indexing
        assertThat(s.reorgPhase()).isEqualTo(ReorgPhase.REINDEXING);
        long tip = Long.parseLong(RawRpc.result(url, "metashrew_height", "[]").asText());
        assertThat(tip).isBetween(7L, 8L);
        assertThat(RawRpc.result(url, "metashrew_getblockhash", "[10]").asText()).isEqualTo("0x" + oldHashes.get(10));
        assertThat(RawRpc.result(url, "metashrew_getblockhash", "[9]").asText()).isEqualTo("0x" + oldHashes.get(9));
        List<Long> seen = new ArrayList<>();
        while (!done.isDone()) {
            long h = Long.parseLong(RawRpc.result(url, "metashrew_height", "[]").asText());
            if (seen.isEmpty() || seen.get(seen.size() - 1) != h) {
                seen.add(h);
                if (h < 10) {
                    assertThat(RawRpc.result(url, "metashrew_getblockhash", "[10]").asText()).isEqualTo("0x" + oldHashes.get(10));
                }
                assertThat(RawRpc.result(url, "metashrew_getblockhash", "[" + h + "]").asText())
                        .isEqualTo("0x" + s.chain().block(s.branch(), h).hash());
            }
            Thread.sleep(20);
        }
        seen.add(Long.parseLong(RawRpc.result(url, "metashrew_height", "[]").asText()));
        assertThat(seen).isSorted();
        assertThat(seen.size()).isGreaterThanOrEqualTo(3);
        assertThat(seen.get(seen.size() - 1)).isEqualTo(11);
        // phase 4: new branch served; nothing stale above the tip
        assertThat(s.reorgPhase()).isEqualTo(ReorgPhase.DONE);
        assertThat(RawRpc.result(url, "metashrew_getblockhash", "[8]").asText()).isNotEqualTo("0x" + oldHashes.get(8));
        assertThat(RawRpc.call(url, "metashrew_getblockhash", "[12]").has("error")).isTrue();
        assertThat(RawRpc.result(url, "metashrew_getblockhash", "[7]").asText()).isEqualTo("0x" + oldHashes.get(7));
    }

    @Test
    void miningDuringPhasedReorgExtendsTheNewBranch() throws Exception {
        DevnetServer s = start(VersionLine.CURRENT, 5);
        CompletableFuture<Void> done = s.reorg(2, 2, ReorgStyle.PHASED,
                new ReorgTiming(Duration.ZERO, Duration.ZERO, Duration.ofMillis(30)));
        assertThatThrownBy(() -> s.reorg(1, 1, ReorgStyle.INSTANT)).isInstanceOf(IllegalStateException.class);
        s.mine(2);
        assertThat(s.awaitReorg(Duration.ofSeconds(10))).isTrue();
        assertThat(done).isDone();
        assertThat(s.height()).isEqualTo(7);
        assertThat(s.blockHash(7)).isEqualTo(s.chain().block(s.branch(), 7).hash());
    }

    @Test
    void faultsAreInjectedAndCounted() throws Exception {
        DevnetServer s = start(VersionLine.CURRENT, 4);
        String url = s.url();
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"metashrew_height\",\"params\":[]}";
        s.inject(Fault.http500().times(2));
        assertThat(RawRpc.post(url, "application/json", body).statusCode()).isEqualTo(500);
        assertThat(RawRpc.post(url, "application/json", body).statusCode()).isEqualTo(500);
        assertThat(RawRpc.post(url, "application/json", body).statusCode()).isEqualTo(200);
        s.inject(Fault.malformedJson());
        HttpResponse<String> bad = RawRpc.post(url, "application/json", body);
        assertThatThrownBy(() -> RawRpc.MAPPER.readTree(bad.body())).isInstanceOf(IOException.class);
        s.inject(Fault.dropConnection());
        assertThatThrownBy(() -> RawRpc.post(url, "application/json", body)).isInstanceOf(IOException.class);
        s.inject(Fault.heightBackwards(3));
        assertThat(RawRpc.result(url, "metashrew_height", "[]").asText()).isEqualTo("1");
        assertThat(RawRpc.result(url, "metashrew_height", "[]").asText()).isEqualTo("4");
        // per-method: other methods are not affected
        s.inject(Fault.http500().forMethod("metashrew_getblockhash"));
        assertThat(RawRpc.post(url, "application/json", body).statusCode()).isEqualTo(200);
        assertThat(RawRpc.post(url, "application/json",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"metashrew_getblockhash\",\"params\":[1]}").statusCode()).isEqualTo(500);
        s.inject(Fault.latency(Duration.ofMillis(200)));
        long t0 = System.nanoTime();
        assertThat(RawRpc.post(url, "application/json", body).statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(190));
        assertThat(s.activeFaults()).isEmpty();
        assertThat(s.requestCount("metashrew_height")).isEqualTo(9);
        assertThat(s.requestCount("metashrew_getblockhash")).isEqualTo(1);
        assertThat(s.requestCount()).isEqualTo(10);
    }

    @Test
    void probabilisticFaultsAreSeededAndDeterministic() throws Exception {
        List<List<Integer>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            DevnetServer s = start(VersionLine.CURRENT, 2);
            s.inject(Fault.http500().withProbability(0.5));
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                statuses.add(RawRpc.post(s.url(), "application/json",
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"metashrew_height\",\"params\":[]}").statusCode());
            }
            runs.add(statuses);
            s.clearFaults();
            assertThat(s.activeFaults()).isEmpty();
        }
        assertThat(runs.get(0)).isEqualTo(runs.get(1)).contains(200, 500);
    }

    static void waitFor(DevnetServer s, ReorgPhase phase) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (s.reorgPhase() != phase) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("phase " + phase + " not reached; now " + s.reorgPhase());
            }
            Thread.sleep(5);
        }
    }
}
