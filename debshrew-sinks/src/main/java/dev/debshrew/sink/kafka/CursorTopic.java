package dev.debshrew.sink.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.SinkException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The {@link KafkaSink}'s cursor records: key = the transactional id, value
 * {@code {"height":H,"hash":HEX}}, partition 0 of the compacted cursor topic.
 */
final class CursorTopic {

    private static final String OWNER = KafkaSinkConfig.OWNER;

    private CursorTopic() {
    }

    /** The cursor records' key of this pipeline. */
    static byte[] key(KafkaSinkConfig config) {
        return config.transactionalId().getBytes(StandardCharsets.UTF_8);
    }

    /** Reads this pipeline's last committed cursor: the cursor topic to its end, read_committed. */
    static Optional<Cursor> read(Admin admin, KafkaSinkConfig config, String name) throws SinkException {
        byte[] cursorKey = key(config);
        TopicPartition tp = new TopicPartition(config.cursorTopic(), 0);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.cursorReadTimeoutMs());
        long end;
        try {
            // High watermark (not the last stable offset): every record before it is settled once
            // the open transactions that cover it end, which initTransactions did for our own.
            end = admin.listOffsets(Map.of(tp, OffsetSpec.latest()),
                            new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED))
                    .partitionResult(tp).get(config.cursorReadTimeoutMs(), TimeUnit.MILLISECONDS).offset();
        } catch (ExecutionException e) {
            throw KafkaErrors.error(name, config.transactionalId(),
                    "reading the end offset of cursor topic '" + config.cursorTopic() + "'", e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new SinkException(OWNER + " " + name + ": timed out after " + config.cursorReadTimeoutMs()
                    + " ms reading the end offset of cursor topic '" + config.cursorTopic() + "'", e, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SinkException(OWNER + " " + name + ": interrupted while reading the cursor", e);
        }
        Map<String, Object> p = new HashMap<>(config.commonClientProperties());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "debshrew-cursor-" + config.transactionalId());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        Optional<Cursor> last = Optional.empty();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            while (true) {
                long remaining = deadline - System.nanoTime();
                long position = consumer.position(tp, Duration.ofNanos(Math.max(remaining, 1)));
                if (position >= end) {
                    break;
                }
                if (remaining <= 0) {
                    throw new SinkException(OWNER + " " + name + ": could not read cursor topic '"
                            + config.cursorTopic() + "' to its end (at offset " + position + " of " + end
                            + ") within cursor_read_timeout_ms = " + config.cursorReadTimeoutMs()
                            + " ms; a long open transaction of another producer may hold back the last stable"
                            + " offset", null, true);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(Math.min(200,
                        Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)))))) {
                    if (r.key() != null && Arrays.equals(r.key(), cursorKey)) {
                        last = r.value() == null ? Optional.empty() : Optional.of(parse(r, name));
                    }
                }
            }
        } catch (KafkaException e) {
            throw KafkaErrors.error(name, config.transactionalId(), "reading cursor topic '" + config.cursorTopic() + "'",
                    e);
        }
        return last;
    }

    private static Cursor parse(ConsumerRecord<byte[], byte[]> r, String name) throws SinkException {
        try {
            JsonNode n = CdcCodec.mapper().readTree(r.value());
            JsonNode h = n == null ? null : n.get("height");
            JsonNode hash = n == null ? null : n.get("hash");
            if (h == null || !h.canConvertToLong() || hash == null || !hash.isTextual()) {
                throw new IOException("expected {\"height\":H,\"hash\":HEX}");
            }
            return new Cursor(h.longValue(), hash.textValue());
        } catch (IOException | IllegalArgumentException e) {
            throw new SinkException(OWNER + " " + name + ": cursor record at " + r.topic() + "-" + r.partition()
                    + "@" + r.offset() + " is invalid (" + e.getMessage() + "): "
                    + new String(r.value(), StandardCharsets.UTF_8), e, false);
        }
    }

    /** The cursor record's value: {@code {"height":H,"hash":HEX}}. */
    static byte[] value(Cursor c) {
        ObjectNode n = CdcCodec.mapper().createObjectNode();
        n.put("height", c.height());
        n.put("hash", c.hash());
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }
}
