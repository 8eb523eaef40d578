package dev.debshrew.sink.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.Sink;
import dev.debshrew.sink.SinkBatch;
import dev.debshrew.sink.SinkException;
import dev.debshrew.sink.postgres.PostgresSinkConfig.Mode;
import dev.debshrew.util.Secrets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes CDC messages to PostgreSQL; each batch of blocks (messages + the last block's cursor) in
 * one transaction, with multi-row statements.
 *
 * <p><b>materialized</b> mode keeps one SQL table per CDC table ({@code key text primary key,
 * data jsonb, block_height bigint, block_hash text} plus configured typed columns): create and
 * update upsert the row, delete removes it. <b>changelog</b> mode appends every message to one
 * events table. The batch's rows go out as {@code UNNEST} arrays, up to {@code batch_size} rows per
 * statement ({@link MaterializedWriter}, {@link ChangelogWriter}): no round trip per block or per
 * message.
 *
 * <p>The cursor row ({@code debshrew_cursor}) is updated in the same transaction as the batch's
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
    private final PipelineLock lock;
    private final String cursorTable;
    private final String eventsTable;
    private final MaterializedWriter materialized;
    private final ChangelogWriter changelog;

    private State state = State.NEW;
    private HikariDataSource pool;
    /** The connection of the batch being written, for {@link #abort()}. */
    private volatile Connection inFlight;
    private Optional<Cursor> committed = Optional.empty();
    private int lastCommitStatements;
    /** Test hook run right after a successful COMMIT (to simulate a lost reply). */
    SqlAction afterCommitForTest;

    /** Something that may fail with an {@link SQLException}, for {@link #afterCommitForTest}. */
    interface SqlAction {
        void run() throws SQLException;
    }

    public PostgresSink(PostgresSinkConfig config) {
        this.config = config;
        this.lock = new PipelineLock(config, this::name);
        this.materialized = new MaterializedWriter(config, this::name);
        this.cursorTable = SqlNames.qualified(config.schema(), PostgresSinkConfig.CURSOR_TABLE);
        this.eventsTable = SqlNames.qualified(config.schema(), config.eventsTable());
        this.changelog = new ChangelogWriter(config, eventsTable);
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

    // ------------------------------------------------------------------ commit

    /**
     * One transaction for the whole batch: the cursor's compare-and-set first (a batch that had
     * already landed is recognised there, before any row is written), then the rows with
     * multi-row statements, then the commit.
     */
    @Override
    public void commit(SinkBatch batch) throws SinkException {
        ensureOpen();
        Cursor cursor = batch.cursor();
        lock.check();
        Set<String> created = new HashSet<>();
        Connection c;
        try {
            c = pool.getConnection();
        } catch (SQLException e) {
            throw error("getting a connection for " + batch, e);
        }
        inFlight = c;
        int statements = 1;
        try (c) {
            try {
                if (!advanceCursor(c, cursor)) {
                    c.rollback();
                    Optional<Cursor> now = readCursor(c);
                    c.commit();
                    if (now.isPresent() && now.get().equals(cursor)) {
                        // A previous attempt of this batch committed but its success was not reported.
                        LOG.warn("{}: the batch ending at block {} was already committed; not writing it again", name(),
                                cursor);
                        committed = now;
                        return;
                    }
                    throw new SinkException(OWNER + " " + name() + ": the cursor of pipeline '" + config.pipeline()
                            + "' in " + cursorTable + " is " + now.map(Cursor::toString).orElse("absent")
                            + ", but this sink last committed " + committed.map(Cursor::toString).orElse("none")
                            + ": another writer changed it. Stop the other writer (or use another pipeline name)",
                            null, false);
                }
                statements += config.mode() == Mode.MATERIALIZED ? materialized.apply(c, batch, created)
                        : changelog.apply(c, batch);
                c.commit();
                if (afterCommitForTest != null) {
                    afterCommitForTest.run();
                }
            } catch (SQLException | SinkException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
        } catch (SQLException e) {
            throw error("writing " + batch, e);
        } catch (RuntimeException e) {
            throw new SinkException(Secrets.scrub(OWNER + " " + name() + ": writing " + batch + " failed: " + e), e,
                    false);
        } finally {
            inFlight = null;
        }
        materialized.committed(created);
        committed = Optional.of(cursor);
        lastCommitStatements = statements;
    }

    /**
     * The number of statements the last successful {@link #commit} executed before its COMMIT (the
     * cursor's compare-and-set, the DDL of new tables, the multi-row writes): for tests.
     */
    int lastCommitStatements() {
        return lastCommitStatements;
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
     * Cancels the statement of the batch being written (the server fails and rolls back its
     * transaction: nothing of the batch is committed); if the server does not answer within
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
