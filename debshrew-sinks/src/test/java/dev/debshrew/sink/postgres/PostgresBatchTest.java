package dev.debshrew.sink.postgres;

import static dev.debshrew.sink.TestMessages.create;
import static dev.debshrew.sink.TestMessages.cursor;
import static dev.debshrew.sink.TestMessages.delete;
import static dev.debshrew.sink.TestMessages.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.cdc.Inversion;
import dev.debshrew.sink.BlockChange;
import dev.debshrew.sink.SinkBatch;
import dev.debshrew.sink.SinkException;
import dev.debshrew.sink.TestMessages;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PostgresSink committing batches of several blocks: the result equals committing the same
 * blocks one by one, a batch is atomic, a retried batch whose commit landed is not written twice,
 * and a batch costs a bounded number of statements.
 */
class PostgresBatchTest {

    private static final AtomicInteger SEQ = new AtomicInteger();
    private static EmbeddedPostgres pg;
    private static String url;

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgres.builder().start();
        url = pg.getJdbcUrl("postgres", "postgres");
    }

    @AfterAll
    static void stop() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    private static Map<String, Object> config(String mode) {
        int n = SEQ.incrementAndGet();
        Map<String, Object> c = new HashMap<>();
        c.put("url", url);
        c.put("schema", "b" + n);
        c.put("pipeline", "bp" + n);
        c.put("mode", mode);
        if (mode.equals("materialized")) {
            c.put("columns", Map.of("coins", Map.of(
                "amount", Map.of("type", "bigint", "path", "amount"),
                "owner", Map.of("type", "text", "path", "owner.name"),
                "tags", Map.of("type", "jsonb", "path", "tags"))));
        }
        return c;
    }

    /** Every row of {@code sql}, each as its columns' text joined by '|'. */
    private static List<String> query(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    sb.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                out.add(sb.toString());
            }
        }
        return out;
    }

    /** The content a sink wrote: every materialized table or the changelog, without ids or pipeline. */
    private static List<String> content(Map<String, Object> c) throws SQLException {
        String s = (String) c.get("schema");
        if ("changelog".equals(c.get("mode"))) {
            return query("SELECT block_height, block_hash, idx, operation, tbl, key, payload::text, inverse FROM " + s
                    + ".cdc_events ORDER BY id");
        }
        List<String> out = new ArrayList<>();
        out.addAll(query("SELECT key, data::text, block_height, block_hash, amount, owner, tags::text FROM " + s
                + ".coins ORDER BY key"));
        out.add("--");
        out.addAll(query("SELECT key, data::text, block_height, block_hash FROM " + s + ".notes ORDER BY key"));
        return out;
    }

    /**
     * 60 blocks on a small key space of two tables: creates, updates, deletes and re-creates of the
     * same keys (also within one block), then the undo of the last 5 blocks, as a reorg would.
     */
    private static List<BlockChange> history() {
        Random r = new Random(42);
        Map<String, String> live = new LinkedHashMap<>(); // "table/key" -> current row JSON
        List<BlockChange> blocks = new ArrayList<>();
        // the scripted case first: one key created, updated, deleted and re-created across blocks
        blocks.add(new BlockChange(cursor(1), List.of(create(1, "coins", "once", "{\"amount\":1}"))));
        blocks.add(new BlockChange(cursor(2), List.of(update(2, "coins", "once", "{\"amount\":1}", "{\"amount\":2}"))));
        blocks.add(new BlockChange(cursor(3), List.of(delete(3, "coins", "once", "{\"amount\":2}"))));
        blocks.add(new BlockChange(cursor(4), List.of(create(4, "coins", "once", "{\"amount\":4,\"tags\":[\"re\"]}"))));
        live.put("coins/once", "{\"amount\":4,\"tags\":[\"re\"]}");
        for (long h = 5; h <= 60; h++) {
            List<CdcMessage> ms = new ArrayList<>();
            int n = r.nextInt(6); // some blocks are empty
            for (int i = 0; i < n; i++) {
                String table = r.nextBoolean() ? "coins" : "notes";
                String key = "k" + r.nextInt(6);
                String id = table + "/" + key;
                String row = "{\"amount\":" + r.nextInt(1000) + (r.nextBoolean() ? ",\"owner\":{\"name\":\"o" + h + "\"}" : "")
                        + (r.nextInt(3) == 0 ? ",\"tags\":[" + i + "]" : "") + "}";
                String before = live.get(id);
                if (before == null) {
                    ms.add(create(h, table, key, row));
                    live.put(id, row);
                } else if (r.nextInt(3) == 0) {
                    ms.add(delete(h, table, key, before));
                    live.remove(id);
                } else {
                    ms.add(update(h, table, key, before, row));
                    live.put(id, row);
                }
            }
            blocks.add(new BlockChange(cursor(h), ms));
        }
        for (int i = 0; i < 5; i++) {
            BlockChange undone = blocks.get(59 - i);
            long h = undone.cursor().height();
            blocks.add(new BlockChange(cursor(h - 1), Inversion.invertBlock(undone.messages(), cursor(h - 1).hash(), 0)));
        }
        return blocks;
    }

    @Test
    void batchesEndInExactlyTheStateOfCommittingTheBlocksOneByOne() throws Exception {
        List<BlockChange> history = history();
        for (String mode : List.of("materialized", "changelog")) {
            Map<String, Object> one = config(mode);
            Map<String, Object> grouped = config(mode);
            grouped.put("batch_size", 3); // several statements per table and batch too
            try (PostgresSink a = PostgresSink.create(one); PostgresSink b = PostgresSink.create(grouped)) {
                a.open();
                b.open();
                for (BlockChange block : history) {
                    a.commit(SinkBatch.of(block));
                }
                Random r = new Random(7);
                for (int from = 0; from < history.size(); ) {
                    int to = Math.min(history.size(), from + 1 + r.nextInt(12));
                    b.commit(SinkBatch.of(history.subList(from, to)));
                    from = to;
                }
            }
            List<String> expected = content(one);
            assertThat(expected).as(mode).hasSizeGreaterThan(10);
            assertThat(content(grouped)).as(mode).isEqualTo(expected);
            assertThat(query("SELECT height, hash FROM " + grouped.get("schema") + ".debshrew_cursor"))
                    .containsExactly("55|" + cursor(55).hash());
            if (mode.equals("materialized")) {
                // the scripted key: created, updated, deleted and re-created
                assertThat(query("SELECT data::text, block_height, amount, owner, tags::text FROM " + grouped.get("schema")
                        + ".coins WHERE key = 'once'")).containsExactly("{\"tags\": [\"re\"], \"amount\": 4}|4|4|null|[\"re\"]");
            }
        }
    }

    @Test
    void aRetriedBatchWhoseCommitLandedButWasReportedFailedIsNotWrittenTwice() throws Exception {
        Map<String, Object> c = config("changelog");
        String schema = (String) c.get("schema");
        try (PostgresSink sink = PostgresSink.create(c)) {
            sink.open();
            TestMessages.commitBlock(sink, cursor(1), create(1, "t", "a", "{}"));
            SinkBatch batch = SinkBatch.of(List.of(
                    new BlockChange(cursor(2), List.of(create(2, "t", "b", "{}"), create(2, "t", "c", "{}"))),
                    new BlockChange(cursor(3), List.of(delete(3, "t", "b", "{}")))));
            sink.afterCommitForTest = () -> {
                throw new SQLException("simulated: connection lost before the COMMIT reply", "08006");
            };
            assertThatThrownBy(() -> sink.commit(batch))
                    .isInstanceOfSatisfying(SinkException.class, e -> assertThat(e.isRetriable()).isTrue());
            sink.afterCommitForTest = null;
            sink.commit(batch); // the retry: recognised by its cursor
            TestMessages.commitBlock(sink, cursor(4), create(4, "t", "d", "{}"));
        }
        assertThat(query("SELECT block_height, idx, key FROM " + schema + ".cdc_events ORDER BY id"))
                .containsExactly("1|0|a", "2|0|b", "2|1|c", "3|0|b", "4|0|d");
        try (PostgresSink sink = PostgresSink.create(c)) {
            assertThat(sink.open()).contains(cursor(4));
        }
    }

    @Test
    void aBatchCostsABoundedNumberOfStatementsWhateverItsBlocks() throws Exception {
        for (String mode : List.of("materialized", "changelog")) {
            Map<String, Object> c = config(mode);
            try (PostgresSink sink = PostgresSink.create(c)) {
                sink.open();
                // first batch: creates the tables
                TestMessages.commitBlock(sink, cursor(1), create(1, "coins", "x", "{}"), create(1, "notes", "x", "{}"));
                List<BlockChange> blocks = new ArrayList<>();
                for (long h = 2; h <= 21; h++) {
                    List<CdcMessage> ms = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        String table = i % 2 == 0 ? "coins" : "notes";
                        String key = "k" + (i % 30);
                        ms.add(i % 7 == 0 ? delete(h, table, key, "{}")
                                : update(h, table, key, "{}", "{\"amount\":" + (h * 100 + i) + "}"));
                    }
                    blocks.add(new BlockChange(cursor(h), ms));
                }
                SinkBatch batch = SinkBatch.of(blocks);
                assertThat(batch.messageCount()).isEqualTo(1000);
                sink.commit(batch);
                // the cursor's compare-and-set, then per table at most one DELETE and one upsert
                // (materialized) or one INSERT for the whole batch (changelog)
                assertThat(sink.lastCommitStatements()).as(mode).isLessThanOrEqualTo(mode.equals("changelog") ? 2 : 5);
                assertThat(sink.lastCommitStatements()).as(mode).isGreaterThanOrEqualTo(2);
            }
        }
    }
}
