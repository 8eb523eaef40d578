package dev.debshrew.connect;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a whole topic as a {@code read_committed} consumer: every committed record, up to the last stable offset. */
final class CommittedTopic {

    /** A record's key and value as UTF-8 strings (value null for a tombstone). */
    record Entry(String key, String value) {
    }

    private CommittedTopic() {
    }

    /** Every committed record of {@code topic}, partition by partition, in offset order. */
    static List<Entry> read(String bootstrap, String topic, Duration timeout) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = c.partitionsFor(topic, timeout).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).sorted((a, b) -> a.partition() - b.partition())
                    .toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts, timeout);
            List<Entry> out = new ArrayList<>();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read topic " + topic + " up to " + end + " within " + timeout);
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.add(new Entry(new String(r.key(), StandardCharsets.UTF_8),
                            r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8)));
                }
            }
            return out;
        }
    }

    /**
     * Waits until the last committed record of {@code topic} has the value {@code want} (polling the
     * topic as a {@code read_committed} consumer until {@code timeout}).
     */
    static void awaitLast(String bootstrap, String topic, String want, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            List<Entry> entries = read(bootstrap, topic, timeout);
            last = entries.isEmpty() ? null : entries.get(entries.size() - 1).value();
            if (want.equals(last)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the last committed record of " + topic + " is " + last + ", not " + want
                + " after " + timeout);
    }
}
