package dev.debshrew.connect;

import dev.debshrew.sink.format.KeyFormat;
import dev.debshrew.sink.kafka.TopicNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

/**
 * The connector's configuration, declared once ({@link #CONFIG_DEF}): what the daemon's config file
 * holds for one pipeline (node, transform module, reorg window, start height, output topic or
 * per-table topic template, key and value format), in Kafka Connect's dotted style. The connector validates it; each task parses it again.
 */
public final class DebshrewConnectorConfig extends AbstractConfig {

    public static final String NODE_URL = "node.url";
    public static final String NODE_READ_TIMEOUT_MS = "node.read.timeout.ms";
    public static final String TRANSFORM_MODULE = "transform.module";
    public static final String CACHE_SIZE = "cache.size";
    public static final String START_HEIGHT = "start.height";
    public static final String PIPELINE_NAME = "pipeline.name";
    public static final String TOPIC = "topic";
    public static final String TOPIC_TEMPLATE = "topic.template";
    public static final String KEY_FORMAT = "key.format";
    public static final String VALUE_FORMAT = "value.format";
    public static final String CURSOR_TOPIC = "cursor.topic";
    public static final String POLL_INTERVAL_MS = "poll.interval.ms";
    public static final String HANDOFF_TIMEOUT_MS = "handoff.timeout.ms";
    public static final String STATE_BOOTSTRAP_SERVERS = "state.bootstrap.servers";
    public static final String STATE_TOPIC = "state.topic";
    public static final String STATE_READ_TIMEOUT_MS = "state.read.timeout.ms";
    public static final String STATE_CACHE = "state.cache";
    public static final String STATE_CACHE_DIR = "state.cache.dir";
    /** Prefix of further client settings (security) for reading the changelog, e.g. state.client.security.protocol. */
    public static final String STATE_CLIENT_PREFIX = "state.client.";

    private static final String GROUP = "debshrew";
    static final String STRING_CONVERTER = "org.apache.kafka.connect.storage.StringConverter";
    static final String JSON_CONVERTER = "org.apache.kafka.connect.json.JsonConverter";
    static final String KEY_CONVERTER = "key.converter";
    static final String VALUE_CONVERTER = "value.converter";

