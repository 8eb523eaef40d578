package dev.debshrew.bench;

import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Kafka ceiling: a plain transactional producer sending the same records as the sink (key =
 * the row key, value = the native JSON message) to a fresh one-partition topic, 1000 records per
 * transaction, sent without waiting for each acknowledgement, with batching (linger 5 ms, 1 MiB
 * batches).
 */
final class KafkaCeiling {

    /** Records per transaction. */
    static final int TRANSACTION_RECORDS = 1000;

    private KafkaCeiling() {
    }

    /** Sends {@code messages} to a new topic {@code topic}; returns the seconds taken (topic creation excluded). */
    static double measure(String bootstrap, String topic, List<CdcMessage> messages) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        CdcCodec codec = new CdcCodec();
        Map<String, Object> p = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "debshrew-bench-ceiling-" + UUID.randomUUID(),
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            producer.initTransactions();
            long t0 = System.nanoTime();
            for (int from = 0; from < messages.size(); from += TRANSACTION_RECORDS) {
                producer.beginTransaction();
                for (CdcMessage m : messages.subList(from, Math.min(messages.size(), from + TRANSACTION_RECORDS))) {
                    producer.send(new ProducerRecord<>(topic, m.payload().key().getBytes(StandardCharsets.UTF_8),
                            codec.encodeBytes(m)));
                }
                producer.commitTransaction();
            }
            return (System.nanoTime() - t0) / 1e9;
        }
    }
}
