package dev.debshrew.sink.postgres;

import dev.debshrew.sink.SinkException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single-writer lock of a pipeline: {@code pg_try_advisory_lock(k)} held on a dedicated
 * connection for the sink's life, {@code k} = {@link SqlNames#advisoryLockKey}. Closing the
 * connection (or losing it) releases the lock.
 */
final class PipelineLock {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineLock.class);

    private final PostgresSinkConfig config;
    private final Supplier<String> sinkName;
    private final long key;
    private Connection connection;
    /** The lock's connection was lost and is not back yet: one WARN per outage, not one per attempt. */
    private boolean reconnecting;

    PipelineLock(PostgresSinkConfig config, Supplier<String> sinkName) {
        this.config = config;
        this.sinkName = sinkName;
        this.key = SqlNames.advisoryLockKey(config.pipeline());
    }

    /**
     * Connects and takes the lock.
     *
     * @throws SinkException (retriable) naming the lock and its holder when another session holds it
     */
    void acquire() throws SQLException, SinkException {
        release();
        Properties p = config.connectionProperties();
        p.setProperty("ApplicationName", "debshrew-lock-" + config.pipeline());
        connection = DriverManager.getConnection(config.url(), p);
        try (PreparedStatement ps = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            ps.setLong(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    throw new SinkException(PostgresSinkConfig.OWNER + " " + sinkName.get() + ": pipeline '"
                            + config.pipeline() + "' is already being written by another debshrew instance: its"
                            + " advisory lock " + key + " (pg_try_advisory_lock) is held by " + holder() + "; only one"
                            + " writer per pipeline is allowed. Retriable: a standby takes over once the other instance"
                            + " stops.", null, true);
                }
            }
        }
    }

    /** Verifies the lock's session is alive; re-acquires the lock after a lost connection. */
    void check() throws SinkException {
        try {
            if (connection != null && connection.isValid(5)) {
                return;
            }
            if (!reconnecting) {
                LOG.warn("{}: the advisory lock connection was lost; reconnecting", sinkName.get());
                reconnecting = true;
            } else {
                LOG.debug("{}: reconnecting the advisory lock connection", sinkName.get());
            }
            acquire();
            reconnecting = false;
            LOG.info("{}: advisory lock of pipeline '{}' re-acquired", sinkName.get(), config.pipeline());
        } catch (SQLException e) {
            throw PgErrors.sinkException(PostgresSinkConfig.OWNER + " " + sinkName.get()
                    + ": re-acquiring the advisory lock of pipeline '" + config.pipeline() + "'", e);
        }
    }

    /** Who holds the lock, from pg_locks / pg_stat_activity (best effort). */
    private String holder() {
        String sql = "SELECT a.pid, a.application_name, a.client_addr::text FROM pg_locks l JOIN pg_stat_activity a"
                + " ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = ?"
                + " AND l.objid::bigint = ? AND l.objsubid = 1";
        try (PreparedStatement ps = connection.prepareStatement(sql)) {
            ps.setLong(1, key >>> 32);
            ps.setLong(2, key & 0xFFFF_FFFFL);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return "session pid " + rs.getInt(1) + " (application '" + rs.getString(2) + "', client "
                            + (rs.getString(3) == null ? "local" : rs.getString(3)) + ")";
                }
            }
        } catch (SQLException e) {
            LOG.debug("cannot read the advisory lock holder: {}", e.toString());
        }
        return "another session";
    }

    /** Closes the lock's session, which releases the lock. */
    void release() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("close failed: {}", e.toString());
            }
            connection = null;
        }
    }
}
