package dev.debshrew.sink.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.cdc.Operation;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.Sink;
import dev.debshrew.sink.SinkException;
import dev.debshrew.sink.postgres.PostgresSinkConfig.Mode;
import dev.debshrew.sink.postgres.PostgresSinkConfig.TypedColumn;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes CDC messages to PostgreSQL; each block (messages + cursor) in one transaction.
 *
 * <p><b>materialized</b> mode keeps one SQL table per CDC table ({@code key text primary key,
 * data jsonb, block_height bigint, block_hash text} plus configured typed columns): create and
 * update upsert the row, delete removes it. <b>changelog</b> mode appends every message to one
 * events table. Messages are applied in order; consecutive statements of the same table and kind
 * are sent as one JDBC batch (inserts rewritten into multi-row statements).
 *
 * <p>The cursor row ({@code debshrew_cursor}) is updated in the same transaction as the block's
 * rows, as a compare-and-set against the cursor this sink last committed, so a concurrent writer
 * can never interleave unnoticed. A single writer per pipeline is enforced with
 * {@code pg_try_advisory_lock} held on a dedicated connection for the sink's life.
 *
 * <p>Used from a single thread, like every {@link Sink}.
 */
public final class PostgresSink implements Sink {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresSink.class);
    private static final String OWNER = PostgresSinkConfig.OWNER;
    /** How long {@link #abort()} waits for a cancelled statement to end before cutting the connection. */
    private static final long ABORT_WAIT_MS = 1500;

    private enum State { NEW, OPEN, CLOSED }

    /** Where one CDC table lives and the statements that write it. */
    private record TableInfo(String cdcTable, String sqlName, String qualified, String upsertSql, String deleteSql,
            List<TypedColumn> columns) {
    }

    private final PostgresSinkConfig config;
    private final CdcCodec codec = new CdcCodec();
    private final long lockKey;
    private final String cursorTable;
    private final String eventsTable;
    private final List<CdcMessage> buffer = new ArrayList<>();
    private final Map<String, TableInfo> tables = new HashMap<>();
    /** SQL tables known to exist (created or checked in a committed transaction). */
    private final Set<String> existingTables = new HashSet<>();

    private State state = State.NEW;
    private HikariDataSource pool;
    private Connection lockConnection;
    /** The connection of the block being written, for {@link #abort()}. */
    private volatile Connection inFlight;
    private Optional<Cursor> committed = Optional.empty();

    public PostgresSink(PostgresSinkConfig config) {
        this.config = config;
        this.lockKey = SqlNames.advisoryLockKey(config.pipeline());
        this.cursorTable = SqlNames.qualified(config.schema(), PostgresSinkConfig.CURSOR_TABLE);
        this.eventsTable = SqlNames.qualified(config.schema(), config.eventsTable());
    }

    /**
     * Builds a PostgreSQL sink from its JSON config section (see {@link PostgresSinkConfig}).
     *
     * @throws IllegalArgumentException naming the offending option
     */
    public static PostgresSink create(Map<String, ?> config) {
        return new PostgresSink(PostgresSinkConfig.from(config));
    }

    public PostgresSinkConfig config() {
        return config;
    }

    @Override
    public String name() {
        return "postgresql:" + config.schema() + "[" + config.pipeline() + "," + config.mode().name().toLowerCase() + "]";
    }

    /** The SQL table (unquoted identifier) a CDC table is stored in, in materialized mode. */
    public String sqlTableName(String cdcTable) {
        return SqlNames.identifier(config.tablePrefix() + cdcTable);
    }

    // ------------------------------------------------------------------ open

    @Override
    public Optional<Cursor> open() throws SinkException {
        if (state != State.NEW) {
            throw new IllegalStateException(name() + " was already opened");
        }
        try {
            lockConnection = connect();
            acquireLock();
            pool = newPool();
            try (Connection c = pool.getConnection()) {
                if (config.createTables()) {
                    createBaseTables(c);
                }
                committed = readCursor(c);
                c.commit();
            }
            state = State.OPEN;
            LOG.info("{}: opened, committed cursor {}", name(), committed.map(Cursor::toString).orElse("(none)"));
            return committed;
        } catch (SQLException e) {
            release();
            throw error("opening", e);
        } catch (SinkException e) {
            release();
            throw e;
        } catch (RuntimeException e) {
            // HikariCP reports connection failures at pool start as PoolInitializationException
            release();
            if (e.getCause() instanceof SQLException se) {
                throw error("opening", se);
            }
            throw new SinkException(OWNER + " " + name() + ": cannot open: " + e, e, false);
        }
    }

    private Connection connect() throws SQLException {
        Properties p = new Properties();
        if (config.user() != null) {
            p.setProperty("user", config.user());
        }
        if (config.password() != null) {
            p.setProperty("password", config.password());
        }
        p.setProperty("ApplicationName", "debshrew-lock-" + config.pipeline());
        p.setProperty("connectTimeout", String.valueOf(Math.max(1, config.connectionTimeoutMs() / 1000)));
        p.setProperty("tcpKeepAlive", "true");
        return DriverManager.getConnection(config.url(), p);
    }

    private void acquireLock() throws SQLException, SinkException {
        try (PreparedStatement ps = lockConnection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            ps.setLong(1, lockKey);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new SinkException(OWNER + " " + name() + ": pipeline '" + config.pipeline()
                            + "' is already being written by another debshrew instance (advisory lock " + lockKey
                            + " is held by another session); only one writer per pipeline is allowed. Retry to take"
                            + " over once it stops.", null, true);
                }
            }
        }
    }

    private HikariDataSource newPool() {
        HikariConfig h = new HikariConfig();
        h.setJdbcUrl(config.url());
        if (config.user() != null) {
            h.setUsername(config.user());
        }
        if (config.password() != null) {
            h.setPassword(config.password());
        }
        h.setMaximumPoolSize(config.poolSize());
        h.setMinimumIdle(1);
        h.setAutoCommit(false);
        h.setConnectionTimeout(config.connectionTimeoutMs());
        h.setPoolName("debshrew-pg-" + config.pipeline());
        h.addDataSourceProperty("reWriteBatchedInserts", "true");
        h.addDataSourceProperty("cancelSignalTimeout", "2"); // seconds; bounds abort()
        h.addDataSourceProperty("ApplicationName", "debshrew-" + config.pipeline());
        return new HikariDataSource(h);
    }

    private void createBaseTables(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            boolean schemaExists;
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_namespace WHERE nspname = ?")) {
                ps.setString(1, config.schema());
                try (ResultSet rs = ps.executeQuery()) {
                    schemaExists = rs.next();
                }
            }
            if (!schemaExists) {
                st.execute("CREATE SCHEMA IF NOT EXISTS " + SqlNames.quote(config.schema()));
            }
            st.execute("CREATE TABLE IF NOT EXISTS " + cursorTable + " (pipeline text PRIMARY KEY, height bigint NOT NULL,"
                    + " hash text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())");
            if (config.mode() == Mode.CHANGELOG) {
                st.execute("CREATE TABLE IF NOT EXISTS " + eventsTable + " (id bigserial PRIMARY KEY,"
                        + " pipeline text NOT NULL, block_height bigint NOT NULL, block_hash text NOT NULL,"
                        + " idx integer NOT NULL, operation text NOT NULL, tbl text NOT NULL, key text NOT NULL,"
                        + " payload jsonb NOT NULL, inverse boolean NOT NULL)");
            }
        }
    }

    private Optional<Cursor> readCursor(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT height, hash FROM " + cursorTable + " WHERE pipeline = ?")) {
            ps.setString(1, config.pipeline());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Cursor(rs.getLong(1), rs.getString(2))) : Optional.empty();
            }
        }
    }

    // ------------------------------------------------------------------ send / flush

    @Override
    public void send(CdcMessage message) throws SinkException {
        ensureOpen();
        buffer.add(message);
    }

    @Override
    public void flush(Cursor cursor) throws SinkException {
        ensureOpen();
        List<CdcMessage> block = new ArrayList<>(buffer);
        buffer.clear(); // on failure the caller sends the block again
        checkLock();
        Set<String> created = new HashSet<>();
        Connection c;
        try {
            c = pool.getConnection();
        } catch (SQLException e) {
            throw error("getting a connection for block " + cursor, e);
        }
        inFlight = c;
        try (c) {
            try {
                if (config.mode() == Mode.MATERIALIZED) {
                    applyMaterialized(c, block, created);
                } else {
                    applyChangelog(c, block);
                }
                if (!advanceCursor(c, cursor)) {
                    c.rollback();
                    Optional<Cursor> now = readCursor(c);
                    c.commit();
                    if (now.isPresent() && now.get().equals(cursor)) {
                        // A previous attempt of this block committed but its success was not reported.
                        LOG.warn("{}: block {} was already committed; not writing it again", name(), cursor);
                        committed = now;
                        return;
                    }
                    throw new SinkException(OWNER + " " + name() + ": the cursor of pipeline '" + config.pipeline()
                            + "' in " + cursorTable + " is " + now.map(Cursor::toString).orElse("absent")
                            + ", but this sink last committed " + committed.map(Cursor::toString).orElse("none")
                            + ": another writer changed it. Stop the other writer (or use another pipeline name)",
                            null, false);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
        } catch (SQLException e) {
            throw error("writing block " + cursor, e);
        } catch (RuntimeException e) {
            throw new SinkException(OWNER + " " + name() + ": writing block " + cursor + " failed: " + e, e, false);
        } finally {
            inFlight = null;
        }
        existingTables.addAll(created);
        committed = Optional.of(cursor);
    }

    /** Compare-and-set of the cursor row against the last committed cursor. */
    private boolean advanceCursor(Connection c, Cursor cursor) throws SQLException {
        if (committed.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + cursorTable
                    + " (pipeline, height, hash, updated_at) VALUES (?, ?, ?, now()) ON CONFLICT (pipeline) DO NOTHING")) {
                ps.setString(1, config.pipeline());
                ps.setLong(2, cursor.height());
                ps.setString(3, cursor.hash());
                return ps.executeUpdate() == 1;
            }
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + cursorTable
                + " SET height = ?, hash = ?, updated_at = now() WHERE pipeline = ? AND height = ? AND hash = ?")) {
            ps.setLong(1, cursor.height());
            ps.setString(2, cursor.hash());
            ps.setString(3, config.pipeline());
            ps.setLong(4, committed.get().height());
            ps.setString(5, committed.get().hash());
            return ps.executeUpdate() == 1;
        }
    }

    // ------------------------------------------------------------------ materialized

    /** A JDBC batch of statements of one kind against one table. */
    private final class Batch {
        final TableInfo table;
        final boolean delete;
        final PreparedStatement ps;
        final Set<String> keys = new HashSet<>();

        Batch(TableInfo table, boolean delete, PreparedStatement ps) {
            this.table = table;
            this.delete = delete;
            this.ps = ps;
        }

        void execute() throws SQLException {
            if (!keys.isEmpty()) {
                try {
                    ps.executeBatch();
                } catch (BatchUpdateException e) {
                    SQLException next = e.getNextException();
                    SQLException cause = next != null ? next : e;
                    SQLException wrapped = new SQLException((delete ? "deleting from" : "upserting into") + " table '"
                            + table.cdcTable() + "' (" + table.qualified() + ") failed: " + cause.getMessage(),
                            cause.getSQLState(), cause);
                    throw wrapped;
                }
                keys.clear();
            }
        }
    }

    private void applyMaterialized(Connection c, List<CdcMessage> block, Set<String> created) throws SQLException,
            SinkException {
        Map<String, PreparedStatement> statements = new HashMap<>();
        try {
            Batch batch = null;
            for (CdcMessage m : block) {
                TableInfo t = table(m.payload().table());
                if (!existingTables.contains(t.sqlName()) && !created.contains(t.sqlName())) {
                    if (batch != null) {
                        batch.execute(); // keep DDL after the statements sent before it
                    }
                    createTable(c, t);
                    created.add(t.sqlName());
                }
                boolean delete = m.payload().operation() == Operation.DELETE;
                String key = m.payload().key();
                if (batch == null || batch.table != t || batch.delete != delete || batch.keys.contains(key)
                        || batch.keys.size() >= config.batchSize()) {
                    if (batch != null) {
                        batch.execute();
                    }
                    String sql = delete ? t.deleteSql() : t.upsertSql();
                    PreparedStatement ps = statements.get(sql);
                    if (ps == null) {
                        ps = c.prepareStatement(sql);
                        statements.put(sql, ps);
                    }
                    batch = new Batch(t, delete, ps);
                }
                bind(batch.ps, t, m, delete);
                batch.ps.addBatch();
                batch.keys.add(key);
            }
            if (batch != null) {
                batch.execute();
            }
        } finally {
            for (PreparedStatement ps : statements.values()) {
                ps.close();
            }
        }
    }

    private void bind(PreparedStatement ps, TableInfo t, CdcMessage m, boolean delete) throws SQLException {
        ps.setString(1, m.payload().key());
        if (delete) {
            return;
        }
        JsonNode row = m.payload().after();
        ps.setString(2, row.toString());
        ps.setLong(3, m.header().blockHeight());
        ps.setString(4, m.header().blockHash());
        int i = 5;
        for (TypedColumn col : t.columns()) {
            JsonNode v = row.at(col.path());
            if (v.isMissingNode() || v.isNull()) {
                ps.setNull(i++, java.sql.Types.VARCHAR);
            } else if (col.sqlType().equals("jsonb")) {
                ps.setString(i++, v.toString());
            } else {
                ps.setString(i++, v.isValueNode() ? v.asText() : v.toString());
            }
        }
    }

    private TableInfo table(String cdcTable) throws SinkException {
        TableInfo t = tables.get(cdcTable);
        if (t != null) {
            return t;
        }
        String sqlName = sqlTableName(cdcTable);
        if (sqlName.equals(PostgresSinkConfig.CURSOR_TABLE)) {
            throw new SinkException(OWNER + " " + name() + ": CDC table '" + cdcTable + "' maps to SQL table '" + sqlName
                    + "', which the sink uses for its cursor; set 'table_prefix'", null, false);
        }
        String q = SqlNames.qualified(config.schema(), sqlName);
        List<TypedColumn> cols = config.columnsOf(cdcTable);
        StringBuilder names = new StringBuilder("\"key\", \"data\", \"block_height\", \"block_hash\"");
        StringBuilder values = new StringBuilder("?, CAST(? AS jsonb), ?, ?");
        StringBuilder set = new StringBuilder("\"data\" = EXCLUDED.\"data\", \"block_height\" = EXCLUDED.\"block_height\","
                + " \"block_hash\" = EXCLUDED.\"block_hash\"");
        for (TypedColumn col : cols) {
            String qc = SqlNames.quote(col.name());
            names.append(", ").append(qc);
            values.append(", CAST(? AS ").append(col.sqlType()).append(')');
            set.append(", ").append(qc).append(" = EXCLUDED.").append(qc);
        }
        String upsert = "INSERT INTO " + q + " (" + names + ") VALUES (" + values + ") ON CONFLICT (\"key\") DO UPDATE SET "
                + set;
        String delete = "DELETE FROM " + q + " WHERE \"key\" = ?";
        t = new TableInfo(cdcTable, sqlName, q, upsert, delete, cols);
        tables.put(cdcTable, t);
        return t;
    }

    private void createTable(Connection c, TableInfo t) throws SQLException {
        if (!config.createTables()) {
            return;
        }
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + t.qualified() + " (\"key\" text PRIMARY KEY, \"data\" jsonb NOT NULL,"
                    + " \"block_height\" bigint NOT NULL, \"block_hash\" text NOT NULL)");
            for (TypedColumn col : t.columns()) {
                st.execute("ALTER TABLE " + t.qualified() + " ADD COLUMN IF NOT EXISTS " + SqlNames.quote(col.name()) + " "
                        + col.sqlType());
            }
        }
    }

    // ------------------------------------------------------------------ changelog

    private void applyChangelog(Connection c, List<CdcMessage> block) throws SQLException {
        if (block.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + eventsTable
                + " (pipeline, block_height, block_hash, idx, operation, tbl, key, payload, inverse)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, CAST(? AS jsonb), ?)")) {
            int pending = 0;
            for (int i = 0; i < block.size(); i++) {
                CdcMessage m = block.get(i);
                ps.setString(1, config.pipeline());
                ps.setLong(2, m.header().blockHeight());
                ps.setString(3, m.header().blockHash());
                ps.setInt(4, i);
                ps.setString(5, m.payload().operation().wireName());
                ps.setString(6, m.payload().table());
                ps.setString(7, m.payload().key());
                ps.setString(8, codec.encode(m));
                ps.setBoolean(9, m.header().inverse());
                ps.addBatch();
                if (++pending >= config.batchSize()) {
                    executeChangelogBatch(ps);
                    pending = 0;
                }
            }
            if (pending > 0) {
                executeChangelogBatch(ps);
            }
        }
    }

    private void executeChangelogBatch(PreparedStatement ps) throws SQLException {
        try {
            ps.executeBatch();
        } catch (BatchUpdateException e) {
            SQLException cause = e.getNextException() != null ? e.getNextException() : e;
            throw new SQLException("appending to " + eventsTable + " failed: " + cause.getMessage(), cause.getSQLState(),
                    cause);
        }
    }

    // ------------------------------------------------------------------ lock, errors, close

    /** Verifies the advisory-lock session is alive; re-acquires the lock after a lost connection. */
    private void checkLock() throws SinkException {
        try {
            if (lockConnection != null && lockConnection.isValid(5)) {
                return;
            }
            LOG.warn("{}: the advisory lock connection was lost; reconnecting", name());
            closeQuietly(lockConnection);
            lockConnection = connect();
            acquireLock();
        } catch (SQLException e) {
            throw error("re-acquiring the advisory lock of pipeline '" + config.pipeline() + "'", e);
        }
    }

    private void ensureOpen() {
        if (state != State.OPEN) {
            throw new IllegalStateException(name() + " is " + state.name().toLowerCase() + ", not open");
        }
    }

    private SinkException error(String what, SQLException e) {
        SQLException cause = e;
        String sqlState = e.getSQLState();
        boolean retriable = isRetriable(e);
        return new SinkException(OWNER + " " + name() + ": " + what + " failed: " + cause.getMessage()
                + (sqlState != null ? " (SQLSTATE " + sqlState + ")" : "")
                + (retriable ? "; transaction rolled back, retry the block" : ""), e, retriable);
    }

    /** Connection problems, serialization failures, deadlocks, resource shortages, shutdowns. */
    static boolean isRetriable(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientException || t instanceof SQLRecoverableException) {
                return true;
            }
            if (t instanceof SQLException s && s.getSQLState() != null) {
                String st = s.getSQLState();
                if (st.startsWith("08") || st.startsWith("40") || st.startsWith("53") || st.startsWith("57P")
                        || st.equals("55P03")) {
                    return true;
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            LOG.debug("rollback failed: {}", e.toString());
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.debug("close failed: {}", e.toString());
            }
        }
    }

    /**
     * Cancels the statement of the block being written (the server fails and rolls back its
     * transaction: nothing of the block is committed); if the server does not answer within
     * {@link #ABORT_WAIT_MS}, closes the connection at the socket.
     */
    @Override
    public void abort() {
        Connection c = inFlight;
        if (c == null) {
            return;
        }
        try {
            c.unwrap(PGConnection.class).cancelQuery();
        } catch (SQLException | RuntimeException e) {
            LOG.debug("{}: cancelling the statement in progress failed: {}", name(), e.toString());
        }
        long deadline = System.nanoTime() + ABORT_WAIT_MS * 1_000_000L;
        while (inFlight == c && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (inFlight == c) {
            try {
                c.abort(Runnable::run);
            } catch (SQLException | RuntimeException e) {
                LOG.debug("{}: aborting the connection failed: {}", name(), e.toString());
            }
        }
    }

    @Override
    public void close() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        buffer.clear();
        release();
    }

    private void release() {
        if (pool != null) {
            pool.close();
            pool = null;
        }
        if (lockConnection != null) {
            // Closing the session releases its advisory locks.
            closeQuietly(lockConnection);
            lockConnection = null;
        }
    }

    @Override
    public String toString() {
        return name();
    }
}