    /** Every option of the connector, with its documentation: the single declaration. */
    public static final ConfigDef CONFIG_DEF = new ConfigDef()
            .define(NODE_URL, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    Importance.HIGH, "JSON-RPC URL of the metashrew node, e.g. http://metashrew:8080 (the"
                            + " daemon's metashrew.url).", GROUP, 1, ConfigDef.Width.LONG, "Node URL")
            .define(NODE_READ_TIMEOUT_MS, Type.LONG, 30_000L, ConfigDef.Range.between(100, 3_600_000),
                    Importance.LOW, "Read timeout of one node call, in milliseconds.", GROUP, 2,
                    ConfigDef.Width.SHORT, "Node read timeout")
            .define(TRANSFORM_MODULE, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    Importance.HIGH, "Path of the transform's .wasm module on every worker (the daemon's"
                            + " transform.module).", GROUP, 3, ConfigDef.Width.LONG, "Transform module")
            .define(CACHE_SIZE, Type.INT, 6, ConfigDef.Range.between(1, 100_000), Importance.MEDIUM,
                    "Blocks kept in the reorg window (the daemon's cache_size).", GROUP, 4, ConfigDef.Width.SHORT,
                    "Reorg window")
            .define(START_HEIGHT, Type.LONG, null, nullOrAtLeastZero(), Importance.MEDIUM,
                    "First block to process when the connector has no offset yet; unset: the node's tip.",
                    GROUP, 5, ConfigDef.Width.SHORT, "Start height")
            .define(PIPELINE_NAME, Type.STRING, null, Importance.MEDIUM, "Name of the pipeline: the source"
                    + " partition of its offsets ({\"pipeline\": name}). Unset: the connector's name. Keep it"
                    + " when renaming the connector to keep the offsets.", GROUP, 6, ConfigDef.Width.MEDIUM,
                    "Pipeline name")
            .define(TOPIC, Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
                    Importance.HIGH, "Topic every CDC record is written to (in value.format) when topic.template is"
                            + " unset; also the base of the default cursor.topic.", GROUP, 7,
                    ConfigDef.Width.MEDIUM, "Topic")
            .define(KEY_FORMAT, Type.STRING, "key", ConfigDef.CaseInsensitiveValidString.in("key", "table_key"),
                    Importance.MEDIUM, "Record key: the row key (key) or <table>:<key> (table_key), as the"
                            + " daemon's Kafka sink.", GROUP, 8, ConfigDef.Width.SHORT, "Key format")
            .define(CURSOR_TOPIC, Type.STRING, null, Importance.MEDIUM, "Topic of the per-transaction cursor"
                    + " record (key: pipeline name, value {\"height\":..,\"hash\":..}); every block group's"
                    + " transaction ends with one, so blocks without messages still move the offset."
                    + " Unset: <topic>.cursor.", GROUP, 9, ConfigDef.Width.MEDIUM, "Cursor topic")
            .define(POLL_INTERVAL_MS, Type.LONG, 1000L, ConfigDef.Range.between(10, 3_600_000), Importance.LOW,
                    "How often the node is asked for new blocks when it has none, in milliseconds.", GROUP, 10,
                    ConfigDef.Width.SHORT, "Poll interval")
            .define(HANDOFF_TIMEOUT_MS, Type.LONG, 300_000L, ConfigDef.Range.atLeast(1000), Importance.LOW,
                    "How long the engine waits for the worker to commit a block group's transaction before it"
                            + " fails the task, in milliseconds.", GROUP, 11, ConfigDef.Width.SHORT,
                    "Handoff timeout")
            .define(STATE_BOOTSTRAP_SERVERS, Type.STRING, null, Importance.HIGH, "Bootstrap servers of the"
                    + " cluster the connector writes to: the transform state and the reorg window are kept in"
                    + " the compacted topic state.topic there, written in the same transactions as the records,"
                    + " and read back when a task starts on any worker (settings of that client:"
                    + " state.client.*). Unset: state and window in memory only; a restarted task then resumes"
                    + " with empty state (stateless transforms only).", GROUP, 12, ConfigDef.Width.LONG,
                    "State bootstrap servers")
            .define(STATE_TOPIC, Type.STRING, null, Importance.MEDIUM, "Compacted topic of the state and the"
                    + " reorg window; created with one partition when missing. Unset: <pipeline>.debshrew-state.",
                    GROUP, 13, ConfigDef.Width.MEDIUM, "State topic")
            .define(STATE_READ_TIMEOUT_MS, Type.LONG, 120_000L, ConfigDef.Range.atLeast(1000), Importance.LOW,
                    "How long a starting task may take to read the state topic, in milliseconds.", GROUP, 14,
                    ConfigDef.Width.SHORT, "State read timeout")
            .define(VALUE_FORMAT, Type.STRING, "native", ConfigDef.CaseInsensitiveValidString.in("native", "debezium"),
                    Importance.HIGH, "Record format: native (the daemon's native JSON as strings, with"
                            + " StringConverter) or debezium (the Debezium envelope as Connect Structs with schemas,"
                            + " keys as a struct {key}, cursor records as a struct {height, hash}; set key.converter"
                            + " and value.converter to JsonConverter on the connector: with schemas.enable=true the"
                            + " values equal the daemon's Kafka sink with format debezium and debezium_schemas).",
                    GROUP, 15, ConfigDef.Width.SHORT, "Value format")
            .define(STATE_CACHE, Type.STRING, "rocksdb", ConfigDef.CaseInsensitiveValidString.in("rocksdb", "memory"),
                    Importance.MEDIUM, "The task's local cache of the state changelog (with"
                            + " state.bootstrap.servers): rocksdb (a RocksDB store in state.cache.dir, restored from"
                            + " the changelog in batches, only its tail after a clean stop on the same worker) or"
                            + " memory (the whole state on the heap, read from the whole changelog at every start).",
                    GROUP, 16, ConfigDef.Width.SHORT, "State cache")
            .define(STATE_CACHE_DIR, Type.STRING, null, Importance.MEDIUM, "Directory of the task's RocksDB cache on"
                    + " the worker (state.cache=rocksdb), created when missing; it must be writable. Unset:"
                    + " <java.io.tmpdir>/debshrew-connect/<pipeline>-task0.", GROUP, 17, ConfigDef.Width.LONG,
                    "State cache directory")
            .define(TOPIC_TEMPLATE, Type.STRING, null, legalTopicTemplate(), Importance.MEDIUM, "Per-table topic of the"
                    + " CDC records, e.g. debshrew.{table}; placeholders {table} and {source}, mapped injectively"
                    + " exactly as the daemon's Kafka sink maps its topic_template (docs/sinks.md, \"Topic names\")."
                    + " When set it wins over topic for the CDC records; topic still names the default cursor.topic"
                    + " (<topic>.cursor). Unset: every CDC record goes to topic.", GROUP, 18, ConfigDef.Width.MEDIUM,
                    "Topic template");

