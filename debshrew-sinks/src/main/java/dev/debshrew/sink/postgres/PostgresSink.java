package dev.debshrew.sink.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.Sink;
import dev.debshrew.sink.SinkException;
import dev.debshrew.sink.postgres.PostgresSinkConfig.Mode;
import dev.debshrew.util.Secrets;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
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

    private final PostgresSinkConfig config;
    private final CdcCodec codec = new CdcCodec();
    private final PipelineLock lock;
    private final String cursorTable;
    private final String eventsTable;
    private final List<CdcMessage> buffer = new ArrayList<>();
    private final MaterializedWriter materialized;

    private State state = State.NEW;
    private HikariDataSource pool;
    /** The connection of the block being written, for {@link #abort()}. */
    private volatile Connection inFlight;
    private Optional<Cursor> committed = Optional.empty();

    public PostgresSink(PostgresSinkConfig config) {
        this.config = config;
        this.lock = new PipelineLock(config, this::name);
        this.materialized = new MaterializedWriter(config, this::name);
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
        return materialized.sqlTableName(cdcTable);
    }

    // ------------------------------------------------------------------ open

    @Override
    public Optional<Cursor> open() throws SinkException {
        if (state != State.NEW) {
            throw new IllegalStateException(name() + " was already opened");
        }
        try {
            lock.acquire();
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
            throw new SinkException(Secrets.scrub(OWNER + " " + name() + ": cannot open: " + e), e, false);
        }
    }

    private HikariDataSource newPool() {
        HikariConfig h = new HikariConfig();
        h.setJdbcUrl(config.url());
        Properties p = config.connectionProperties();
        p.setProperty("reWriteBatchedInserts", "true");
        p.putIfAbsent("ApplicationName", "debshrew-" + config.pipeline());
        p.setProperty("cancelSignalTimeout", "2"); // seconds; bounds abort()
        h.setDataSourceProperties(p);
        h.setMaximumPoolSize(config.poolSize());
        h.setMinimumIdle(1);
        h.setAutoCommit(false);
        h.setConnectionTimeout(config.connectionTimeoutMs());
        h.setPoolName("debshrew-pg-" + config.pipeline());
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
        lock.check();
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
                    materialized.apply(c, block, created);
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
            throw new SinkException(Secrets.scrub(OWNER + " " + name() + ": writing block " + cursor + " failed: " + e), e,
                    false);
        } finally {
            inFlight = null;
        }
        materialized.committed(created);
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

    private void ensureOpen() {
        if (state != State.OPEN) {
            throw new IllegalStateException(name() + " is " + state.name().toLowerCase() + ", not open");
        }
    }

    private SinkException error(String what, SQLException e) {
        return PgErrors.sinkException(OWNER + " " + name() + ": " + what, e);
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            LOG.debug("rollback failed: {}", e.toString());
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
        lock.release();
    }

    @Override
    public String toString() {
        return name();
    }
}
