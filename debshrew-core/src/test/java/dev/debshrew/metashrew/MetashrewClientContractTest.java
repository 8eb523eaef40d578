package dev.debshrew.metashrew;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.RecordedRequest;
import dev.debshrew.devnet.ReorgPhase;
import dev.debshrew.devnet.ReorgStyle;
import dev.debshrew.devnet.ReorgTiming;
import dev.debshrew.metashrew.MetashrewException.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(60)
class MetashrewClientContractTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final byte[] EMPTY = new byte[0];

    private final List<AutoCloseable> closeables = new ArrayList<>();

    private DevnetServer devnet(VersionLine line, long height) throws Exception {
        DevnetServer s = DevnetServer.builder().versionLine(line).seed(11).initialHeight(height).build().start(0);
        closeables.add(s);
        return s;
    }

    private MetashrewClient client(String url, VersionLine line) {
        MetashrewClient c = MetashrewClient.builder(url).versionLine(line).backoffInitial(Duration.ofMillis(10))
                .backoffMax(Duration.ofMillis(50)).readTimeout(Duration.ofSeconds(10)).build();
        closeables.add(c);
        return c;
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    static Stream<Arguments> lines() {
        List<Arguments> r = new ArrayList<>();
        for (VersionLine l : new VersionLine[] {VersionLine.V8, VersionLine.RC, VersionLine.RC11, VersionLine.CURRENT}) {
            r.add(Arguments.of(l, l));
            r.add(Arguments.of(l, VersionLine.AUTO));
        }
        return r.stream();
    }

    @ParameterizedTest(name = "devnet {0}, client {1}")
    @MethodSource("lines")
    void contract(VersionLine devnetLine, VersionLine clientLine) throws Exception {
        DevnetServer s = devnet(devnetLine, 10);
        MetashrewClient c = client(s.url(), clientLine);
        assertThat(c.versionLine()).isEqualTo(clientLine == VersionLine.AUTO ? VersionLine.AUTO : devnetLine);

        // height normalised: v8 reports 11 (next height), the client says 10
        assertThat(c.height()).isEqualTo(10);
        assertThat(c.versionLine()).isEqualTo(devnetLine);

        // hashes: 0x stripped, display order as the chain
        for (long h = 0; h <= 10; h++) {
            assertThat(c.blockHash(h)).hasSize(64).isEqualTo(s.chain().block(0, h).hash());
        }
        long before = s.requestCount("metashrew_getblockhash");
        assertThatThrownBy(() -> c.blockHash(11)).isInstanceOfSatisfying(MetashrewException.class, e -> {
            assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
            assertThat(e.isRetriable()).isFalse();
        });
        assertThat(s.requestCount("metashrew_getblockhash") - before).isEqualTo(1);

        // views at historic heights
        byte[] tracker10 = c.view("blocktracker", EMPTY, 10);
        assertThat(tracker10).hasSize(11);
        for (int h = 0; h <= 10; h++) {
            assertThat(c.view("blocktracker", EMPTY, h)).hasSize(h + 1).isEqualTo(java.util.Arrays.copyOf(tracker10, h + 1));
            assertThat(c.view("getblock", EMPTY, h)).isEqualTo(s.chain().block(0, h).raw());
        }
        assertThat(c.view("blocktracker", EMPTY, 1_000)).isEqualTo(tracker10); // above tip: tip state

        // after mining, old heights still give the old state (the rc11 trap would return the latest)
        s.mine(3);
        assertThat(c.height()).isEqualTo(13);
        assertThat(c.view("blocktracker", EMPTY, 5)).hasSize(6);
        assertThat(c.view("getblock", EMPTY, 5)).isEqualTo(s.chain().block(0, 5).raw());
        assertThat(c.view("blocktracker", EMPTY, 13)).hasSize(14);

        // the height parameter encoding per line, and the full params list always sent
        for (RecordedRequest r : s.requests()) {
            assertThat(r.params()).as("params of %s", r.method()).isNotNull();
            if ("metashrew_view".equals(r.method()) && r.params().contains("blocktracker")) {
                JsonNode height = MAPPER.readTree(r.params()).get(2);
                if (devnetLine.viewHeightAsString()) {
                    assertThat(height.isTextual()).as("view height on %s: %s", devnetLine, height).isTrue();
                } else {
                    assertThat(height.isIntegralNumber()).as("view height on %s: %s", devnetLine, height).isTrue();
                }
            }
            assertThat(r.headers().get("content-type")).isEqualTo("application/json");
        }

        // deterministic errors: not retried
        long views = s.requestCount("metashrew_view");
        assertThatThrownBy(() -> c.view("nosuchview", EMPTY, 3)).isInstanceOfSatisfying(MetashrewException.class, e -> {
            assertThat(e.kind()).isEqualTo(Kind.RPC_ERROR);
            assertThat(e.isRetriable()).isFalse();
            assertThat(e.rpcErrorCode()).hasValue(-32000);
            assertThat(e.getMessage()).contains("Failed to get view function 'nosuchview'");
        });
        assertThat(s.requestCount("metashrew_view") - views).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(value = VersionLine.class, names = {"V8", "RC", "RC11", "CURRENT"})
    void autoDetectionUsesSideEffectFreeProbes(VersionLine line) throws Exception {
        DevnetServer s = devnet(line, 4);
        MetashrewClient c = client(s.url(), VersionLine.AUTO);
        assertThat(c.detectVersionLine()).isEqualTo(line);
        assertThat(c.versionLine()).isEqualTo(line);
        assertThat(s.requests()).allSatisfy(r -> assertThat(r.method())
                .isIn("metashrew_height", "metashrew_stateroot", "metashrew_view"));
        long n = s.requestCount();
        assertThat(c.detectVersionLine()).isEqualTo(line);
        assertThat(s.requestCount()).isEqualTo(n); // detected once
        assertThat(s.height()).isEqualTo(4);
    }

    @Test
    void rc11IntegerTrapIsAvoided() throws Exception {
        DevnetServer s = devnet(VersionLine.RC11, 20);
        MetashrewClient c = client(s.url(), VersionLine.RC11);
        s.mine(5);
        // an integer would silently be "latest" (26 bytes); the client sends "7" and gets the old state
        assertThat(c.view("blocktracker", EMPTY, 7)).hasSize(8);
        RecordedRequest last = s.requests().get(s.requests().size() - 1);
        assertThat(last.params()).isEqualTo("[\"blocktracker\",\"0x\",\"7\"]");
        // a client wrongly configured as rc sends an integer and falls into the trap (documents the hazard)
        MetashrewClient wrong = client(s.url(), VersionLine.RC);
        assertThat(wrong.view("blocktracker", EMPTY, 7)).hasSize(26);
    }

    @Test
    void urlIsUsedExactlyWithAuthAndHeaders() throws Exception {
        DevnetServer s = devnet(VersionLine.CURRENT, 2);
        String url = s.url() + "gateway/v1/key123";
        MetashrewClient c = MetashrewClient.builder(url).versionLine(VersionLine.CURRENT).basicAuth("alice", "s3cret")
                .header("X-Api-Key", "k1").build();
        closeables.add(c);
        assertThat(c.height()).isEqualTo(2);
        RecordedRequest r = s.requests().get(0);
        assertThat(r.path()).isEqualTo("/gateway/v1/key123");
        assertThat(r.headers().get("authorization")).isEqualTo("Basic " + Base64.getEncoder().encodeToString("alice:s3cret".getBytes()));
        assertThat(r.headers().get("x-api-key")).isEqualTo("k1");
        assertThat(c.config().toString()).doesNotContain("s3cret");
    }

    @Test
    void phasedReorgIsVisibleThroughTheClient() throws Exception {
        DevnetServer s = devnet(VersionLine.CURRENT, 10);
        MetashrewClient c = client(s.url(), VersionLine.CURRENT);
        String old9 = c.blockHash(9);
        s.reorg(3, 4, ReorgStyle.PHASED, new ReorgTiming(Duration.ZERO, Duration.ofMillis(300), Duration.ofMillis(400)));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (s.reorgPhase() != ReorgPhase.ROLLING_BACK && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertThat(s.reorgPhase()).isEqualTo(ReorgPhase.ROLLING_BACK);
        // height blocks during the rollback, then drops to the ancestor (generous read timeout)
        assertThat(c.height()).isEqualTo(7);
        // above the tip the node still has stale old-branch hashes; the client reports what the node says
        assertThat(c.blockHash(9)).isEqualTo(old9);
        assertThat(s.awaitReorg(Duration.ofSeconds(10))).isTrue();
        assertThat(c.height()).isEqualTo(11);
        assertThat(c.blockHash(9)).isNotEqualTo(old9).isEqualTo(s.chain().block(s.branch(), 9).hash());
    }

    @Test
    void statsAndListener() throws Exception {
        DevnetServer s = devnet(VersionLine.CURRENT, 3);
        List<String> events = new ArrayList<>();
        MetashrewClient c = MetashrewClient.builder(s.url()).versionLine(VersionLine.CURRENT).listener(new MetashrewClientListener() {
            @Override
            public void onCallCompleted(String method, Duration latency, int attempts, MetashrewException failure) {
                events.add(method + ":" + attempts + ":" + (failure == null ? "ok" : failure.kind()));
            }
        }).build();
        closeables.add(c);
        c.height();
        c.blockHash(1);
        assertThatThrownBy(() -> c.blockHash(50)).isInstanceOf(MetashrewException.class);
        assertThat(events).containsExactly("metashrew_height:1:ok", "metashrew_getblockhash:1:ok",
                "metashrew_getblockhash:1:RPC_ERROR");
        MethodStats st = c.stats().get("metashrew_getblockhash");
        assertThat(st.calls()).isEqualTo(2);
        assertThat(st.failures()).isEqualTo(1);
        assertThat(st.attempts()).isEqualTo(2);
        assertThat(st.retries()).isZero();
        assertThat(st.totalLatency()).isPositive();
        assertThat(st.maxLatency()).isLessThanOrEqualTo(st.totalLatency());
    }
}
