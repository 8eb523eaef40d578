package dev.debshrew.bench;

import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.cdc.Operation;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The PostgreSQL ceiling: plain JDBC writing the same rows as the sink's materialized mode
 * ({@code key text PRIMARY KEY, data jsonb, block_height, block_hash}) with the best batching we
 * know: multi-row upserts ({@code INSERT ... VALUES (..),(..) ... ON CONFLICT DO UPDATE}), 1000
 * messages per transaction. A row whose key already occurs in the statement being built starts a
 * new statement (an upsert cannot touch a row twice); deletes are batched {@code DELETE}s.
 */
final class PostgresCeiling {

    /** Messages per transaction. */
    static final int TRANSACTION_ROWS = 1000;

    private PostgresCeiling() {
    }

    /** Writes {@code messages} into fresh tables of a new schema {@code schema}; returns the seconds taken. */
    static double measure(String jdbcUrl, String schema, List<CdcMessage> messages) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl)) {
            Map<String, String> tables = createTables(c, schema, messages);
            c.setAutoCommit(false);
            long t0 = System.nanoTime();
            for (int from = 0; from < messages.size(); from += TRANSACTION_ROWS) {
                writeTransaction(c, tables, messages.subList(from, Math.min(messages.size(), from + TRANSACTION_ROWS)));
                c.commit();
            }
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    private static Map<String, String> createTables(Connection c, String schema, List<CdcMessage> messages)
            throws SQLException {
        Map<String, String> tables = new LinkedHashMap<>();
        try (Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + quote(schema) + " CASCADE");
            s.execute("CREATE SCHEMA " + quote(schema));
            for (CdcMessage m : messages) {
                String table = m.payload().table();
                if (!tables.containsKey(table)) {
                    String q = quote(schema) + "." + quote("t" + tables.size());
                    s.execute("CREATE TABLE " + q + " (\"key\" text PRIMARY KEY, \"data\" jsonb NOT NULL,"
                            + " \"block_height\" bigint NOT NULL, \"block_hash\" text NOT NULL)");
                    tables.put(table, q);
                }
            }
        }
        return tables;
    }

    private static void writeTransaction(Connection c, Map<String, String> tables, List<CdcMessage> chunk)
            throws SQLException {
        List<CdcMessage> pending = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        String table = null;
        for (CdcMessage m : chunk) {
            String t = m.payload().table();
            boolean delete = m.payload().operation() == Operation.DELETE;
            if (!pending.isEmpty() && (delete || !t.equals(table) || keys.contains(m.payload().key()))) {
                upsert(c, tables.get(table), pending);
                pending.clear();
                keys.clear();
            }
            if (delete) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + tables.get(t) + " WHERE \"key\" = ?")) {
                    ps.setString(1, m.payload().key());
                    ps.executeUpdate();
                }
                continue;
            }
            table = t;
            pending.add(m);
            keys.add(m.payload().key());
        }
        if (!pending.isEmpty()) {
            upsert(c, tables.get(table), pending);
        }
    }

    private static void upsert(Connection c, String table, List<CdcMessage> rows) throws SQLException {
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(table)
                .append(" (\"key\", \"data\", \"block_height\", \"block_hash\") VALUES ");
        for (int i = 0; i < rows.size(); i++) {
            sql.append(i == 0 ? "" : ",").append("(?, ?::jsonb, ?, ?)");
        }
        sql.append(" ON CONFLICT (\"key\") DO UPDATE SET \"data\" = EXCLUDED.\"data\","
                + " \"block_height\" = EXCLUDED.\"block_height\", \"block_hash\" = EXCLUDED.\"block_hash\"");
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int p = 1;
            for (CdcMessage m : rows) {
                ps.setString(p++, m.payload().key());
                ps.setString(p++, String.valueOf(m.payload().after()));
                ps.setLong(p++, m.header().blockHeight());
                ps.setString(p++, m.header().blockHash());
            }
            ps.executeUpdate();
        }
    }

    private static String quote(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }
}
