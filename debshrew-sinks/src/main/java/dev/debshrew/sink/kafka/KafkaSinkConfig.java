package dev.debshrew.sink.kafka;

import dev.debshrew.config.ConfigOption;
import dev.debshrew.config.ConfigOptions;
import dev.debshrew.sink.format.KeyFormat;
import dev.debshrew.sink.format.OutputFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Configuration of the {@link KafkaSink}. Every option is declared once below (name, type,
 * default, validation, doc); {@link #from(Map)} reads them from the sink's JSON config section and
 * rejects unknown keys. Keys starting with {@code producer.} are passed to the Kafka producer with
 * the prefix removed; keys starting with {@code client.} are passed to every Kafka client the sink
 * creates (producer, admin, cursor consumer), e.g. {@code client.security.protocol}.
 */
public final class KafkaSinkConfig {

    static final String OWNER = "kafka sink";

    /** Prefix of producer pass-through properties. */
    public static final String PRODUCER_PREFIX = "producer.";
    /** Prefix of properties passed to every client (producer, admin, consumer). */
    public static final String CLIENT_PREFIX = "client.";

    public static final ConfigOption<String> BOOTSTRAP_SERVERS = ConfigOption.string("bootstrap_servers")
            .required()
            .validate(s -> !s.isBlank(), "must not be empty")
            .doc("Kafka bootstrap servers, comma-separated host:port list.")
            .build();

    public static final ConfigOption<String> TOPIC = ConfigOption.string("topic")
            .defaultValue("debshrew")
            .validate(TopicNames::isLegalTopic, "must be a legal Kafka topic name ([a-zA-Z0-9._-], 1..249 chars)")
            .doc("Topic every message is written to when `topic_template` is not set; also the base of the "
                    + "default `cursor_topic`.")
            .build();

    public static final ConfigOption<String> TOPIC_TEMPLATE = ConfigOption.string("topic_template")
            .validate(s -> !s.isBlank(), "must not be empty")
            .validate(TopicNames::isLegalTemplate, "must contain {table} and/or {source} (each at most once), "
                    + "otherwise only [a-zA-Z0-9._-]; with both, the text between them must contain '.' or '_'")
            .doc("Per-table topic name, e.g. `debshrew.{table}`; placeholders `{table}` and `{source}`. Table and "
                    + "source names are untrusted and mapped injectively (distinct names never share a topic, "
                    + "also not after Kafka's `.`/`_` metric-name folding): a safe name is used as is, any other "
                    + "is escaped; see \"Topic names\" below.")
            .build();

    public static final ConfigOption<KeyFormat> KEY_FORMAT = ConfigOption.enumeration("key_format", KeyFormat.class)
            .defaultText("key; table_key with tombstones on a shared topic")
            .doc("Record key: `key` = the row key (`payload.key`); `table_key` = `<table>:<key>` with `%` and `:` in "
                    + "the table name written as `%25` and `%3A` (for topics shared by several tables). Default: "
                    + "`key`, but `table_key` when `tombstones` is on and the topic is shared by several tables (no "
                    + "`{table}` in `topic_template`), where `key` is rejected: compacting one table's tombstone "
                    + "would delete another table's row with the same key. Keys are UTF-8 strings (use Connect's "
                    + "StringConverter for keys).")
            .build();

    public static final ConfigOption<String> TRANSACTIONAL_ID = ConfigOption.string("transactional_id")
            .defaultText("<client_id or debshrew>@<topic_template or topic>")
            .validate(s -> !s.isBlank(), "must not be empty")
            .doc("Kafka `transactional.id` of this pipeline. Must be stable across restarts and unique per "
                    + "pipeline: a new instance with the same id fences the old one (zombie fencing). Also the key "
                    + "of this pipeline's records in the cursor topic. When absent it is derived from `client_id` "
                    + "and the output topic (logged at start): stable across restarts and bootstrap-server "
                    + "changes; pipelines writing the same topic on one cluster must set distinct `client_id`s or "
                    + "`transactional_id`s.")
            .build();

    public static final ConfigOption<String> CLIENT_ID = ConfigOption.string("client_id")
            .validate(s -> !s.isBlank(), "must not be empty")
            .doc("Kafka `client.id` of the producer (the original debshrew's option; `producer.client.id` wins) "
                    + "and the first part of the derived `transactional_id`. Default: `debshrew-<transactional_id>`.")
            .build();

    public static final ConfigOption<Integer> BATCH_SIZE = ConfigOption.integer("batch_size")
            .validate(v -> v >= 1, "must be at least 1")
            .doc("The original debshrew's batching option, accepted so its configs run unchanged; no effect: each "
                    + "batch of blocks is one Kafka transaction, sent and committed at its end (tune batching with "
                    + "`producer.batch.size` / `producer.linger.ms`).")
            .build();

    public static final ConfigOption<Long> FLUSH_INTERVAL = ConfigOption.longInt("flush_interval")
            .validate(v -> v >= 0, "must be at least 0")
            .doc("The original debshrew's flush period in ms, accepted so its configs run unchanged; no effect: "
                    + "every batch of blocks is flushed and committed at its end.")
            .build();

    public static final ConfigOption<String> CURSOR_TOPIC = ConfigOption.string("cursor_topic")
            .defaultText("<topic>.cursor")
            .validate(TopicNames::isLegalTopic, "must be a legal Kafka topic name ([a-zA-Z0-9._-], 1..249 chars)")
            .doc("Compacted topic holding the committed cursor (key = `transactional_id`, value "
                    + "`{\"height\":H,\"hash\":HEX}`), written in the same transaction as each batch of blocks. Created with "
                    + "one partition and `cleanup.policy=compact` if missing. Several pipelines may share it.")
            .build();

    public static final ConfigOption<Integer> MAX_MESSAGE_BYTES = ConfigOption.integer("max_message_bytes")
            .defaultValue(1_000_000)
            .validate(v -> v >= 1, "must be at least 1")
            .doc("Largest record (key + value bytes) the sink will send. A larger message stops the pipeline with "
                    + "an error naming its table, key, size and this limit (never dropped). Keep it below the "
                    + "broker's/topic's `max.message.bytes`; the producer's `max.request.size` is raised to fit.")
            .build();

    public static final ConfigOption<OutputFormat.Kind> FORMAT =
            ConfigOption.enumeration("format", OutputFormat.Kind.class)
                    .defaultValue(OutputFormat.Kind.NATIVE)
                    .doc("Record value format: `native` (debshrew JSON, byte-compatible with the original) or "
                            + "`debezium` (Debezium change-event envelope).")
                    .build();

    public static final ConfigOption<Boolean> DEBEZIUM_SCHEMAS = ConfigOption.bool("debezium_schemas")
            .defaultValue(false)
            .doc("With `format: debezium`, wrap each value as `{\"schema\":..,\"payload\":..}` for Kafka Connect's "
                    + "JsonConverter with `schemas.enable=true` (row schemas inferred per message).")
            .build();

    public static final ConfigOption<Boolean> TOMBSTONES = ConfigOption.bool("tombstones")
            .defaultValue(false)
            .doc("After each delete, also write a tombstone (same key, null value) so log compaction can drop "
                    + "the key.")
            .build();

    public static final ConfigOption<Boolean> CREATE_TOPICS = ConfigOption.bool("create_topics")
            .defaultValue(true)
            .doc("Create data topics that do not exist (with `topic_partitions` / `topic_replication_factor`) "
                    + "before first writing to them. When false, topics must exist or the broker must auto-create "
                    + "them. The cursor topic is always created if missing.")
            .build();

    public static final ConfigOption<Integer> TOPIC_PARTITIONS = ConfigOption.integer("topic_partitions")
            .defaultValue(-1)
            .validate(v -> v == -1 || v >= 1, "must be -1 (broker default) or at least 1")
            .doc("Partitions of data topics the sink creates; -1 = broker default (`num.partitions`).")
            .build();

    public static final ConfigOption<Integer> TOPIC_REPLICATION_FACTOR =
            ConfigOption.integer("topic_replication_factor")
                    .defaultValue(-1)
                    .validate(v -> v == -1 || (v >= 1 && v <= Short.MAX_VALUE),
                            "must be -1 (broker default) or between 1 and 32767")
                    .doc("Replication factor of topics the sink creates (data and cursor); -1 = broker default "
                            + "(`default.replication.factor`).")
                    .build();

    public static final ConfigOption<Long> CURSOR_READ_TIMEOUT_MS = ConfigOption.longInt("cursor_read_timeout_ms")
            .defaultValue(60_000L)
            .validate(v -> v >= 1, "must be at least 1")
            .doc("Longest time `open()` spends reading the cursor topic to its end with a read_committed consumer "
                    + "(it waits for open transactions of other pipelines sharing the topic to finish).")
            .build();

    public static final ConfigOption<Long> CLOSE_TIMEOUT_MS = ConfigOption.longInt("close_timeout_ms")
            .defaultValue(5_000L)
            .validate(v -> v >= 0, "must be at least 0")
            .doc("Longest time `close()` waits for the producer to abort an unfinished transaction and shut down.")
            .build();

    public static final ConfigOption<Long> OPEN_TIMEOUT_MS = ConfigOption.longInt("open_timeout_ms")
            .defaultValue(30_000L)
            .validate(v -> v >= 1, "must be at least 1")
            .doc("Longest time each step of `open()` waits for the cluster (checking/creating the cursor topic, "
                    + "`initTransactions`) and that creating a data topic may take; also the producer's "
                    + "`max.block.ms` unless `producer.max.block.ms` is given. A broker that is down or unreachable "
                    + "fails `open()` after it with a retriable error naming `bootstrap_servers`.")
            .build();

    /** Every declared option, in documentation order. */
    public static final List<ConfigOption<?>> OPTIONS = List.of(
            BOOTSTRAP_SERVERS, TOPIC, TOPIC_TEMPLATE, KEY_FORMAT, TRANSACTIONAL_ID, CURSOR_TOPIC, MAX_MESSAGE_BYTES,
            FORMAT, DEBEZIUM_SCHEMAS, TOMBSTONES, CREATE_TOPICS, TOPIC_PARTITIONS, TOPIC_REPLICATION_FACTOR,
            CURSOR_READ_TIMEOUT_MS, CLOSE_TIMEOUT_MS, OPEN_TIMEOUT_MS, CLIENT_ID, BATCH_SIZE, FLUSH_INTERVAL);

    /** Producer properties the sink sets itself; overriding them would break exactly-once delivery. */
    static final Set<String> RESERVED_PRODUCER_PROPERTIES = Set.of(
            "transactional.id", "enable.idempotence", "key.serializer", "value.serializer", "acks",
            "bootstrap.servers");

    private final String bootstrapServers;
    private final String topic;
    private final String topicTemplate;
    private final KeyFormat keyFormat;
    private final String transactionalId;
    private final boolean transactionalIdDerived;
    private final String clientId;
    private final long openTimeoutMs;
    private final String cursorTopic;
    private final int maxMessageBytes;
    private final OutputFormat.Kind format;
    private final boolean debeziumSchemas;
    private final boolean tombstones;
    private final boolean createTopics;
    private final int topicPartitions;
    private final int topicReplicationFactor;
    private final long cursorReadTimeoutMs;
    private final long closeTimeoutMs;
    private final Map<String, String> producerProperties;
    private final Map<String, String> clientProperties;

    private KafkaSinkConfig(Map<String, ?> c) {
        ConfigOptions.checkKnown(c, OPTIONS, List.of(PRODUCER_PREFIX, CLIENT_PREFIX), OWNER);
        bootstrapServers = BOOTSTRAP_SERVERS.get(c, OWNER);
        topic = TOPIC.get(c, OWNER);
        topicTemplate = TOPIC_TEMPLATE.get(c, OWNER);
        clientId = CLIENT_ID.get(c, OWNER);
        BATCH_SIZE.get(c, OWNER); // validated, no effect (see its doc)
        FLUSH_INTERVAL.get(c, OWNER);
        String tid = TRANSACTIONAL_ID.get(c, OWNER);
        transactionalIdDerived = tid == null;
        transactionalId = tid != null ? tid : derivedTransactionalId(clientId, topic, topicTemplate);
        openTimeoutMs = OPEN_TIMEOUT_MS.get(c, OWNER);
        String ct = CURSOR_TOPIC.get(c, OWNER);
        cursorTopic = ct != null ? ct : topic + ".cursor";
        if (!TopicNames.isLegalTopic(cursorTopic)) {
            throw new IllegalArgumentException(OWNER + ": default cursor topic '" + cursorTopic
                    + "' is not a legal topic name; set 'cursor_topic'");
        }
        maxMessageBytes = MAX_MESSAGE_BYTES.get(c, OWNER);
        format = FORMAT.get(c, OWNER);
        debeziumSchemas = DEBEZIUM_SCHEMAS.get(c, OWNER);
        if (debeziumSchemas && format != OutputFormat.Kind.DEBEZIUM) {
            throw new IllegalArgumentException(OWNER + ": option 'debezium_schemas' requires 'format': 'debezium'");
        }
        tombstones = TOMBSTONES.get(c, OWNER);
        keyFormat = keyFormat(KEY_FORMAT.get(c, OWNER), tombstones, topicTemplate);
        createTopics = CREATE_TOPICS.get(c, OWNER);
        topicPartitions = TOPIC_PARTITIONS.get(c, OWNER);
        topicReplicationFactor = TOPIC_REPLICATION_FACTOR.get(c, OWNER);
        cursorReadTimeoutMs = CURSOR_READ_TIMEOUT_MS.get(c, OWNER);
        closeTimeoutMs = CLOSE_TIMEOUT_MS.get(c, OWNER);
        producerProperties = ConfigOptions.withPrefix(c, PRODUCER_PREFIX);
        clientProperties = ConfigOptions.withPrefix(c, CLIENT_PREFIX);
        for (String k : producerProperties.keySet()) {
            checkNotReserved(k, PRODUCER_PREFIX);
        }
        for (String k : clientProperties.keySet()) {
            checkNotReserved(k, CLIENT_PREFIX);
        }
    }

    /**
     * The transactional id used when none is configured: {@code <client_id or debshrew>@<topic_template
     * or topic>}. It depends only on what identifies the pipeline's output, so it is the same on
     * every restart (fencing works) whatever the order or choice of bootstrap servers.
     */
    static String derivedTransactionalId(String clientId, String topic, String topicTemplate) {
        return (clientId != null ? clientId : "debshrew") + "@" + (topicTemplate != null ? topicTemplate : topic);
    }

    /**
     * The key format: as configured, or by default {@code key}, except with tombstones on a topic
     * shared by several tables, where the key must name the table (compaction keeps one record
     * per key and topic, so a tombstone keyed by the row key alone would delete every table's row
     * with that key).
     */
    private static KeyFormat keyFormat(KeyFormat configured, boolean tombstones, String topicTemplate) {
        boolean shared = topicTemplate == null || !topicTemplate.contains("{table}");
        if (!tombstones || !shared) {
            return configured != null ? configured : KeyFormat.KEY;
        }
        if (configured == KeyFormat.KEY) {
            throw new IllegalArgumentException(OWNER + ": option 'key_format': 'key' cannot be combined with "
                    + "'tombstones': true on a topic shared by several tables (" + (topicTemplate == null
                    ? "no 'topic_template'" : "'topic_template' without {table}") + "): log compaction of one "
                    + "table's tombstone would delete another table's row with the same key; use 'table_key' (the "
                    + "default here) or a topic_template with {table}");
        }
        return KeyFormat.TABLE_KEY;
    }

    private static void checkNotReserved(String property, String prefix) {
        if (RESERVED_PRODUCER_PROPERTIES.contains(property.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException(OWNER + ": '" + prefix + property
                    + "' cannot be overridden: the sink sets it for exactly-once delivery");
        }
    }

    /**
     * Reads and validates the sink's JSON config section.
     *
     * @throws IllegalArgumentException naming the offending option
     */
    public static KafkaSinkConfig from(Map<String, ?> config) {
        return new KafkaSinkConfig(config);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String topic() {
        return topic;
    }

    /** The per-table topic template, or null when every message goes to {@link #topic()}. */
    public String topicTemplate() {
        return topicTemplate;
    }

    public KeyFormat keyFormat() {
        return keyFormat;
    }

    public String transactionalId() {
        return transactionalId;
    }

    /** Whether {@link #transactionalId()} was derived (no {@code transactional_id} configured). */
    public boolean transactionalIdDerived() {
        return transactionalIdDerived;
    }

    /** The original's {@code client_id}: the producer's {@code client.id}; null when not set. */
    public String clientId() {
        return clientId;
    }

    public long openTimeoutMs() {
        return openTimeoutMs;
    }

    public String cursorTopic() {
        return cursorTopic;
    }

    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    public OutputFormat.Kind format() {
        return format;
    }

    public boolean debeziumSchemas() {
        return debeziumSchemas;
    }

    /** The output format described by {@code format} and {@code debezium_schemas}. */
    public OutputFormat outputFormat() {
        return OutputFormat.of(format, debeziumSchemas);
    }

    public boolean tombstones() {
        return tombstones;
    }

    public boolean createTopics() {
        return createTopics;
    }

    public int topicPartitions() {
        return topicPartitions;
    }

    public int topicReplicationFactor() {
        return topicReplicationFactor;
    }

    public long cursorReadTimeoutMs() {
        return cursorReadTimeoutMs;
    }

    public long closeTimeoutMs() {
        return closeTimeoutMs;
    }

    /** {@code producer.*} pass-through properties, prefix removed. */
    public Map<String, String> producerProperties() {
        return producerProperties;
    }

    /** {@code client.*} pass-through properties (all clients), prefix removed. */
    public Map<String, String> clientProperties() {
        return clientProperties;
    }

    /**
     * Properties for the admin client and the cursor consumer: bootstrap servers, {@code client.*},
     * and the security settings ({@code security.*}, {@code sasl.*}, {@code ssl.*}) given only as
     * {@code producer.*}, so a secured cluster needs them once.
     */
    Map<String, Object> commonClientProperties() {
        Map<String, Object> p = new TreeMap<>();
        for (Map.Entry<String, String> e : producerProperties.entrySet()) {
            String k = e.getKey();
            if (k.startsWith("security.") || k.startsWith("sasl.") || k.startsWith("ssl.")) {
                p.put(k, e.getValue());
            }
        }
        p.putAll(clientProperties);
        p.put("bootstrap.servers", bootstrapServers);
        return p;
    }
}
