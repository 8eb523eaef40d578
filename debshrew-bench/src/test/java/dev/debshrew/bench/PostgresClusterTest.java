package dev.debshrew.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcHeader;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.cdc.CdcPayload;
import dev.debshrew.cdc.Operation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The throw-away Debian PostgreSQL 15 cluster starts with real durability settings and is gone after
 * close; the PostgreSQL ceiling writes the rows a materialized sink would hold. Skipped, with the
 * reason, where PostgreSQL 15 is not installed or {@code runuser -u postgres} is not possible.
 */
class PostgresClusterTest {

    @Test
    void startsDurableAndIsRemovedAtClose_andTheCeilingWritesTheSameRows() throws Exception {
        Optional<String> why = PostgresCluster.unavailable();
        Assumptions.assumeTrue(why.isEmpty(), () -> "skipped: " + why.orElse(""));
        Path data;
        try (PostgresCluster pg = PostgresCluster.start()) {
            data = pg.dataDirectory();
            assertThat(pg.isUp()).isTrue();
            assertThat(pg.jdbcUrl()).startsWith("jdbc:postgresql://127.0.0.1:");
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl()); Statement s = c.createStatement()) {
                assertThat(setting(s, "fsync")).isEqualTo("on");
                assertThat(setting(s, "synchronous_commit")).isEqualTo("on");
                assertThat(setting(s, "server_version")).startsWith("15.");
                assertThat(setting(s, "listen_addresses")).isEqualTo("127.0.0.1");
            }
            // a repeated key inside one multi-row statement, then a delete: last write wins, deleted rows are gone
            List<CdcMessage> messages = List.of(msg(1, Operation.CREATE, "a", 1), msg(1, Operation.CREATE, "b", 1),
                    msg(2, Operation.UPDATE, "a", 2), msg(2, Operation.CREATE, "c", 1), msg(3, Operation.DELETE, "b", 0),
                    msg(3, Operation.UPDATE, "c", 5));
            double seconds = PostgresCeiling.measure(pg.jdbcUrl(), "ceiling_test", messages);
            assertThat(seconds).isPositive();
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl()); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT key, data->>'n', block_height FROM ceiling_test.t0 ORDER BY key")) {
                Map<String, String> rows = new LinkedHashMap<>();
                while (rs.next()) {
                    rows.put(rs.getString(1), rs.getString(2) + "@" + rs.getLong(3));
                }
                assertThat(rows).containsExactly(Map.entry("a", "2@2"), Map.entry("c", "5@3"));
            }
        }
        assertThat(Files.exists(data)).as("data directory removed").isFalse();
    }

    private static String setting(Statement s, String name) throws Exception {
        try (ResultSet rs = s.executeQuery("SHOW " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static CdcMessage msg(long height, Operation op, String key, int n) {
        ObjectNode after = op == Operation.DELETE ? null : CdcCodec.mapper().createObjectNode().put("n", n);
        ObjectNode before = op == Operation.CREATE ? null : CdcCodec.mapper().createObjectNode().put("n", 0);
        return new CdcMessage(CdcHeader.of("test", 0, height, "00".repeat(32), null),
                new CdcPayload(op, "rows", key, before, after));
    }
}
