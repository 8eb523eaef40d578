package dev.debshrew.sink.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.cdc.Operation;
import dev.debshrew.sink.BlockChange;
import dev.debshrew.sink.SinkBatch;
import dev.debshrew.sink.SinkException;
import dev.debshrew.sink.postgres.PostgresSinkConfig.TypedColumn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Materialized mode of the {@link PostgresSink}: one SQL table per CDC table (named by
 * {@link SqlNames#identifier}), create/update upserted, delete deleted. Runs inside the sink's
 * transaction.
 *
 * <p>A whole batch is written with multi-row statements: an upsert replaces every column the sink
 * manages and a delete removes the row, so a key's final state depends only on the last message
 * for it in the batch, and tables are independent of each other. Per table, the writer keeps the
 * last message of each key and sends one {@code DELETE ... WHERE key = ANY(?)} for the keys whose
 * last message is a delete and one {@code INSERT ... SELECT FROM UNNEST(...) ON CONFLICT DO UPDATE}
 * for the others (each split into statements of at most {@code batch_size} rows). This ends in
 * exactly the state of applying the messages one by one, and no statement holds a key twice (which
 * PostgreSQL refuses in one {@code ON CONFLICT DO UPDATE}).
 */
final class MaterializedWriter {

    private static final String OWNER = PostgresSinkConfig.OWNER;

    /** Where one CDC table lives and the statements that write it. */
    private record TableInfo(String cdcTable, String sqlName, String qualified, String upsertSql, String deleteSql,
            List<TypedColumn> columns) {
    }

    private final PostgresSinkConfig config;
    private final Supplier<String> sinkName;
    private final Map<String, TableInfo> tables = new HashMap<>();
    /** SQL tables known to exist (created or checked in a committed transaction). */
    private final Set<String> existingTables = new HashSet<>();

    MaterializedWriter(PostgresSinkConfig config, Supplier<String> sinkName) {
        this.config = config;
        this.sinkName = sinkName;
    }

    /** The SQL table (unquoted identifier) a CDC table is stored in. */
    String sqlTableName(String cdcTable) {
        return SqlNames.identifier(config.tablePrefix() + cdcTable);
    }

    /** The tables created by a transaction that has now committed. */
    void committed(Set<String> created) {
        existingTables.addAll(created);
    }

    /**
     * Writes the batch's messages; tables not known to exist are created first.
     *
     * @param created receives the SQL tables this transaction created
     * @return the number of statements executed
     */
    int apply(Connection c, SinkBatch batch, Set<String> created) throws SQLException, SinkException {
        // per CDC table, in order of first appearance: key -> the last message for it
        Map<TableInfo, LinkedHashMap<String, CdcMessage>> last = new LinkedHashMap<>();
        for (BlockChange block : batch.blocks()) {
            for (CdcMessage m : block.messages()) {
                last.computeIfAbsent(table(m.payload().table()), t -> new LinkedHashMap<>()).put(m.payload().key(), m);
            }
        }
        int statements = 0;
        for (TableInfo t : last.keySet()) {
            if (!existingTables.contains(t.sqlName()) && !created.contains(t.sqlName())) {
                statements += createTable(c, t);
                created.add(t.sqlName());
            }
        }
        for (Map.Entry<TableInfo, LinkedHashMap<String, CdcMessage>> e : last.entrySet()) {
            TableInfo t = e.getKey();
            List<String> deletes = new ArrayList<>();
            List<CdcMessage> upserts = new ArrayList<>();
            for (CdcMessage m : e.getValue().values()) {
                if (m.payload().operation() == Operation.DELETE) {
                    deletes.add(m.payload().key());
                } else {
                    upserts.add(m);
                }
            }
            statements += delete(c, t, deletes);
            statements += upsert(c, t, upserts);
        }
        return statements;
    }

    private int delete(Connection c, TableInfo t, List<String> keys) throws SQLException {
        int statements = 0;
        try (PreparedStatement ps = keys.isEmpty() ? null : c.prepareStatement(t.deleteSql())) {
            for (int from = 0; from < keys.size(); from += config.batchSize()) {
                List<String> chunk = keys.subList(from, Math.min(keys.size(), from + config.batchSize()));
                ps.setArray(1, c.createArrayOf("text", chunk.toArray()));
                execute(ps, t, "deleting from");
                statements++;
            }
        }
        return statements;
    }

    private int upsert(Connection c, TableInfo t, List<CdcMessage> rows) throws SQLException {
        int statements = 0;
        try (PreparedStatement ps = rows.isEmpty() ? null : c.prepareStatement(t.upsertSql())) {
            for (int from = 0; from < rows.size(); from += config.batchSize()) {
                List<CdcMessage> chunk = rows.subList(from, Math.min(rows.size(), from + config.batchSize()));
                int n = chunk.size();
                int width = t.columns().size();
                Object[] keys = new Object[n];
                Object[] data = new Object[n];
                Object[] heights = new Object[n];
                Object[] hashes = new Object[n];
                Object[][] typed = new Object[width][n];
                for (int i = 0; i < n; i++) {
                    CdcMessage m = chunk.get(i);
                    JsonNode row = m.payload().after();
                    keys[i] = m.payload().key();
                    data[i] = row.toString();
                    heights[i] = m.header().blockHeight();
                    hashes[i] = m.header().blockHash();
                    for (int col = 0; col < width; col++) {
                        typed[col][i] = typedValue(row, t.columns().get(col));
                    }
                }
                ps.setArray(1, c.createArrayOf("text", keys));
                ps.setArray(2, c.createArrayOf("text", data));
                ps.setArray(3, c.createArrayOf("int8", heights));
                ps.setArray(4, c.createArrayOf("text", hashes));
                for (int col = 0; col < width; col++) {
                    ps.setArray(5 + col, c.createArrayOf("text", typed[col]));
                }
                execute(ps, t, "upserting into");
                statements++;
            }
        }
        return statements;
    }

    /** A typed column's value as text (cast by the statement), or null when the path is missing or null. */
    private static String typedValue(JsonNode row, TypedColumn col) {
        JsonNode v = row.at(col.path());
        if (v.isMissingNode() || v.isNull()) {
            return null;
        }
        return col.sqlType().equals("jsonb") || !v.isValueNode() ? v.toString() : v.asText();
    }

    private static void execute(PreparedStatement ps, TableInfo t, String what) throws SQLException {
        try {
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new SQLException(what + " table '" + t.cdcTable() + "' (" + t.qualified() + ") failed: "
                    + e.getMessage(), e.getSQLState(), e);
        }
    }

    private TableInfo table(String cdcTable) throws SinkException {
        TableInfo t = tables.get(cdcTable);
        if (t != null) {
            return t;
        }
        String sqlName = sqlTableName(cdcTable);
        if (sqlName.equals(PostgresSinkConfig.CURSOR_TABLE)) {
            throw new SinkException(OWNER + " " + sinkName.get() + ": CDC table '" + cdcTable + "' maps to SQL table '"
                    + sqlName + "', which the sink uses for its cursor; set 'table_prefix'", null, false);
        }
        String q = SqlNames.qualified(config.schema(), sqlName);
        List<TypedColumn> cols = config.columnsOf(cdcTable);
        StringBuilder names = new StringBuilder("\"key\", \"data\", \"block_height\", \"block_hash\"");
        StringBuilder values = new StringBuilder("u.k, CAST(u.d AS jsonb), u.h, u.bh");
        StringBuilder arrays = new StringBuilder("CAST(? AS text[]), CAST(? AS text[]), CAST(? AS bigint[]),"
                + " CAST(? AS text[])");
        StringBuilder aliases = new StringBuilder("k, d, h, bh");
        StringBuilder set = new StringBuilder("\"data\" = EXCLUDED.\"data\", \"block_height\" = EXCLUDED.\"block_height\","
                + " \"block_hash\" = EXCLUDED.\"block_hash\"");
        for (int i = 0; i < cols.size(); i++) {
            TypedColumn col = cols.get(i);
            String qc = SqlNames.quote(col.name());
            names.append(", ").append(qc);
            values.append(", CAST(u.c").append(i).append(" AS ").append(col.sqlType()).append(')');
            arrays.append(", CAST(? AS text[])");
            aliases.append(", c").append(i);
            set.append(", ").append(qc).append(" = EXCLUDED.").append(qc);
        }
        String upsert = "INSERT INTO " + q + " (" + names + ") SELECT " + values + " FROM UNNEST(" + arrays + ") AS u("
                + aliases + ") ON CONFLICT (\"key\") DO UPDATE SET " + set;
        String delete = "DELETE FROM " + q + " WHERE \"key\" = ANY(CAST(? AS text[]))";
        t = new TableInfo(cdcTable, sqlName, q, upsert, delete, cols);
        tables.put(cdcTable, t);
        return t;
    }

    /** Creates the table (and its typed columns) if missing; returns the number of statements executed. */
    private int createTable(Connection c, TableInfo t) throws SQLException {
        if (!config.createTables()) {
            return 0;
        }
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + t.qualified() + " (\"key\" text PRIMARY KEY, \"data\" jsonb NOT NULL,"
                    + " \"block_height\" bigint NOT NULL, \"block_hash\" text NOT NULL)");
            for (TypedColumn col : t.columns()) {
                st.execute("ALTER TABLE " + t.qualified() + " ADD COLUMN IF NOT EXISTS " + SqlNames.quote(col.name()) + " "
                        + col.sqlType());
            }
        }
        return 1 + t.columns().size();
    }
}
