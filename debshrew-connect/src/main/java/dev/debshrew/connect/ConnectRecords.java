package dev.debshrew.connect;

import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.sink.BlockChange;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.SinkBatch;
import dev.debshrew.sink.format.KeyFormat;
import dev.debshrew.sink.format.OutputFormat;
import java.nio.charset.StandardCharsets;
import dev.debshrew.sink.kafka.TopicNames;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Turns a {@link SinkBatch} (consecutive blocks, or the undos of a reorg) into Connect records: one
 * per CDC message, in {@code topic} or the topic {@code topic.template} routes it to, keyed and serialised as the daemon's Kafka sink does (the native JSON as a string,
 * the key by {@link KeyFormat}; or, with {@code value.format=debezium}, the Debezium envelope as a
 * Connect struct, {@link DebeziumEnvelope}), then one cursor record that ends the group; before them the state
 * changelog records ({@link StateChangelog}) of the same transaction. Every record of a block
 * carries that block's cursor as its source offset, so the offset a transaction commits is the cursor
 * of the last block whose records it holds.
 */
final class ConnectRecords {

    static final String PARTITION_KEY = "pipeline";
    static final String HEIGHT = "height";
    static final String HASH = "hash";

    private final Map<String, String> partition;
    private final String pipeline;
    private final String topic;
    /** topic.template, or null: every CDC record goes to {@link #topic}. */
    private final String topicTemplate;
    /** The routed topic of each (table, source), as the daemon's Kafka sink caches it. */
    private final Map<String, String> topicByTable = new HashMap<>();
    private final String cursorTopic;
    private final String stateTopic;
    private final KeyFormat keyFormat;
    private final OutputFormat format = OutputFormat.NATIVE;
    /** value.format=debezium: the envelope as Connect structs; null: native strings. */
    private final DebeziumEnvelope debezium;

    ConnectRecords(DebshrewConnectorConfig config) {
        this.pipeline = config.pipelineName();
        this.partition = sourcePartition(pipeline);
        this.topic = config.topic();
        this.topicTemplate = config.topicTemplate();
        this.cursorTopic = config.cursorTopic();
        this.stateTopic = config.stateTopic();
        this.keyFormat = config.keyFormat();
        this.debezium = config.debezium() ? new DebeziumEnvelope(keyFormat) : null;
    }

    /** The source partition of a pipeline's offsets. */
    static Map<String, String> sourcePartition(String pipeline) {
        return Map.of(PARTITION_KEY, pipeline);
    }

    /** The source offset of a cursor. */
    static Map<String, Object> sourceOffset(Cursor c) {
        return Map.of(HEIGHT, c.height(), HASH, c.hash());
    }

    /**
     * The cursor stored in a committed source offset; empty for none.
     *
     * @throws ConnectException naming the pipeline when the offset is not one this connector wrote
     */
    static Optional<Cursor> cursorOf(String pipeline, Map<String, ?> offset) {
        if (offset == null) {
            return Optional.empty();
        }
        Object h = offset.get(HEIGHT);
        Object hash = offset.get(HASH);
        if (!(h instanceof Number n) || !(hash instanceof String s) || n.longValue() < 0) {
            throw new ConnectException("the committed source offset of pipeline '" + pipeline + "' is not a debshrew"
                    + " cursor (expected {\"height\": number >= 0, \"hash\": string}, got " + offset + "); reset the"
                    + " connector's offsets or choose another " + DebshrewConnectorConfig.PIPELINE_NAME);
        }
        return Optional.of(new Cursor(n.longValue(), s));
    }

    /**
     * The records of {@code batch}, in order: the state changelog records ({@code changes}, of the
     * store's commits and reverts since the previous group), every message, then the cursor record
     * (always last).
     */
    List<SourceRecord> of(SinkBatch batch, List<StateChangelog.Change> changes) {
        List<SourceRecord> out = new ArrayList<>(changes.size() + batch.messageCount() + 1);
        Map<String, Object> groupOffset = sourceOffset(batch.cursor());
        for (StateChangelog.Change c : changes) {
            // a tombstone has no schema, so that JsonConverter writes a null value too (compaction deletes the key)
            out.add(new SourceRecord(partition, groupOffset, stateTopic, 0, Schema.STRING_SCHEMA, c.key(),
                    c.value() == null ? null : Schema.STRING_SCHEMA, c.value()));
        }
        for (BlockChange block : batch.blocks()) {
            Map<String, Object> offset = sourceOffset(block.cursor());
            List<CdcMessage> messages = block.messages();
            for (int i = 0; i < messages.size(); i++) {
                CdcMessage m = messages.get(i);
                String recordTopic = topicFor(m);
                if (debezium != null) {
                    SchemaAndValue value = debezium.value(m, i, recordTopic);
                    out.add(new SourceRecord(partition, offset, recordTopic, null, DebeziumEnvelope.KEY_SCHEMA,
                            debezium.key(m), value.schema(), value.value()));
                } else {
                    String value = new String(format.encode(m, i), StandardCharsets.UTF_8);
                    out.add(new SourceRecord(partition, offset, recordTopic, null, Schema.STRING_SCHEMA,
                            keyFormat.key(m), Schema.STRING_SCHEMA, value));
                }
            }
        }
        Cursor c = batch.cursor();
        out.add(debezium != null
                ? new SourceRecord(partition, groupOffset, cursorTopic, 0, Schema.STRING_SCHEMA, pipeline,
                        DebeziumEnvelope.CURSOR_SCHEMA, DebeziumEnvelope.cursor(c))
                : new SourceRecord(partition, groupOffset, cursorTopic, 0, Schema.STRING_SCHEMA, pipeline,
                        Schema.STRING_SCHEMA, cursorJson(c)));
        return out;
    }

    /**
     * The topic of {@code m}'s record: {@code topic}, or with {@code topic.template} the daemon's Kafka
     * sink's routing ({@link TopicNames#expand}) of its table and source.
     *
     * @throws ConnectException naming {@code topic.template} when the routed topic is (or folds to) the
     *         cursor or state topic, as the daemon's Kafka sink refuses it for its cursor topic
     */
    String topicFor(CdcMessage m) {
        if (topicTemplate == null) {
            return topic;
        }
        String table = m.payload().table();
        String source = m.header().source();
        String routed = topicByTable.computeIfAbsent(table + '\u0000' + source,
                k -> TopicNames.expand(topicTemplate, table, source));
        String folded = TopicNames.folded(routed);
        for (String own : new String[] {cursorTopic, stateTopic}) {
            if (folded.equals(TopicNames.folded(own))) {
                throw new ConnectException("table '" + table + "' of source '" + source + "' (block "
                        + m.header().blockHeight() + ") maps to topic '" + routed + "', which is (or collides with)"
                        + " the connector's own topic '" + own + "'; change " + DebshrewConnectorConfig.TOPIC_TEMPLATE
                        + ", " + DebshrewConnectorConfig.CURSOR_TOPIC + " or " + DebshrewConnectorConfig.STATE_TOPIC);
            }
        }
        return routed;
    }

    /** {@code {"height":h,"hash":"..."}}; the hash is hex, nothing to escape. */
    static String cursorJson(Cursor c) {
        return "{\"height\":" + c.height() + ",\"hash\":\"" + c.hash() + "\"}";
    }
}