    static {
        int order = 100;
        for (String secret : ClientSecrets.PASSWORD_SETTINGS) {
            CONFIG_DEF.define(STATE_CLIENT_PREFIX + secret, Type.PASSWORD, null, Importance.LOW, "The state client's "
                    + secret + " (a secret: hidden by the worker; better given through a config provider).", GROUP,
                    order++, ConfigDef.Width.LONG, "State client " + secret);
        }
    }

    private final String connectorName;

    /** Parses {@code props}; {@code name} (the connector's name) is the default pipeline name. */
    public DebshrewConnectorConfig(Map<String, String> props) {
        super(CONFIG_DEF, props);
        this.connectorName = props.get("name");
        if (pipelineName() == null) {
            throw new ConfigException(PIPELINE_NAME, null, "no pipeline name: set " + PIPELINE_NAME
                    + " or the connector's name");
        }
        for (String converter : new String[] {KEY_CONVERTER, VALUE_CONVERTER}) {
            String problem = converterProblem(debezium(), converter, props.get(converter));
            if (problem != null) {
                throw new ConfigException(converter, props.get(converter), problem);
            }
        }
        if (rocksCache()) {
            String problem = cacheDirProblem(stateCacheDir());
            if (problem != null) {
                throw new ConfigException(STATE_CACHE_DIR, stateCacheDir().toString(), problem);
            }
        }
        Path module = transformModule();
        if (!Files.isRegularFile(module)) {
            throw new ConfigException(TRANSFORM_MODULE, getString(TRANSFORM_MODULE),
                    "no such file on this worker (the module must be at the same path on every worker)");
        }
    }

    /**
     * Why the connector cannot work with {@code converter} set to {@code value} (null: it can): native
     * needs StringConverter (or the worker's default, unset); debezium needs JsonConverter, set on the
     * connector (the worker's default could be any).
     */
    static String converterProblem(boolean debezium, String converter, String value) {
        String c = value == null ? null : value.trim();
        if (!debezium) {
            return c == null || c.equals(STRING_CONVERTER) ? null : VALUE_FORMAT + "=native writes strings (native"
                    + " JSON, its state changelog) and needs " + converter + "=" + STRING_CONVERTER;
        }
        return JSON_CONVERTER.equals(c) ? null : VALUE_FORMAT + "=debezium writes Connect structs with schemas and"
                + " needs " + converter + "=" + JSON_CONVERTER + " on the connector (schemas.enable true or false)";
    }

    /** Why the cache cannot live in {@code dir} (null: it can): not a directory, or not writable where it would be created. */
    static String cacheDirProblem(Path dir) {
        Path p = dir.toAbsolutePath();
        if (Files.exists(p) && !Files.isDirectory(p)) {
            return "not a directory on this worker";
        }
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        return p != null && Files.isDirectory(p) && Files.isWritable(p) ? null
                : "not writable on this worker (" + p + " is not a writable directory)";
    }

