package dev.debshrew.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Applying a block's messages and then their inverses restores exactly the previous table state. */
class InversionPropertyTest {

    /** Folds messages into table state: table -> key -> row. Fails on an inconsistent message. */
    static void apply(Map<String, Map<String, JsonNode>> tables, CdcMessage m) {
        Map<String, JsonNode> t = tables.computeIfAbsent(m.payload().table(), k -> new HashMap<>());
        String key = m.payload().key();
        switch (m.payload().operation()) {
            case CREATE -> {
                assertThat(t).as("create of existing key %s", key).doesNotContainKey(key);
                t.put(key, m.payload().after());
            }
            case UPDATE -> {
                assertThat(t.get(key)).as("update before-image of %s", key).isEqualTo(m.payload().before());
                t.put(key, m.payload().after());
            }
            case DELETE -> {
                assertThat(t.get(key)).as("delete before-image of %s", key).isEqualTo(m.payload().before());
                t.remove(key);
            }
        }
        if (t.isEmpty()) {
            tables.remove(m.payload().table());
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void blocksFollowedByTheirInversesRestoreState(long seed) {
        Random rnd = new Random(seed);
        Map<String, Map<String, JsonNode>> tables = new HashMap<>();
        List<Map<String, Map<String, JsonNode>>> snapshots = new ArrayList<>();
        List<List<CdcMessage>> blocks = new ArrayList<>();
        for (int h = 1; h <= 12; h++) {
            snapshots.add(deepCopy(tables));
            List<CdcMessage> block = new ArrayList<>();
            int n = rnd.nextInt(15);
            for (int i = 0; i < n; i++) {
                CdcMessage m = randomValidMessage(rnd, tables, h);
                apply(tables, m);
                block.add(m);
            }
            blocks.add(block);
        }
        for (int h = 12; h >= 1; h--) {
            for (CdcMessage inv : Inversion.invertBlock(blocks.get(h - 1), "parent" + (h - 1), 99)) {
                assertThat(inv.header().inverse()).isTrue();
                assertThat(inv.header().blockHeight()).isEqualTo(h - 1);
                apply(tables, inv);
            }
            assertThat(tables).isEqualTo(snapshots.get(h - 1));
        }
        assertThat(tables).isEmpty();
    }

    private static CdcMessage randomValidMessage(Random rnd, Map<String, Map<String, JsonNode>> tables, int h) {
        String table = "t" + rnd.nextInt(3);
        String key = "k" + rnd.nextInt(6);
        JsonNode existing = tables.getOrDefault(table, Map.of()).get(key);
        JsonNode value = IntNode.valueOf(rnd.nextInt(1000));
        CdcPayload p;
        if (existing == null) {
            p = new CdcPayload(Operation.CREATE, table, key, null, value);
        } else if (rnd.nextBoolean()) {
            p = new CdcPayload(Operation.UPDATE, table, key, existing, value);
        } else {
            p = new CdcPayload(Operation.DELETE, table, key, existing, null);
        }
        return new CdcMessage(CdcHeader.of("test", 1, h, "hash" + h, rnd.nextBoolean() ? "tx" : null), p);
    }

    private static Map<String, Map<String, JsonNode>> deepCopy(Map<String, Map<String, JsonNode>> m) {
        Map<String, Map<String, JsonNode>> c = new HashMap<>();
        m.forEach((k, v) -> c.put(k, new HashMap<>(v)));
        return c;
    }
}
