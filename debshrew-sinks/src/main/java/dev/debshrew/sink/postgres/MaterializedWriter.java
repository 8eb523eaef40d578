package dev.debshrew.sink.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.cdc.Operation;
import dev.debshrew.sink.SinkException;
import dev.debshrew.sink.postgres.PostgresSinkConfig.TypedColumn;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Materialized mode of the {@link PostgresSink}: one SQL table per CDC table (named by
 * {@link SqlNames#identifier}), create/update upserted, delete deleted, in order, consecutive
 * statements of one table and kind sent as one JDBC batch. Runs inside the sink's transaction.
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

    void apply(Connection c, List<CdcMessage> block, Set<String> created) throws SQLException,
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
            throw new SinkException(OWNER + " " + sinkName.get() + ": CDC table '" + cdcTable + "' maps to SQL table '" + sqlName
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
}
