package dev.debshrew.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.sink.Cursor;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Reads what the PostgreSQL sink wrote, with plain JDBC. */
final class PgRead {

    private PgRead() {
    }

    static Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(url);
    }

    /** The committed cursor of {@code pipeline} in {@code schema}, or null. */
    static Cursor cursor(String url, String schema, String pipeline) throws SQLException {
        try (Connection c = connect(url);
                PreparedStatement ps = c.prepareStatement("SELECT height, hash FROM " + quote(schema)
                        + ".debshrew_cursor WHERE pipeline = ?")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Cursor(rs.getLong(1), rs.getString(2)) : null;
            }
        }
    }

    /** Materialized mode: every table of {@code schema} but the cursor table, as table -> key -> data. */
    static Map<String, Map<String, JsonNode>> materialized(String url, String schema) throws SQLException {
        Map<String, Map<String, JsonNode>> out = new TreeMap<>();
        try (Connection c = connect(url)) {
            List<String> tables = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT table_name FROM information_schema.tables"
                    + " WHERE table_schema = ? AND table_name <> 'debshrew_cursor'")) {
                ps.setString(1, schema);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        tables.add(rs.getString(1));
                    }
                }
            }
            for (String t : tables) {
                Map<String, JsonNode> rows = new TreeMap<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT \"key\", \"data\"::text FROM " + quote(schema)
                        + "." + quote(t));
                        ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.put(rs.getString(1), E2e.reparse(rs.getString(2)));
                    }
                }
                if (!rows.isEmpty()) {
                    out.put(t, rows);
                }
            }
        }
        return out;
    }

    /** Changelog mode: the messages of {@code pipeline} in the events table, in id order. */
    static List<CdcMessage> changelog(String url, String schema, String eventsTable, String pipeline)
            throws Exception {
        List<CdcMessage> out = new ArrayList<>();
        try (Connection c = connect(url);
                PreparedStatement ps = c.prepareStatement("SELECT payload::text, inverse FROM " + quote(schema) + "."
                        + quote(eventsTable) + " WHERE pipeline = ? ORDER BY id")) {
            ps.setString(1, pipeline);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    CdcMessage m = E2e.CODEC.decode(rs.getString(1));
                    if (m.header().inverse() != rs.getBoolean(2)) {
                        throw new AssertionError("inverse column disagrees with the payload: " + rs.getString(1));
                    }
                    out.add(m);
                }
            }
        }
        return out;
    }

    /**
     * A new connection whose open transaction holds an exclusive lock of {@code schema}'s cursor
     * table: the sink's next commit waits for it (see {@link #waitsForALock}) until the connection
     * is closed (or the server goes).
     */
    static Connection lockCursorTable(String url, String schema) throws SQLException {
        Connection c = connect(url);
        try {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("LOCK TABLE " + quote(schema) + ".debshrew_cursor IN ACCESS EXCLUSIVE MODE");
            }
            return c;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Whether a session of {@code application} waits for a lock (e.g. the sink's block transaction). */
    static boolean waitsForALock(Connection c, String application) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity"
                + " WHERE application_name = ? AND wait_event_type = 'Lock'")) {
            ps.setString(1, application);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
