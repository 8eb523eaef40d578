package dev.debshrew.sink.postgres;

import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.SinkException;
import dev.debshrew.util.Secrets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Takes a materialized PostgreSQL output back to a height below the reorg window
 * ({@code debshrew reindex}): in one transaction, under the pipeline's advisory lock (so never
 * beside a running daemon), deletes every row of the pipeline's tables last written above the
 * height (column {@code block_height}) and sets the pipeline's cursor to that block. Re-processing
 * the blocks above it then rewrites every row whose last change lies above it, so the tables end
 * exactly as a run from scratch would leave them; rows last written at or below it are kept as they
 * are. Changelog mode keeps no such state and is refused.
 */
public final class PostgresReindex {

    private static final String OWNER = PostgresSinkConfig.OWNER;

    /** What a rewind did: rows deleted per SQL table, and the cursor it replaced. */
    public record Result(Map<String, Long> deletedRows, Cursor previousCursor) {
    }

    private PostgresReindex() {
    }

    /**
     * Deletes the rows written above {@code to.height()} from every materialized table of the
     * configured schema and prefix and sets the pipeline's cursor to {@code to}, atomically.
     *
     * @throws SinkException            when the database cannot be reached, another instance holds the
     *                                  pipeline, the pipeline has no cursor, or its cursor is not above
     *                                  {@code to}
     * @throws IllegalArgumentException in changelog mode
     */
    public static Result rewindTo(PostgresSinkConfig config, Cursor to) throws SinkException {
        if (config.mode() != PostgresSinkConfig.Mode.MATERIALIZED) {
            throw new IllegalArgumentException(OWNER + " pipeline '" + config.pipeline() + "': reindex needs"
                    + " materialized mode (changelog rows are an append-only history: write a new events table with a"
                    + " fresh data directory instead)");
        }
        String name = "postgresql:" + config.schema() + "[" + config.pipeline() + ",materialized]";
        PipelineLock lock = new PipelineLock(config, () -> name);
        try {
            lock.acquire();
            try (Connection c = DriverManager.getConnection(config.url(), config.connectionProperties())) {
                c.setAutoCommit(false);
                String cursorTable = SqlNames.qualified(config.schema(), PostgresSinkConfig.CURSOR_TABLE);
                Optional<Cursor> cursor = cursor(c, cursorTable, config.pipeline());
                if (cursor.isEmpty()) {
                    throw new SinkException(OWNER + " " + name + ": pipeline '" + config.pipeline() + "' has no cursor"
                            + " in " + cursorTable + ": nothing was written, nothing to re-index", null, false);
                }
                if (cursor.get().height() <= to.height()) {
                    throw new SinkException(OWNER + " " + name + ": the cursor " + cursor.get() + " is not above "
                            + to.height() + ": nothing was written above it", null, false);
                }
                Map<String, Long> deleted = new LinkedHashMap<>();
                for (String table : tables(c, config)) {
                    String q = SqlNames.qualified(config.schema(), table);
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + q + " WHERE \"block_height\" > ?")) {
                        ps.setLong(1, to.height());
                        deleted.put(table, (long) ps.executeUpdate());
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("UPDATE " + cursorTable
                        + " SET height = ?, hash = ?, updated_at = now() WHERE pipeline = ?")) {
                    ps.setLong(1, to.height());
                    ps.setString(2, to.hash());
                    ps.setString(3, config.pipeline());
                    ps.executeUpdate();
                }
                c.commit();
                return new Result(deleted, cursor.get());
            }
        } catch (SQLException e) {
            throw new SinkException(Secrets.scrub(OWNER + " " + name + ": reindex to " + to + " failed, nothing"
                    + " was changed: " + e.getMessage()), e, PgErrors.isRetriable(e));
        } finally {
            lock.release();
        }
    }

    private static Optional<Cursor> cursor(Connection c, String cursorTable, String pipeline) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT height, hash FROM " + cursorTable + " WHERE pipeline = ?")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Cursor(rs.getLong(1), rs.getString(2))) : Optional.empty();
            }
        }
    }

    /** The materialized tables of the schema and prefix: those with the sink's four managed columns. */
    private static List<String> tables(Connection c, PostgresSinkConfig config) throws SQLException {
        String like = config.tablePrefix().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT table_name FROM information_schema.columns"
                + " WHERE table_schema = ? AND table_name LIKE ? ESCAPE '\\' AND table_name <> ?"
                + " AND column_name IN ('key', 'data', 'block_height', 'block_hash')"
                + " GROUP BY table_name HAVING count(*) = 4 ORDER BY table_name")) {
            ps.setString(1, config.schema());
            ps.setString(2, like);
            ps.setString(3, PostgresSinkConfig.CURSOR_TABLE);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }
}
