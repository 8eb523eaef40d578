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
            .validate(KafkaSinkConfig::isLegalTopic, "must be a legal Kafka topic name ([a-zA-Z0-9._-], 1..249 chars)")
            .doc("Topic every message is written to when `topic_template` is not set; also the base of the "
                    + "default `cursor_topic`.")
            .build();

    public static final ConfigOption<String> TOPIC_TEMPLATE = ConfigOption.string("topic_template")
            .validate(s -> !s.isBlank(), "must not be empty")
            .doc("Per-table topic name, e.g. `debshrew.{table}`; placeholders `{table}` and `{source}`. Table and "
                    + "source names are untrusted: characters outside [a-zA-Z0-9._-] are replaced by `_` and a "
                    + "short hash of the original name is appended (so distinct names never share a topic); "
                    + "names over 249 characters are truncated with a hash suffix.")
            .build();

    public static final ConfigOption<KeyFormat> KEY_FORMAT = ConfigOption.enumeration("key_format", KeyFormat.class)
            .defaultValue(KeyFormat.KEY)
            .doc("Record key: `key` = the row key (`payload.key`); `table_key` = `table:key` (for topics shared by "
                    + "several tables). Keys are UTF-8 strings (use Connect's StringConverter for keys).")
            .build();

    public static final ConfigOption<String> TRANSACTIONAL_ID = ConfigOption.string("transactional_id")
            .required()
            .validate(s -> !s.isBlank(), "must not be empty")
            .doc("Kafka `transactional.id` of this pipeline. Must be stable across restarts and unique per "
                    + "pipeline: a new instance with the same id fences the old one (zombie fencing). Also the key "
                    + "of this pipeline's records in the cursor topic.")
            .build();

    public static final ConfigOption<String> CURSOR_TOPIC = ConfigOption.string("cursor_topic")
            .defaultText("<topic>.cursor")
            .validate(KafkaSinkConfig::isLegalTopic, "must be a legal Kafka topic name ([a-zA-Z0-9._-], 1..249 chars)")
            .doc("Compacted topic holding the committed cursor (key = `transactional_id`, value "
                    + "`{\"height\":H,\"hash\":HEX}`), written in the same transaction as each block. Created with "
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

    /** Every declared option, in documentation order. */
    public static final List<ConfigOption<?>> OPTIONS = List.of(
            BOOTSTRAP_SERVERS, TOPIC, TOPIC_TEMPLATE, KEY_FORMAT, TRANSACTIONAL_ID, CURSOR_TOPIC, MAX_MESSAGE_BYTES,
            FORMAT, DEBEZIUM_SCHEMAS, TOMBSTONES, CREATE_TOPICS, TOPIC_PARTITIONS, TOPIC_REPLICATION_FACTOR,
            CURSOR_READ_TIMEOUT_MS, CLOSE_TIMEOUT_MS);

    /** Producer properties the sink sets itself; overriding them would break exactly-once delivery. */
    static final Set<String> RESERVED_PRODUCER_PROPERTIES = Set.of(
            "transactional.id", "enable.idempotence", "key.serializer", "value.serializer", "acks",
            "bootstrap.servers");

    private final String bootstrapServers;
    private final String topic;
    private final String topicTemplate;
    private final KeyFormat keyFormat;
    private final String transactionalId;
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
        keyFormat = KEY_FORMAT.get(c, OWNER);
        transactionalId = TRANSACTIONAL_ID.get(c, OWNER);
        String ct = CURSOR_TOPIC.get(c, OWNER);
        cursorTopic = ct != null ? ct : topic + ".cursor";
        if (!isLegalTopic(cursorTopic)) {
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
        if (topicTemplate != null && !topicTemplate.contains("{table}") && !topicTemplate.contains("{source}")) {
            // A constant template is legal but almost certainly a mistake; require 'topic' instead.
            throw new IllegalArgumentException(OWNER + ": option 'topic_template' must contain {table} or {source}"
                    + " (use 'topic' for a single topic), got '" + topicTemplate + "'");
        }
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

    /** Whether {@code name} is a legal Kafka topic name. */
    static boolean isLegalTopic(String name) {
        if (name.isEmpty() || name.length() > 249 || name.equals(".") || name.equals("..")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!isLegalTopicChar(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    static boolean isLegalTopicChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == '-';
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
