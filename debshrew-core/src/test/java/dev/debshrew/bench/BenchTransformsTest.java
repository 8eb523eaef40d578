package dev.debshrew.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.cdc.CdcPayload;
import dev.debshrew.cdc.Operation;
import dev.debshrew.devnet.DevnetBlock;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.testing.Examples;
import dev.debshrew.transform.BlockContext;
import dev.debshrew.transform.BlockOutput;
import dev.debshrew.transform.StateChanges;
import dev.debshrew.transform.StateReader;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLimits;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The benchmark transforms (examples/assemblyscript/examples/bench_*.ts, real .wasm on Chicory) over
 * devnet blocks, with their views answered by a real devnet through the metashrew client: message
 * counts and shapes, and that their output materialises consistently (every update and delete finds
 * the row its before-image describes).
 */
@Timeout(120)
class BenchTransformsTest {

    private DevnetServer devnet;
    private MetashrewClient client;
    private final Map<String, byte[]> state = new HashMap<>();
    private final Map<String, JsonNode> rows = new HashMap<>();
    private final List<String> viewCalls = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        devnet = DevnetServer.builder().seed(5).initialHeight(20).build().start(0);
        client = MetashrewClient.builder(devnet.url()).build();
        client.detectVersionLine(); // its probes are not the transforms' calls
        devnet.clearRequests();
    }

    @AfterEach
    void stop() {
        client.close();
        devnet.close();
    }

    private static String k(byte[] key) {
        return new String(key, StandardCharsets.UTF_8);
    }

    private String stateString(String key) {
        byte[] v = state.get(key);
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }

    /** Runs block {@code h}, commits its state changes and returns its output. */
    private BlockOutput run(Transform t, long h) throws Exception {
        DevnetBlock b = devnet.block(h);
        StateReader reader = key -> state.get(k(key));
        viewCalls.clear();
        BlockOutput out = t.process(BlockContext.of(h, b.hash()), (name, input, height) -> {
            assertThat(height).isEqualTo(h);
            viewCalls.add(name + "(" + new String(input, StandardCharsets.UTF_8) + ")");
            return client.view(name, input, height);
        }, reader);
        for (StateChanges.Entry e : out.stateChanges().entries()) {
            if (e.isDelete()) {
                state.remove(k(e.key()));
            } else {
                state.put(k(e.key()), e.value());
            }
        }
        for (CdcMessage m : out.messages()) {
            assertThat(m.header().blockHeight()).isEqualTo(h);
            assertThat(m.header().blockHash()).isEqualTo(b.hash());
            assertThat(m.header().timestamp()).isEqualTo(b.time() * 1000);
            materialise(m.payload());
        }
        return out;
    }

    /** Applies a message as a materialised table would, failing on any inconsistency. */
    private void materialise(CdcPayload p) {
        String id = p.table() + "/" + p.key();
        JsonNode current = rows.get(id);
        switch (p.operation()) {
            case CREATE -> {
                assertThat(current).as("create of %s, which exists", id).isNull();
                rows.put(id, p.after());
            }
            case UPDATE -> {
                assertThat(p.before()).as("before-image of the update of %s", id).isEqualTo(current).isNotNull();
                rows.put(id, p.after());
            }
            case DELETE -> {
                assertThat(p.before()).as("before-image of the delete of %s", id).isEqualTo(current).isNotNull();
                rows.remove(id);
            }
            default -> throw new AssertionError("unexpected operation " + p.operation());
        }
    }

    @Test
    void benchMessagesEmits500MixedMessagesPerBlockOverABoundedKeySpace() throws Exception {
        try (Transform t = Transform.load(Examples.assemblyScript("bench_messages"), TransformLimits.defaults())) {
            for (long h = 0; h <= 16; h++) {
                BlockOutput out = run(t, h);
                assertThat(out.messages()).hasSize(500);
                Map<Operation, Integer> ops = new EnumMap<>(Operation.class);
                for (CdcMessage m : out.messages()) {
                    assertThat(m.header().source()).isEqualTo("bench_messages");
                    assertThat(m.payload().table()).isEqualTo("bench_rows");
                    assertThat(m.payload().key()).matches("k\\d+");
                    int key = Integer.parseInt(m.payload().key().substring(1));
                    assertThat(key).isBetween(0, 1999);
                    JsonNode row = m.payload().operation() == Operation.DELETE ? m.payload().before() : m.payload().after();
                    assertThat(row.fieldNames()).toIterable().containsExactly("h", "k", "tag", "v");
                    assertThat(row.get("k").asInt()).isEqualTo(key);
                    ops.merge(m.payload().operation(), 1, Integer::sum);
                }
                if (h < 4) {
                    assertThat(ops).containsOnlyKeys(Operation.CREATE); // first touch of each key
                } else if (h >= 8) {
                    assertThat(ops).as("block %d", h).containsKeys(Operation.CREATE, Operation.UPDATE, Operation.DELETE);
                    assertThat(ops.values()).allSatisfy(n -> assertThat(n).isGreaterThan(100));
                }
                assertThat(stateString("bench_messages:count")).isEqualTo(Long.toString(500 * (h + 1)));
                assertThat(stateString("bench_messages:last")).isEqualTo(Long.toString(h));
                assertThat(out.stateChanges().size()).isEqualTo(2);
                assertThat(viewCalls).containsExactly("getblock()");
            }
        }
        assertThat(rows.size()).as("live rows stay within the key space").isBetween(1000, 2000);
        assertThat(devnet.requestCount("metashrew_view")).isEqualTo(17);
    }

    @Test
    void benchViewsCallsFourViewsPerBlockAndWritesAKeyEveryBlock() throws Exception {
        long txs = 0;
        Map<Long, Integer> blocksByTxCount = new HashMap<>();
        try (Transform t = Transform.load(Examples.assemblyScript("bench_views"), TransformLimits.defaults())) {
            for (long h = 0; h <= 12; h++) {
                long viewsBefore = devnet.requestCount("metashrew_view");
                BlockOutput out = run(t, h);
                assertThat(viewCalls).containsExactly("getblock()", "getblock(a)", "getblock(b)", "blocktracker()");
                assertThat(devnet.requestCount("metashrew_view") - viewsBefore).as("view requests of block %d", h).isEqualTo(4);
                DevnetBlock b = devnet.block(h);
                long txCount = b.txids().size();
                txs += txCount;
                blocksByTxCount.merge(txCount, 1, Integer::sum);

                List<String> tables = new ArrayList<>();
                out.messages().forEach(m -> tables.add(m.payload().table()));
                assertThat(tables).containsExactly("bench_blocks", "bench_totals", "bench_tx_counts", "bench_first_bytes");
                JsonNode blockRow = out.messages().get(0).payload().after();
                assertThat(out.messages().get(0).payload().key()).isEqualTo(Long.toString(h));
                assertThat(blockRow.get("hash").asText()).isEqualTo(b.hash());
                assertThat(blockRow.get("tx_count").asLong()).isEqualTo(txCount);
                assertThat(blockRow.get("size").asInt()).isEqualTo(b.raw().length);
                assertThat(blockRow.get("tracker").asInt()).isEqualTo(Integer.parseInt(b.hash().substring(0, 2), 16));

                CdcPayload totals = out.messages().get(1).payload();
                assertThat(totals.operation()).isEqualTo(h == 0 ? Operation.CREATE : Operation.UPDATE);
                assertThat(totals.after().get("n").asLong()).isEqualTo(txs);
                assertThat(totals.after().get("last").asLong()).isEqualTo(h);
                CdcPayload byCount = out.messages().get(2).payload();
                assertThat(byCount.key()).isEqualTo("tx" + txCount);
                assertThat(byCount.after().get("n").asInt()).isEqualTo(blocksByTxCount.get(txCount));
                assertThat(out.messages().get(3).payload().key()).isEqualTo(b.hash().substring(0, 2));

                assertThat(out.stateChanges().contains("bench_views:bench_totals:all".getBytes(StandardCharsets.UTF_8)))
                        .as("block %d writes the key every block writes", h).isTrue();
                assertThat(out.stateChanges().size()).isEqualTo(3);
            }
        }
        assertThat(stateString("bench_views:bench_totals:all")).contains("\"n\":" + txs);
        assertThat(blocksByTxCount).as("devnet blocks vary in transaction count").hasSizeGreaterThan(1);
    }
}
