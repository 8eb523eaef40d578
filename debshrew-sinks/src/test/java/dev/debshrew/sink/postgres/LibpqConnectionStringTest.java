package dev.debshrew.sink.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The original debshrew's libpq connection strings, both forms, translated for pgjdbc. */
class LibpqConnectionStringTest {

    @Test
    void originalPostgresConnectionStringIsAccepted() {
        LibpqConnectionString kw = LibpqConnectionString.parse("host=db.internal port=6543 dbname='my db' user=debshrew"
                + " password='it\\'s \\\\ secret' sslmode=verify-full sslrootcert=/etc/ca.pem application_name=cdc"
                + " connect_timeout=7 options='-c search_path=x' target_session_attrs=read-write keepalives=0");
        assertThat(kw.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6543/my%20db");
        assertThat(kw.properties()).containsEntry("user", "debshrew").containsEntry("password", "it's \\ secret")
                .containsEntry("sslmode", "verify-full").containsEntry("sslrootcert", "/etc/ca.pem")
                .containsEntry("ApplicationName", "cdc").containsEntry("connectTimeout", "7")
                .containsEntry("options", "-c search_path=x").containsEntry("targetServerType", "primary")
                .containsEntry("tcpKeepAlive", "false");
        assertThat(kw.toString()).doesNotContain("secret").contains("***");

        LibpqConnectionString uri = LibpqConnectionString.parse(
                "postgresql://deb%40shrew:p%40ss%2Fw%3Ard@[::1]:5433/c%C3%A9dc?sslmode=require&application_name=a%20b");
        assertThat(uri.jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5433/c%C3%A9dc");
        assertThat(uri.properties()).containsEntry("user", "deb@shrew").containsEntry("password", "p@ss/w:rd")
                .containsEntry("sslmode", "require").containsEntry("ApplicationName", "a b");

        LibpqConnectionString defaults = LibpqConnectionString.parse("postgres://u@/");
        assertThat(defaults.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/u");
        assertThat(LibpqConnectionString.parse("user=u").jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/u");
        assertThat(LibpqConnectionString.parse("postgresql://h/db?host=other&port=7").jdbcUrl())
                .isEqualTo("jdbc:postgresql://other:7/db");
    }

    @Test
    void badConnectionStringsAreRejectedWithoutShowingThePassword() {
        String[][] cases = {
            {"postgresql://u:hunter2@h1:5432,h2:5432/db", "several hosts"},
            {"host=h1,h2 user=u password=hunter2", "several hosts"},
            {"host=/var/run/postgresql password=hunter2", "Unix-domain socket"},
            {"host=h port=5432,5433 password=hunter2", "must be one number"},
            {"host=h password=hunter2 sslmode=sometimes", "sslmode 'sometimes' must be one of"},
            {"host=h password=hunter2 bogus=1", "unsupported keyword 'bogus'"},
            {"host=h password='hunter2", "unterminated quoted value of 'password'"},
            {"host=h password hunter2", "expected keyword=value"},
            {"postgresql://u:hunter2%zz@h/db", "invalid percent-encoding in password"},
            {"host=h password=hunter2 password=hunter2", "'password' is given twice"},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> LibpqConnectionString.parse(c[0])).as(c[0])
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("connection_string").hasMessageContaining(c[1])
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
        }
        // through the sink config: the option is named, the password is not shown
        assertThatThrownBy(() -> PostgresSinkConfig.from(Map.of("connection_string", "host=h1,h2 password=hunter2")))
                .hasMessageStartingWith("postgresql sink: option 'connection_string'")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
        assertThatThrownBy(() -> PostgresSinkConfig.from(Map.of("connection_string", "host=h",
                "url", "jdbc:postgresql://h/db"))).hasMessageContaining("not both");
        assertThatThrownBy(() -> PostgresSinkConfig.from(Map.of("url", "mysql://u:hunter2@h/db")))
                .hasMessageContaining("option 'url' must start with jdbc:postgresql:")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
        PostgresSinkConfig uriAsUrl = PostgresSinkConfig.from(Map.of("url", "postgresql://u:hunter2@h:6000/db"));
        assertThat(uriAsUrl.url()).isEqualTo("jdbc:postgresql://h:6000/db");
        assertThat(uriAsUrl.connectionProperties()).containsEntry("password", "hunter2");
    }

    @Test
    void configCombinesConnectionStringOptionsAndTimeouts() {
        PostgresSinkConfig c = PostgresSinkConfig.from(Map.of("connection_string",
                "host=h user=a password=hunter2 options='-c work_mem=64MB'", "password", "override",
                "statement_timeout_ms", 5000, "lock_timeout_ms", 1000, "socket_timeout_ms", 9500,
                "batch_size", 100, "flush_interval", 1000, "schema", "public"));
        assertThat(c.url()).isEqualTo("jdbc:postgresql://h:5432/a");
        assertThat(c.connectionProperties()).containsEntry("user", "a").containsEntry("password", "override")
                .containsEntry("options", "-c statement_timeout=5000 -c lock_timeout=1000 -c work_mem=64MB")
                .containsEntry("socketTimeout", "10").containsEntry("connectTimeout", "30");
        assertThat(c.toString()).doesNotContain("override").doesNotContain("hunter2");
        assertThat(PostgresSinkConfig.from(Map.of("connection_string", "jdbc:postgresql://h/db")).url())
                .isEqualTo("jdbc:postgresql://h/db");
        assertThatThrownBy(() -> PostgresSinkConfig.from(Map.of("url", "jdbc:postgresql://h/db",
                "statement_timeout_ms", 60_000, "socket_timeout_ms", 30_000)))
                .hasMessageContaining("'socket_timeout_ms' (30000) must be greater than 'statement_timeout_ms'");
    }
}
