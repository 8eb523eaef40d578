package dev.debshrew.sink.postgres;

import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.sink.BlockChange;
import dev.debshrew.sink.SinkBatch;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;

/**
 * Changelog mode of the {@link PostgresSink}: every message of a batch appended to the events
 * table, in order ({@code id} follows the batch's order; {@code idx} is the message's position
 * within its block), with one {@code INSERT ... SELECT FROM UNNEST(...)} per {@code batch_size}
 * messages. Runs inside the sink's transaction.
 */
final class ChangelogWriter {

    private final PostgresSinkConfig config;
    private final CdcCodec codec = new CdcCodec();
    private final String eventsTable;
    private final String insertSql;

    ChangelogWriter(PostgresSinkConfig config, String eventsTable) {
        this.config = config;
        this.eventsTable = eventsTable;
        this.insertSql = "INSERT INTO " + eventsTable
                + " (pipeline, block_height, block_hash, idx, operation, tbl, key, payload, inverse)"
                + " SELECT ?, u.h, u.bh, u.i, u.op, u.t, u.k, CAST(u.p AS jsonb), u.inv"
                + " FROM UNNEST(CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS integer[]), CAST(? AS text[]),"
                + " CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS boolean[]))"
                + " WITH ORDINALITY AS u(h, bh, i, op, t, k, p, inv, n) ORDER BY u.n";
    }

    /** Appends the batch's messages; returns the number of statements executed. */
    int apply(Connection c, SinkBatch batch) throws SQLException {
        int total = batch.messageCount();
        if (total == 0) {
            return 0;
        }
        int chunk = Math.min(total, config.batchSize());
        Rows rows = new Rows(chunk);
        int statements = 0;
        try (PreparedStatement ps = c.prepareStatement(insertSql)) {
            for (BlockChange block : batch.blocks()) {
                List<CdcMessage> messages = block.messages();
                for (int i = 0; i < messages.size(); i++) {
                    rows.add(messages.get(i), i);
                    if (rows.n == chunk) {
                        statements += rows.insert(c, ps);
                    }
                }
            }
            statements += rows.insert(c, ps);
        }
        return statements;
    }

    /** The column arrays of one statement. */
    private final class Rows {
        final Object[] heights;
        final Object[] hashes;
        final Object[] idx;
        final Object[] ops;
        final Object[] tables;
        final Object[] keys;
        final Object[] payloads;
        final Object[] inverse;
        int n;

        Rows(int size) {
            heights = new Object[size];
            hashes = new Object[size];
            idx = new Object[size];
            ops = new Object[size];
            tables = new Object[size];
            keys = new Object[size];
            payloads = new Object[size];
            inverse = new Object[size];
        }

        void add(CdcMessage m, int index) {
            heights[n] = m.header().blockHeight();
            hashes[n] = m.header().blockHash();
            idx[n] = index;
            ops[n] = m.payload().operation().wireName();
            tables[n] = m.payload().table();
            keys[n] = m.payload().key();
            payloads[n] = codec.encode(m);
            inverse[n] = m.header().inverse();
            n++;
        }

        /** Inserts the rows gathered so far (if any) and starts over; returns the statements executed. */
        int insert(Connection c, PreparedStatement ps) throws SQLException {
            if (n == 0) {
                return 0;
            }
            ps.setString(1, config.pipeline());
            ps.setArray(2, c.createArrayOf("int8", Arrays.copyOf(heights, n)));
            ps.setArray(3, c.createArrayOf("text", Arrays.copyOf(hashes, n)));
            ps.setArray(4, c.createArrayOf("int4", Arrays.copyOf(idx, n)));
            ps.setArray(5, c.createArrayOf("text", Arrays.copyOf(ops, n)));
            ps.setArray(6, c.createArrayOf("text", Arrays.copyOf(tables, n)));
            ps.setArray(7, c.createArrayOf("text", Arrays.copyOf(keys, n)));
            ps.setArray(8, c.createArrayOf("text", Arrays.copyOf(payloads, n)));
            ps.setArray(9, c.createArrayOf("bool", Arrays.copyOf(inverse, n)));
            try {
                ps.executeUpdate();
            } catch (SQLException e) {
                throw new SQLException("appending to " + eventsTable + " failed: " + e.getMessage(), e.getSQLState(), e);
            }
            n = 0;
            return 1;
        }
    }
}
