package dev.debshrew.sink.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PostgresSinkConfigTest {

    private static Map<String, Object> minimal() {
        Map<String, Object> c = new HashMap<>();
        c.put("url", "jdbc:postgresql://127.0.0.1:5432/db");
        return c;
    }

    @Test
    void defaultsAndAlias() {
        PostgresSinkConfig c = PostgresSinkConfig.from(minimal());
        assertThat(c.schema()).isEqualTo("public");
        assertThat(c.mode()).isEqualTo(PostgresSinkConfig.Mode.MATERIALIZED);
        assertThat(c.eventsTable()).isEqualTo("cdc_events");
        assertThat(c.tablePrefix()).isEmpty();
        assertThat(c.createTables()).isTrue();
        assertThat(c.pipeline()).isEqualTo("debshrew");
        assertThat(c.poolSize()).isEqualTo(2);
        assertThat(c.columns()).isEmpty();

        Map<String, Object> m = new HashMap<>();
        m.put("jdbc_url", "jdbc:postgresql://h/db");
        m.put("mode", "changelog");
        assertThat(PostgresSinkConfig.from(m).url()).isEqualTo("jdbc:postgresql://h/db");
    }

    @Test
    void rejectsBadConfigs() {
        assertThatThrownBy(() -> PostgresSinkConfig.from(Map.of())).hasMessageContaining("give exactly one of option 'url'");
        Map<String, Object> both = minimal();
        both.put("jdbc_url", "jdbc:postgresql://x/y");
        assertThatThrownBy(() -> PostgresSinkConfig.from(both)).hasMessageContaining("same option");
        Map<String, Object> mysql = new HashMap<>(Map.of("url", "jdbc:mysql://x/y"));
        assertThatThrownBy(() -> PostgresSinkConfig.from(mysql)).hasMessageContaining("jdbc:postgresql:");
        Map<String, Object> typ = minimal();
        typ.put("columns", Map.of("t", Map.of("c", Map.of("type", "varchar; drop", "path", "x"))));
        assertThatThrownBy(() -> PostgresSinkConfig.from(typ)).hasMessageContaining("'type' must be one of");
        Map<String, Object> reserved = minimal();
        reserved.put("columns", Map.of("t", Map.of("data", Map.of("type", "text", "path", "x"))));
        assertThatThrownBy(() -> PostgresSinkConfig.from(reserved)).hasMessageContaining("reserved");
        Map<String, Object> pool = minimal();
        pool.put("pool_size", 0);
        assertThatThrownBy(() -> PostgresSinkConfig.from(pool)).hasMessageContaining("'pool_size'");
        Map<String, Object> unknown = minimal();
        unknown.put("usr", "x");
        assertThatThrownBy(() -> PostgresSinkConfig.from(unknown)).hasMessageContaining("unknown option(s) [usr]");
    }

    @Test
    void identifiersAreBoundedDeterministicAndDistinct() {
        assertThat(SqlNames.identifier("plain")).isEqualTo("plain");
        assertThat(SqlNames.quote("a\"b")).isEqualTo("\"a\"\"b\"");
        String a = SqlNames.identifier("x".repeat(64));
        String b = SqlNames.identifier("x".repeat(65));
        assertThat(a).hasSize(63).isNotEqualTo(b).isEqualTo(SqlNames.identifier("x".repeat(64)));
        String multi = SqlNames.identifier("€".repeat(30)); // 90 bytes
        assertThat(SqlNames.utf8Length(multi)).isLessThanOrEqualTo(63);
        assertThat(SqlNames.identifier("a\u0000b")).doesNotContain("\u0000").startsWith("a_b~").hasSize(20);
        assertThat(SqlNames.advisoryLockKey("p")).isEqualTo(SqlNames.advisoryLockKey("p"))
                .isNotEqualTo(SqlNames.advisoryLockKey("q"));
        assertThat(TypedColumns.toPointer("a.b", "w").toString()).isEqualTo("/a/b");
    }
}
