package dev.debshrew.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.debshrew.sink.Cursor;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Follows a Kafka sink's cursor topic with a {@code read_committed} consumer (the committed cursors). */
final class KafkaCursorWatch implements AutoCloseable {

    private final KafkaConsumer<String, String> consumer;
    private final String topic;
    private final Map<String, Cursor> latest = new HashMap<>();
    private boolean assigned;

    KafkaCursorWatch(String bootstrapServers, String cursorTopic) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        this.consumer = new KafkaConsumer<>(p);
        this.topic = cursorTopic;
    }

    /** The last committed cursor of {@code transactionalId}, or null (none yet, or the topic does not exist yet). */
    Cursor cursor(String transactionalId) {
        if (!assigned) {
            List<PartitionInfo> parts = consumer.partitionsFor(topic, Duration.ofSeconds(5));
            if (parts == null || parts.isEmpty()) {
                return null;
            }
            List<TopicPartition> tps = parts.stream().map(pi -> new TopicPartition(topic, pi.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            assigned = true;
        }
        for (int i = 0; i < 50; i++) {
            var records = consumer.poll(Duration.ofMillis(i == 0 ? 100 : 20));
            if (records.isEmpty()) {
                break;
            }
            for (ConsumerRecord<String, String> r : records) {
                if (r.value() != null) {
                    JsonNode n = E2e.reparse(r.value());
                    latest.put(r.key(), new Cursor(n.get("height").longValue(), n.get("hash").textValue()));
                }
            }
        }
        return latest.get(transactionalId);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
