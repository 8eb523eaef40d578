package dev.debshrew.sink.postgres;

import static dev.debshrew.sink.TestMessages.create;
import static dev.debshrew.sink.TestMessages.cursor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.Sink;
import dev.debshrew.sink.SinkException;
import dev.debshrew.sink.TestMessages;
import dev.debshrew.sink.SinkFactory;
import dev.debshrew.util.Hex;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PostgreSQL sink's hardening, against a real PostgreSQL that requires a password (SCRAM):
 * the original debshrew's configurations, injective table names, timeouts and the retriable /
 * not-retriable classification of failures.
 */
class PostgresHardeningTest {

    /** The superuser's password; the fixtures under fixtures/original use it (quoted / percent-encoded). */
    static final String PASSWORD = "pw with ' quote";
    private static final AtomicInteger SEQ = new AtomicInteger();

    @TempDir
    static Path dir;
    private static EmbeddedPostgres pg;

    @BeforeAll
    static void start() throws Exception {
        Path data = dir.resolve("pgdata");
        pg = EmbeddedPostgres.builder().setDataDirectory(data).start();
        try (Connection c = DriverManager.getConnection(pg.getJdbcUrl("postgres", "postgres"));
                Statement st = c.createStatement()) {
            st.execute("ALTER USER postgres PASSWORD '" + PASSWORD.replace("'", "''") + "'");
            st.execute("CREATE ROLE weak LOGIN PASSWORD 'weakpw'");
            st.execute("REVOKE CREATE ON DATABASE postgres FROM PUBLIC");
            Path hba = data.resolve("pg_hba.conf");
            Files.writeString(hba, "host all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n");
            st.execute("SELECT pg_reload_conf()");
        }
        // the reload is asynchronous: wait (bounded) until a connection without a password is refused
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try (Connection c = DriverManager.getConnection(pg.getJdbcUrl("postgres", "postgres"))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("pg_hba.conf reload did not take effect");
                }
                Thread.onSpinWait();
            } catch (SQLException expected) {
                break;
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    static String url() {
        return "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres";
    }

    static Connection db() throws SQLException {
        return DriverManager.getConnection(url(), "postgres", PASSWORD);
    }

    /** Config with a fresh schema and pipeline, connecting with a libpq keyword connection string. */
    static Map<String, Object> config() {
        int n = SEQ.incrementAndGet();
        Map<String, Object> c = new HashMap<>();
        c.put("connection_string", "host=127.0.0.1 port=" + pg.getPort() + " dbname=postgres user=postgres password='"
                + PASSWORD.replace("'", "\\'") + "'");
        c.put("schema", "h" + n);
        c.put("pipeline", "hp" + n);
        return c;
    }

    static void write(Sink sink, Cursor cursor, List<CdcMessage> msgs) throws SinkException {
        TestMessages.commitBlock(sink, cursor, msgs);
    }

    static Map<String, Object> fixture(String name) throws Exception {
        try (InputStream in = PostgresHardeningTest.class.getResourceAsStream("/fixtures/original/" + name)) {
            assertThat(in).as(name).isNotNull();
            @SuppressWarnings("unchecked")
            Map<String, Object> m = CdcCodec.mapper().readValue(in, Map.class);
            return m;
        }
    }

    /** The original debshrew's PostgreSQL sink configs (keyword and URI form) work unchanged. */
    @Test
    void originalPostgresConfigsAreAcceptedAndWork() throws Exception {
        int i = 0;
        for (String name : List.of("postgres-sink.json", "postgresql-sink-uri.json")) {
            Map<String, Object> m = new HashMap<>(fixture(name));
            m.put("connection_string", ((String) m.get("connection_string")).replace(":5432", ":" + pg.getPort())
                    .replace("port=5432", "port=" + pg.getPort()));
            try (Sink sink = SinkFactory.create((String) m.get("type"), m)) {
                assertThat(sink).isInstanceOf(PostgresSink.class);
                assertThat(sink.toString() + ((PostgresSink) sink).config()).doesNotContain("quote");
                long next = sink.open().map(c -> c.height() + 1).orElse(1L);
                write(sink, cursor(next), List.of(create(next, "original", "k" + i, "{\"fixture\":\"" + name + "\"}")));
            }
            try (Connection c = db(); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT data->>'fixture' FROM public.original WHERE key = 'k" + i + "'")) {
                assertThat(rs.next()).as(name).isTrue();
                assertThat(rs.getString(1)).isEqualTo(name);
            }
            i++;
        }
    }

    /** Names that collided under the old mapping (cut + "_" + 8 hex digits, NUL → "_") land in different tables. */
    @Test
    void craftedTableNamesLandInDifferentTables() throws Exception {
        String longName = "x".repeat(80);
        String nulName = "a\u0000b";
        List<String> names = List.of(longName, oldIdentifier(longName), nulName, oldIdentifier(nulName),
                "t~" + "0".repeat(16), "t", "x".repeat(63), "x".repeat(64), "é".repeat(31) + "x", "é".repeat(32));
        Map<String, Object> c = config();
        try (PostgresSink sink = PostgresSink.create(c)) {
            sink.open();
            List<CdcMessage> block = new java.util.ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                block.add(create(1, names.get(i), "k" + i, "{\"i\":" + i + "}"));
            }
            write(sink, cursor(1), block);
            Set<String> tables = new HashSet<>();
            for (int i = 0; i < names.size(); i++) {
                String t = sink.sqlTableName(names.get(i));
                assertThat(SqlNames.utf8Length(t)).as(t).isLessThanOrEqualTo(SqlNames.MAX_IDENTIFIER_BYTES);
                assertThat(tables.add(t)).as("table of %s is unique", names.get(i)).isTrue();
                try (Connection db = db(); Statement st = db.createStatement();
                        ResultSet rs = st.executeQuery("SELECT key FROM " + SqlNames.qualified((String) c.get("schema"), t))) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).as(names.get(i)).isEqualTo("k" + i);
                    assertThat(rs.next()).as("only the row of %s in %s", names.get(i), t).isFalse();
                }
            }
            assertThat(sink.sqlTableName("t")).isEqualTo("t");
            assertThat(sink.sqlTableName("x".repeat(63))).isEqualTo("x".repeat(63));
        }
    }

    /** The mapping before the fix: cut to 54 bytes, "_", 8 hex digits of SHA-256(UTF-8); NUL replaced by "_". */
    private static String oldIdentifier(String name) throws Exception {
        String clean = name.replace('\0', '_');
        String cut = clean.length() > 54 ? clean.substring(0, 54) : clean;
        byte[] d = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
        return cut + "_" + Hex.encode(Arrays.copyOf(d, 4));
    }

    /** Classification of open() and commit() failures: retriable (transient) or not (needs an operator). */
    @Test
    void sinkErrorsAreClassifiedRetriableOrNot() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Map<String, Object> refused = config();
        refused.put("connection_string", "postgresql://postgres:hunter2@127.0.0.1:" + closedPort + "/postgres");
        refused.put("connection_timeout_ms", 2000);
        assertOpenFails(refused, true, "08001");

        Map<String, Object> badPassword = config();
        badPassword.put("connection_string", "host=127.0.0.1 port=" + pg.getPort() + " user=postgres password=hunter2");
        assertOpenFails(badPassword, false, "28P01");

        Map<String, Object> noDb = config();
        noDb.put("connection_string", "postgresql://postgres:" + PASSWORD.replace(" ", "%20").replace("'", "%27")
                + "@127.0.0.1:" + pg.getPort() + "/nosuchdb");
        assertOpenFails(noDb, false, "3D000");

        Map<String, Object> denied = config();
        denied.put("connection_string", "host=127.0.0.1 port=" + pg.getPort() + " dbname=postgres user=weak password=weakpw");
        assertOpenFails(denied, false, "42501");

        // the advisory lock held by another instance: retriable, naming the lock and its holder
        Map<String, Object> c = config();
        try (PostgresSink first = PostgresSink.create(c); PostgresSink second = PostgresSink.create(c)) {
            first.open();
            assertThatThrownBy(second::open).isInstanceOfSatisfying(SinkException.class,
                    e -> assertThat(e.isRetriable()).isTrue())
                    .hasMessageContaining("pipeline '" + c.get("pipeline") + "' is already being written by another"
                            + " debshrew instance")
                    .hasMessageContaining("advisory lock " + SqlNames.advisoryLockKey((String) c.get("pipeline")))
                    .hasMessageContaining("held by session pid ")
                    .hasMessageContaining("debshrew-lock-" + c.get("pipeline"));
        }

        // SQLSTATEs PostgreSQL reports during a block
        for (String state : List.of("08006", "08003", "40001", "40P01", "53300", "57P01", "57P02", "57P03", "57014",
                "55P03")) {
            assertThat(PgErrors.isRetriable(new SQLException("x", state))).as(state).isTrue();
        }
        for (String state : List.of("28P01", "28000", "3D000", "42501", "42P01", "22P02", "23505", "XX000")) {
            assertThat(PgErrors.isRetriable(new SQLException("x", state))).as(state).isFalse();
        }
    }

    /** A held table lock fails the block within lock_timeout, a stuck statement within statement_timeout. */
    @Test
    void heldLockOrSlowStatementFailsTheBlockRetriablyWithinTheTimeouts() throws Exception {
        for (String which : List.of("lock_timeout", "statement_timeout")) {
            Map<String, Object> c = config();
            c.put("lock_timeout_ms", which.equals("lock_timeout") ? 300 : 0);
            c.put("statement_timeout_ms", which.equals("lock_timeout") ? 60_000 : 300);
            c.put("socket_timeout_ms", which.equals("lock_timeout") ? 120_000 : 0);
            String expectedState = which.equals("lock_timeout") ? "55P03" : "57014";
            try (PostgresSink sink = PostgresSink.create(c); Connection other = db()) {
                sink.open();
                write(sink, cursor(1), List.of(create(1, "t", "a", "{}")));
                other.setAutoCommit(false);
                try (Statement st = other.createStatement()) {
                    st.execute("LOCK TABLE " + SqlNames.qualified((String) c.get("schema"), "t") + " IN ACCESS EXCLUSIVE MODE");
                }
                List<CdcMessage> block2 = List.of(create(2, "t", "b", "{}"));
                assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThatThrownBy(() -> write(sink, cursor(2), block2))
                        .as(which).isInstanceOfSatisfying(SinkException.class, e -> assertThat(e.isRetriable()).isTrue())
                        .hasMessageContaining("SQLSTATE " + expectedState)
                        .hasMessageContaining("retry the block"));
                other.rollback(); // the lock is released: the retried block goes through
                write(sink, cursor(2), block2);
                try (Statement st = other.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM "
                        + SqlNames.qualified((String) c.get("schema"), "t"))) {
                    rs.next();
                    assertThat(rs.getInt(1)).as(which).isEqualTo(2);
                }
            }
        }
    }

    /** A connection that goes half-open (no reply, no reset) fails the block within socket_timeout_ms. */
    @Test
    void halfOpenConnectionFailsTheBlockWithinTheSocketTimeout() throws Exception {
        try (FreezingProxy proxy = new FreezingProxy(pg.getPort())) {
            Map<String, Object> c = config();
            c.put("connection_string", ((String) c.get("connection_string")).replace("port=" + pg.getPort(),
                    "port=" + proxy.port()));
            c.put("statement_timeout_ms", 1000);
            c.put("lock_timeout_ms", 500);
            c.put("socket_timeout_ms", 2000);
            c.put("connection_timeout_ms", 2000);
            try (PostgresSink sink = PostgresSink.create(c)) {
                sink.open();
                write(sink, cursor(1), List.of(create(1, "t", "a", "{}")));
                proxy.freeze(true);
                List<CdcMessage> block2 = List.of(create(2, "t", "b", "{}"));
                assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThatThrownBy(() -> write(sink, cursor(2), block2))
                        .isInstanceOfSatisfying(SinkException.class, e -> assertThat(e.isRetriable())
                                .as(e.getMessage()).isTrue()));
                proxy.freeze(false);
                assertTimeoutPreemptively(Duration.ofSeconds(60), () -> write(sink, cursor(2), block2));
            }
            try (Connection db = db(); Statement st = db.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT count(*) FROM " + SqlNames.qualified((String) c.get("schema"), "t"))) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(2);
            }
        }
    }

    private static void assertOpenFails(Map<String, Object> config, boolean retriable, String sqlState) {
        try (PostgresSink sink = PostgresSink.create(config)) {
            assertThatThrownBy(sink::open).as(sqlState).isInstanceOfSatisfying(SinkException.class, e -> {
                assertThat(e.isRetriable()).as("retriable: " + e.getMessage()).isEqualTo(retriable);
                assertThat(e.getMessage()).contains("SQLSTATE " + sqlState).doesNotContain("hunter2")
                        .doesNotContain("weakpw").doesNotContain(PASSWORD);
            });
        }
    }
}