    /** Unset, or a template the daemon's Kafka sink accepts as topic_template ({@link TopicNames#isLegalTemplate}). */
    private static ConfigDef.Validator legalTopicTemplate() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                if (value != null && !TopicNames.isLegalTemplate((String) value)) {
                    throw new ConfigException(name, value, "must contain {table} and/or {source} (each at most"
                            + " once), otherwise only [a-zA-Z0-9._-]; with both, the text between them must contain"
                            + " '.' or '_'");
                }
            }

            @Override
            public String toString() {
                return "unset, or a template with {table} and/or {source}";
            }
        };
    }

    private static ConfigDef.Validator nullOrAtLeastZero() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                if (value != null && (Long) value < 0) {
                    throw new ConfigException(name, value, "must be >= 0");
                }
            }

            @Override
            public String toString() {
                return "unset or >= 0";
            }
        };
    }

    public String nodeUrl() {
        return getString(NODE_URL);
    }

    public Duration nodeReadTimeout() {
        return Duration.ofMillis(getLong(NODE_READ_TIMEOUT_MS));
    }

    public Path transformModule() {
        return Path.of(getString(TRANSFORM_MODULE));
    }

    public int cacheSize() {
        return getInt(CACHE_SIZE);
    }

    /** The start height; null: the node's tip. */
    public Long startHeight() {
        return getLong(START_HEIGHT);
    }

    public String pipelineName() {
        String p = getString(PIPELINE_NAME);
        return p != null ? p : connectorName;
    }

    public String topic() {
        return getString(TOPIC);
    }

    /** The per-table topic template of the CDC records; null: every record goes to {@link #topic()}. */
    public String topicTemplate() {
        return getString(TOPIC_TEMPLATE);
    }

    public KeyFormat keyFormat() {
        return KeyFormat.valueOf(getString(KEY_FORMAT).toUpperCase(Locale.ROOT));
    }

    /** True for value.format=debezium: Connect structs with schemas; false for native strings. */
    public boolean debezium() {
        return getString(VALUE_FORMAT).equalsIgnoreCase("debezium");
    }

    public String cursorTopic() {
        String t = getString(CURSOR_TOPIC);
        return t != null ? t : topic() + ".cursor";
    }

    public Duration pollInterval() {
        return Duration.ofMillis(getLong(POLL_INTERVAL_MS));
    }

    /**
     * The client settings for the state changelog, secrets as {@code Password}s
     * ({@link ClientSecrets}); empty when state is kept in memory only.
     */
    public Map<String, Object> stateClient() {
        String servers = getString(STATE_BOOTSTRAP_SERVERS);
        if (servers == null) {
            return Map.of();
        }
        Map<String, Object> client = new java.util.HashMap<>(originalsWithPrefix(STATE_CLIENT_PREFIX));
        client.put("bootstrap.servers", servers);
        return ClientSecrets.protect(client);
    }

    public String stateTopic() {
        String t = getString(STATE_TOPIC);
        return t != null ? t : pipelineName() + ".debshrew-state";
    }

    public Duration stateReadTimeout() {
        return Duration.ofMillis(getLong(STATE_READ_TIMEOUT_MS));
    }

    /** True when state is in Kafka and the local cache is RocksDB ({@code state.cache=rocksdb}). */
    public boolean rocksCache() {
        return getString(STATE_BOOTSTRAP_SERVERS) != null && getString(STATE_CACHE).equalsIgnoreCase("rocksdb");
    }

    /** The RocksDB cache's directory: {@code state.cache.dir}, or one per task under {@code java.io.tmpdir}. */
    public Path stateCacheDir() {
        String d = getString(STATE_CACHE_DIR);
        return d != null ? Path.of(d) : Path.of(System.getProperty("java.io.tmpdir"), "debshrew-connect",
                pipelineName().replaceAll("[^A-Za-z0-9._-]", "_") + "-task0");
    }

    public Duration handoffTimeout() {
        return Duration.ofMillis(getLong(HANDOFF_TIMEOUT_MS));
    }
}
