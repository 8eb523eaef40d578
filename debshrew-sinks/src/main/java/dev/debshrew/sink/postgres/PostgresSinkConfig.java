package dev.debshrew.sink.postgres;

import com.fasterxml.jackson.core.JsonPointer;
import dev.debshrew.config.ConfigOption;
import dev.debshrew.config.ConfigOptions;
import dev.debshrew.sink.CompatOptions;
import dev.debshrew.util.Secrets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Configuration of the {@link PostgresSink}. Every option is declared once below (name, type,
 * default, validation, doc); {@link #from(Map)} reads them from the sink's JSON config section and
 * rejects unknown keys.
 */
public final class PostgresSinkConfig {

    static final String OWNER = "postgresql sink";

    /** Name of the cursor table (in {@code schema}). */
    public static final String CURSOR_TABLE = "debshrew_cursor";

    /** How CDC messages are stored. */
    public enum Mode {
        /** One SQL table per CDC table, holding the current rows (upsert / delete). */
        MATERIALIZED,
        /** One append-only table of every message. */
        CHANGELOG
    }

    public static final ConfigOption<String> URL = ConfigOption.string("url")
            .alias("jdbc_url")
            .doc("JDBC URL of the database, e.g. `jdbc:postgresql://127.0.0.1:5432/cdc` (pgjdbc URL parameters such "
                    + "as `sslmode` may be appended); a libpq URI (`postgresql://...`) is read like "
                    + "`connection_string`. Give either `url` or `connection_string`. Must start with "
                    + "`jdbc:postgresql:`, `postgresql://` or `postgres://`.")
            .build();

    public static final ConfigOption<String> CONNECTION_STRING = ConfigOption.string("connection_string")
            .validate(s -> !s.isBlank(), "must not be empty")
            .doc("libpq connection string, as in the original debshrew: a URI "
                    + "`postgresql://user:pw@host:5432/db?sslmode=require` (parts percent-decoded) or keywords "
                    + "`host=... port=... dbname=... user=... password='...'` (values may be single-quoted with `\\'` "
                    + "and `\\\\` escapes). Supported keywords: host, port, dbname, user, password, sslmode, sslcert, "
                    + "sslkey, sslrootcert, sslpassword, application_name, connect_timeout, options, keepalives, "
                    + "target_session_attrs, gssencmode; one TCP host only (no host lists, no Unix sockets). "
                    + "Host defaults to localhost, port to 5432, dbname to the user.")
            .build();

    public static final ConfigOption<String> USER = ConfigOption.string("user")
            .doc("Database user (or give it in the URL / connection string; this option wins).")
            .build();

    public static final ConfigOption<String> PASSWORD = ConfigOption.string("password").secret()
            .doc("Database password (or give it in the URL / connection string; this option wins).")
            .build();

    public static final ConfigOption<String> SCHEMA = ConfigOption.string("schema")
            .defaultValue("public")
            .validate(s -> !s.isEmpty() && s.indexOf('\0') < 0 && SqlNames.utf8Length(s) <= SqlNames.MAX_IDENTIFIER_BYTES,
                    "must be a non-empty name of at most 63 bytes without NUL")
            .doc("Schema holding every table the sink writes (created if missing when `create_tables` is true).")
            .build();

    public static final ConfigOption<Mode> MODE = ConfigOption.enumeration("mode", Mode.class)
            .defaultValue(Mode.MATERIALIZED)
            .doc("`materialized`: one SQL table per CDC table with the current rows (create/update = upsert, "
                    + "delete = DELETE). `changelog`: every message appended to `events_table`.")
            .build();

    public static final ConfigOption<String> EVENTS_TABLE = ConfigOption.string("events_table")
            .defaultValue("cdc_events")
            .validate(s -> !s.isEmpty() && s.indexOf('\0') < 0 && SqlNames.utf8Length(s) <= SqlNames.MAX_IDENTIFIER_BYTES,
                    "must be a non-empty name of at most 63 bytes without NUL")
            .doc("Changelog mode: name of the append-only table (id bigserial, pipeline, block_height, block_hash, "
                    + "idx, operation, tbl, key, payload jsonb, inverse).")
            .build();

    public static final ConfigOption<String> TABLE_PREFIX = ConfigOption.string("table_prefix")
            .defaultValue("")
            .doc("Materialized mode: prefix of every SQL table name (`<prefix><cdc table>`). Names are quoted "
                    + "identifiers and the mapping is injective (see Table names): a name that fits 63 bytes and has "
                    + "no `~` or NUL is used as it is, any other gets a readable prefix, `~` and a 16-hex-digit hash.")
            .build();

    public static final ConfigOption<Boolean> CREATE_TABLES = ConfigOption.bool("create_tables")
            .defaultValue(true)
            .doc("Create the schema, the cursor table, the events table and the per-table SQL tables (and "
                    + "typed columns) if they do not exist. When false they must exist.")
            .build();

    public static final ConfigOption<String> PIPELINE = ConfigOption.string("pipeline")
            .defaultValue("debshrew")
            .validate(s -> !s.isEmpty(), "must not be empty")
            .doc("Name of this pipeline: key of its row in `debshrew_cursor`, value of the `pipeline` column in "
                    + "changelog mode, and the name its advisory lock is derived from (single writer).")
            .build();

    public static final ConfigOption<Integer> POOL_SIZE = ConfigOption.integer("pool_size")
            .defaultValue(2)
            .validate(v -> v >= 1 && v <= 100, "must be between 1 and 100")
            .doc("Maximum connections of the HikariCP pool used for writes (the advisory lock uses one more, "
                    + "dedicated connection).")
            .build();

    public static final ConfigOption<Integer> BATCH_SIZE = ConfigOption.integer("batch_size")
            .defaultValue(1000)
            .validate(v -> v >= 1, "must be at least 1")
            .doc("Most rows per multi-row statement: a batch of blocks is written with `UNNEST` array statements "
                    + "(per table one upsert and one delete, or one changelog insert) of up to this many rows each.")
            .build();

    public static final ConfigOption<Long> CONNECTION_TIMEOUT_MS = ConfigOption.longInt("connection_timeout_ms")
            .defaultValue(30_000L)
            .validate(v -> v >= 250, "must be at least 250")
            .doc("Longest wait for a database connection (pool checkout, connecting).")
            .build();

    public static final ConfigOption<Long> STATEMENT_TIMEOUT_MS = ConfigOption.longInt("statement_timeout_ms")
            .defaultValue(60_000L)
            .validate(v -> v == 0 || v >= 100, "must be 0 (no limit) or at least 100")
            .doc("PostgreSQL `statement_timeout` of the sink's sessions: a statement running longer is cancelled "
                    + "and the batch fails with a retriable error (rolled back, sent again).")
            .build();

    public static final ConfigOption<Long> LOCK_TIMEOUT_MS = ConfigOption.longInt("lock_timeout_ms")
            .defaultValue(10_000L)
            .validate(v -> v == 0 || v >= 100, "must be 0 (no limit) or at least 100")
            .doc("PostgreSQL `lock_timeout`: longest wait for a table or row lock held by another session (e.g. a "
                    + "long-running query or a manual `LOCK TABLE`); past it the batch fails with a retriable error.")
            .build();

    public static final ConfigOption<Long> SOCKET_TIMEOUT_MS = ConfigOption.longInt("socket_timeout_ms")
            .defaultValue(120_000L)
            .validate(v -> v == 0 || v >= 1000, "must be 0 (no limit) or at least 1000")
            .doc("pgjdbc `socketTimeout` (rounded up to whole seconds): longest wait for any reply from the server, "
                    + "so a half-open connection (server gone without a reset) fails the batch with a retriable error "
                    + "instead of hanging. Must exceed `statement_timeout_ms` and `lock_timeout_ms` (when set), so the "
                    + "server cancels a slow statement first.")
            .build();

    public static final ConfigOption<Long> FLUSH_INTERVAL = CompatOptions.flushInterval(
            "each batch of blocks is committed in one transaction");

    public static final ConfigOption<Map<String, Object>> COLUMNS = ConfigOption.object("columns")
            .doc("Materialized mode: typed columns extracted from each row, per CDC table: "
                    + "`{\"<table>\": {\"<column>\": {\"type\": \"bigint\", \"path\": \"field.sub\"}}}`. Types: "
                    + "text, bigint, integer, smallint, numeric, boolean, double precision, real, jsonb. `path` is a "
                    + "dotted path or a JSON pointer (`/a/b`) into the row (`after`); a missing or null value "
                    + "stores NULL; a value that does not convert to the type fails the batch.")
            .build();

    /** Every declared option, in documentation order. */
    public static final List<ConfigOption<?>> OPTIONS = List.of(
            URL, CONNECTION_STRING, USER, PASSWORD, SCHEMA, MODE, EVENTS_TABLE, TABLE_PREFIX, CREATE_TABLES, PIPELINE,
            POOL_SIZE, BATCH_SIZE, CONNECTION_TIMEOUT_MS, STATEMENT_TIMEOUT_MS, LOCK_TIMEOUT_MS, SOCKET_TIMEOUT_MS,
            FLUSH_INTERVAL, COLUMNS);

    /** A typed column of a materialized table. */
    public record TypedColumn(String name, String sqlType, JsonPointer path) {
    }

    private final String url;
    private final Map<String, String> urlProperties;
    private final String user;
    private final String password;
    private final String schema;
    private final Mode mode;
    private final String eventsTable;
    private final String tablePrefix;
    private final boolean createTables;
    private final String pipeline;
    private final int poolSize;
    private final int batchSize;
    private final long connectionTimeoutMs;
    private final long statementTimeoutMs;
    private final long lockTimeoutMs;
    private final long socketTimeoutMs;
    private final Map<String, List<TypedColumn>> columns;

    private PostgresSinkConfig(Map<String, ?> c) {
        ConfigOptions.checkKnown(c, OPTIONS, List.of(), OWNER);
        String jdbc = URL.get(c, OWNER);
        String libpq = CONNECTION_STRING.get(c, OWNER);
        if ((jdbc == null) == (libpq == null)) {
            throw new IllegalArgumentException(OWNER + ": give exactly one of option 'url' (a JDBC URL) or option"
                    + " 'connection_string' (a libpq connection string)" + (jdbc == null ? "" : ", not both"));
        }
        if (libpq != null && libpq.startsWith("jdbc:postgresql:")) {
            jdbc = libpq; // a JDBC URL given as the connection string
            libpq = null;
        } else if (jdbc != null && LibpqConnectionString.isUri(jdbc)) {
            libpq = jdbc; // a libpq URI given as the URL
            jdbc = null;
        } else if (jdbc != null && !jdbc.startsWith("jdbc:postgresql:")) {
            // checked here, not by the option, so that the value is shown without its credentials
            throw new IllegalArgumentException(OWNER + ": option '" + (c.containsKey("url") ? "url" : "jdbc_url")
                    + "' must start with jdbc:postgresql: (or be a postgresql:// URI), got '" + Secrets.redactUrl(jdbc)
                    + "'");
        }
        if (libpq != null) {
            LibpqConnectionString parsed;
            try {
                parsed = LibpqConnectionString.parse(libpq);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(OWNER + ": " + e.getMessage(), e);
            }
            url = parsed.jdbcUrl();
            urlProperties = parsed.properties();
        } else {
            url = jdbc;
            urlProperties = Map.of();
        }
        user = USER.get(c, OWNER);
        password = PASSWORD.get(c, OWNER);
        schema = SCHEMA.get(c, OWNER);
        mode = MODE.get(c, OWNER);
        eventsTable = EVENTS_TABLE.get(c, OWNER);
        tablePrefix = TABLE_PREFIX.get(c, OWNER);
        createTables = CREATE_TABLES.get(c, OWNER);
        pipeline = PIPELINE.get(c, OWNER);
        poolSize = POOL_SIZE.get(c, OWNER);
        batchSize = BATCH_SIZE.get(c, OWNER);
        connectionTimeoutMs = CONNECTION_TIMEOUT_MS.get(c, OWNER);
        statementTimeoutMs = STATEMENT_TIMEOUT_MS.get(c, OWNER);
        lockTimeoutMs = LOCK_TIMEOUT_MS.get(c, OWNER);
        socketTimeoutMs = SOCKET_TIMEOUT_MS.get(c, OWNER);
        FLUSH_INTERVAL.get(c, OWNER); // validated, then ignored
        if (socketTimeoutMs > 0 && (socketTimeoutMs <= statementTimeoutMs || socketTimeoutMs <= lockTimeoutMs)) {
            throw new IllegalArgumentException(OWNER + ": option 'socket_timeout_ms' (" + socketTimeoutMs + ") must be"
                    + " greater than 'statement_timeout_ms' (" + statementTimeoutMs + ", 0 = none) and"
                    + " 'lock_timeout_ms' (" + lockTimeoutMs + "), so that the server cancels a slow statement first;"
                    + " or 0 to disable it");
        }
        Map<String, Object> cols = COLUMNS.get(c, OWNER);
        columns = cols == null ? Map.of() : TypedColumns.parse(cols);
        if (eventsTable.equals(CURSOR_TABLE)) {
            throw new IllegalArgumentException(OWNER + ": option 'events_table' must not be '" + CURSOR_TABLE
                    + "' (the cursor table)");
        }
        if (!columns.isEmpty() && mode != Mode.MATERIALIZED) {
            throw new IllegalArgumentException(OWNER + ": option 'columns' applies to mode 'materialized' only");
        }
    }

    /**
     * Reads and validates the sink's JSON config section.
     *
     * @throws IllegalArgumentException naming the offending option
     */
    public static PostgresSinkConfig from(Map<String, ?> config) {
        return new PostgresSinkConfig(config);
    }

    /** The JDBC URL (from {@code url}, or translated from {@code connection_string}); may hold credentials. */
    public String url() {
        return url;
    }

    /**
     * The pgjdbc connection properties: those translated from {@code connection_string}, then
     * {@code user} / {@code password}, the timeouts (as {@code options=-c statement_timeout=..
     * -c lock_timeout=..}, before any {@code options} of the connection string), {@code socketTimeout},
     * {@code connectTimeout} and {@code tcpKeepAlive}.
     */
    public Properties connectionProperties() {
        Properties p = new Properties();
        p.putAll(urlProperties);
        if (user != null) {
            p.setProperty("user", user);
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        String options = "-c statement_timeout=" + statementTimeoutMs + " -c lock_timeout=" + lockTimeoutMs;
        p.setProperty("options", urlProperties.containsKey("options") ? options + " " + urlProperties.get("options")
                : options);
        p.setProperty("socketTimeout", String.valueOf((socketTimeoutMs + 999) / 1000));
        p.putIfAbsent("connectTimeout", String.valueOf(Math.max(1, (connectionTimeoutMs + 999) / 1000)));
        p.putIfAbsent("tcpKeepAlive", "true");
        return p;
    }

    public long statementTimeoutMs() {
        return statementTimeoutMs;
    }

    public long lockTimeoutMs() {
        return lockTimeoutMs;
    }

    public long socketTimeoutMs() {
        return socketTimeoutMs;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    public String schema() {
        return schema;
    }

    public Mode mode() {
        return mode;
    }

    public String eventsTable() {
        return eventsTable;
    }

    public String tablePrefix() {
        return tablePrefix;
    }

    public boolean createTables() {
        return createTables;
    }

    public String pipeline() {
        return pipeline;
    }

    public int poolSize() {
        return poolSize;
    }

    public int batchSize() {
        return batchSize;
    }

    public long connectionTimeoutMs() {
        return connectionTimeoutMs;
    }

    /** Typed columns per CDC table (empty when none). */
    public Map<String, List<TypedColumn>> columns() {
        return columns;
    }

    /** Typed columns of {@code table}. */
    public List<TypedColumn> columnsOf(String table) {
        return columns.getOrDefault(table, List.of());
    }

    /** The configuration with every credential masked ({@link Secrets}). */
    @Override
    public String toString() {
        return "PostgresSinkConfig{url=" + Secrets.redactUrl(url) + ", user=" + user + ", password="
                + Secrets.mask(password) + ", schema=" + schema + ", mode=" + mode.name().toLowerCase(Locale.ROOT)
                + ", pipeline=" + pipeline + "}";
    }
}
