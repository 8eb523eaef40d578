package dev.debshrew.sink.kafka;

import static dev.debshrew.sink.TestMessages.commitBlock;
import static dev.debshrew.sink.TestMessages.create;
import static dev.debshrew.sink.kafka.KafkaBlocks.CODEC;
import static dev.debshrew.sink.kafka.KafkaBlocks.block;
import static dev.debshrew.sink.kafka.KafkaBlocks.expectedNative;
import static dev.debshrew.sink.kafka.KafkaBlocks.values;
import static dev.debshrew.sink.kafka.KafkaBlocks.write;
import static dev.debshrew.sink.kafka.KafkaBlocks.writeBatch;
import static dev.debshrew.sink.TestMessages.cursor;
import static dev.debshrew.sink.TestMessages.delete;
import static dev.debshrew.sink.TestMessages.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.sink.BlockChange;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.SinkBatch;
import dev.debshrew.sink.SinkException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** KafkaSink against a real in-process broker (shared by the class). */
class KafkaSinkTest {

    private static final AtomicInteger SEQ = new AtomicInteger();

    private static KafkaTestBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaTestBroker.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private static Map<String, Object> config() {
        return KafkaBlocks.config(broker, "cdc");
    }


    @Test
    void committedBlocksAreSeenExactlyOnceAndTheCursorIsReadBack() throws Exception {
        Map<String, Object> c = config();
        String topic = (String) c.get("topic");
        try (KafkaSink sink = KafkaSink.create(c)) {
            assertThat(sink.open()).isEmpty();
            write(sink, 1);
            write(sink, 2);
            commitBlock(sink, cursor(3)); // empty block still advances the cursor
        }
        List<ConsumerRecord<byte[], byte[]>> records = broker.readCommitted(topic);
        assertThat(values(records)).containsExactlyElementsOf(expectedNative(1, 2));
        assertThat(records).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .containsExactly("b1", "alice", "b2", "alice");

        try (KafkaSink sink = KafkaSink.create(c)) {
            assertThat(sink.open()).contains(cursor(3));
            write(sink, 4);
        }
        assertThat(values(broker.readCommitted(topic))).containsExactlyElementsOf(expectedNative(1, 2, 4));

        // The cursor topic is compacted, single-partition, keyed by the transactional id.
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            String cursorTopic = topic + ".cursor";
            assertThat(admin.describeTopics(List.of(cursorTopic)).allTopicNames().get().get(cursorTopic).partitions())
                    .hasSize(1);
            ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, cursorTopic);
            assertThat(admin.describeConfigs(List.of(res)).all().get().get(res)
                    .get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("compact");
        }
        List<ConsumerRecord<byte[], byte[]>> cursors = broker.readCommitted(topic + ".cursor");
        assertThat(cursors).hasSize(4);
        assertThat(new String(cursors.get(3).key(), StandardCharsets.UTF_8)).isEqualTo(c.get("transactional_id"));
        assertThat(new String(cursors.get(3).value(), StandardCharsets.UTF_8))
                .isEqualTo("{\"height\":4,\"hash\":\"" + cursor(4).hash() + "\"}");
    }

    @Test
    void aBatchWhoseLastBlockIsRefusedLeavesNothingOfTheBatch() throws Exception {
        Map<String, Object> c = config();
        c.put("max_message_bytes", 400);
        String big = "{\"data\":\"" + "ab".repeat(300) + "\"}";
        try (KafkaSink sink = KafkaSink.create(c)) {
            sink.open();
            write(sink, 1);
            List<BlockChange> blocks = new ArrayList<>(KafkaBlocks.batch(2, 3).blocks());
            blocks.add(new BlockChange(cursor(4), List.of(create(4, "blobs", "big-key", big))));
            assertThatThrownBy(() -> sink.commit(SinkBatch.of(blocks)))
                    .isInstanceOfSatisfying(SinkException.class, e -> assertThat(e.isRetriable()).isFalse())
                    .hasMessageContaining("key 'big-key'").hasMessageContaining("max_message_bytes = 400");
            writeBatch(sink, 2, 4); // the batch again, after the transform was fixed
        }
        assertThat(values(broker.readCommitted((String) c.get("topic"))))
                .containsExactlyElementsOf(expectedNative(1, 2, 3, 4));
        try (KafkaSink sink = KafkaSink.create(c)) {
            assertThat(sink.open()).contains(cursor(4));
        }
    }

    @Test
    void aCrashMidBlockIsInvisibleAndTheBlockIsWrittenOnceAfterRestart() throws Exception {
        Map<String, Object> c = config();
        String topic = (String) c.get("topic");
        KafkaSink crashed = KafkaSink.create(c);
        crashed.open();
        write(crashed, 1);
        crashed.afterRecordsForTest = () -> {
            throw new SimulatedCrash();
        };
        assertThatThrownBy(() -> writeBatch(crashed, 2, 3)).isInstanceOf(SimulatedCrash.class);
        crashed.crash(); // producer dropped with its transaction open, as after kill -9

        try (KafkaSink sink = KafkaSink.create(c)) {
            Optional<Cursor> cur = sink.open(); // initTransactions aborts the dangling transaction
            assertThat(cur).contains(cursor(1));
            writeBatch(sink, 2, 3);
        }
        assertThat(values(broker.readCommitted(topic))).containsExactlyElementsOf(expectedNative(1, 2, 3));
    }

    /** The process dying in the middle of a commit. */
    static final class SimulatedCrash extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    @Test
    void aSecondInstanceWithTheSameTransactionalIdFencesTheFirst() throws Exception {
        Map<String, Object> c = config();
        try (KafkaSink first = KafkaSink.create(c); KafkaSink second = KafkaSink.create(c)) {
            first.open();
            write(first, 1);
            assertThat(second.open()).contains(cursor(1));

            SinkException e = null;
            try {
                write(first, 2);
                fail("the fenced instance committed a block");
            } catch (SinkException ex) {
                e = ex;
            }
            assertThat(e.isRetriable()).isFalse();
            assertThat(e.getMessage()).contains("fenced").contains((String) c.get("transactional_id"));
            assertThatThrownBy(() -> write(first, 3))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("failed earlier");

            write(second, 2);
        }
        assertThat(values(broker.readCommitted((String) c.get("topic")))).containsExactlyElementsOf(expectedNative(1, 2));
    }

    @Test
    void aCommitWhoseReplyWasLostIsRecognisedWhenTheBlockIsRetried() throws Exception {
        Map<String, Object> c = config();
        try (KafkaSink sink = KafkaSink.create(c)) {
            sink.open();
            write(sink, 1);
            sink.afterCommitForTest = () -> {
                throw new org.apache.kafka.common.errors.TimeoutException("simulated: commit reply lost");
            };
            SinkException e = null;
            try {
                writeBatch(sink, 2, 4);
            } catch (SinkException ex) {
                e = ex;
            }
            assertThat(e).isNotNull();
            assertThat(e.isRetriable()).isTrue();
            sink.afterCommitForTest = null;
            writeBatch(sink, 2, 4); // the retry: the batch had landed, so it is not written again
            write(sink, 5);
        }
        assertThat(values(broker.readCommitted((String) c.get("topic"))))
                .containsExactlyElementsOf(expectedNative(1, 2, 3, 4, 5));
        try (KafkaSink sink = KafkaSink.create(c)) {
            assertThat(sink.open()).contains(cursor(5));
        }
    }

    @Test
    void errorsAreClassifiedRetriableOnlyWhenARetryCanSucceed() {
        // not retriable: another instance took over, credentials/ACLs, configuration, unsupported broker
        for (Throwable e : List.<Throwable>of(new org.apache.kafka.common.errors.ProducerFencedException("x"),
                new org.apache.kafka.common.errors.TopicAuthorizationException("x"),
                new org.apache.kafka.common.errors.TransactionalIdAuthorizationException("x"),
                new org.apache.kafka.common.errors.SaslAuthenticationException("x"),
                new org.apache.kafka.common.KafkaException("Failed to construct kafka producer",
                        new org.apache.kafka.common.config.ConfigException("compression.type", "bogus")),
                new org.apache.kafka.common.errors.OutOfOrderSequenceException("x"),
                new org.apache.kafka.common.errors.UnsupportedVersionException("x"))) {
            assertThat(KafkaErrors.classify(e)).as(e.toString()).isEqualTo(KafkaErrors.Kind.FATAL);
        }
        // not retriable, the sink stays usable: the broker refused this data
        for (Throwable e : List.<Throwable>of(new org.apache.kafka.common.errors.RecordTooLargeException("x"),
                new org.apache.kafka.common.errors.InvalidTopicException("x"),
                new org.apache.kafka.common.errors.PolicyViolationException("x"))) {
            assertThat(KafkaErrors.classify(e)).as(e.toString()).isEqualTo(KafkaErrors.Kind.REJECTED);
        }
        // retriable: unreachable / slow broker, replicas, coordinator, abortable transaction errors
        for (Throwable e : List.<Throwable>of(new org.apache.kafka.common.errors.TimeoutException("x"),
                new org.apache.kafka.common.errors.NetworkException("x"),
                new org.apache.kafka.common.errors.NotEnoughReplicasException("x"),
                new org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException("x"),
                new org.apache.kafka.common.errors.CoordinatorNotAvailableException("x"),
                new org.apache.kafka.common.errors.NotCoordinatorException("x"),
                new org.apache.kafka.common.errors.NotLeaderOrFollowerException("x"),
                new org.apache.kafka.common.errors.TransactionAbortableException("x"),
                new org.apache.kafka.common.KafkaException("wrapped",
                        new org.apache.kafka.common.errors.InvalidProducerEpochException("x")))) {
            assertThat(KafkaErrors.classify(e)).as(e.toString()).isEqualTo(KafkaErrors.Kind.RETRIABLE);
        }
        SinkException fenced = KafkaErrors.error("kafka:t[p]", "p", "committing",
                new org.apache.kafka.common.errors.ProducerFencedException("x"), KafkaErrors.Kind.FATAL);
        assertThat(fenced.isRetriable()).isFalse();
        assertThat(fenced.getMessage()).contains("fenced").contains("'p'");
        SinkException auth = KafkaErrors.error("kafka:t[p]", "p", "opening",
                new org.apache.kafka.common.errors.SaslAuthenticationException("bad password=hunter2"),
                KafkaErrors.Kind.FATAL);
        assertThat(auth.getMessage()).contains("Authentication failed").doesNotContain("hunter2");
    }

    @Test
    void topicTemplateRoutesEachTableToItsOwnTopic() throws Exception {
        Map<String, Object> c = config();
        String prefix = "tt" + SEQ.incrementAndGet();
        c.put("topic_template", prefix + ".{table}");
        c.put("key_format", "table_key");
        String hostile = "tx outs/\"x\"";
        try (KafkaSink sink = KafkaSink.create(c)) {
            sink.open();
            commitBlock(sink, cursor(1), create(1, "blocks", "1", "{\"n\":1}"), create(1, hostile, "k", "{\"n\":2}"),
                    create(1, "blocks", "2", "{\"n\":3}"));
        }
        String hostileTopic = TopicNames.expand(prefix + ".{table}", hostile, "test_transform");
        assertThat(hostileTopic).isEqualTo(prefix + ".-tx-20outs-2f-22x-22");
        assertThat(hostileTopic).isNotEqualTo(TopicNames.expand(prefix + ".{table}", "-tx-20outs-2f-22x-22", "s"));

        List<ConsumerRecord<byte[], byte[]>> blocks = broker.readCommitted(prefix + ".blocks");
        assertThat(blocks).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .containsExactly("blocks:1", "blocks:2");
        List<ConsumerRecord<byte[], byte[]>> other = broker.readCommitted(hostileTopic);
        assertThat(other).extracting(r -> new String(r.key(), StandardCharsets.UTF_8)).containsExactly(hostile + ":k");
        // the cursor topic defaults to <topic>.cursor
        assertThat(broker.readCommitted(c.get("topic") + ".cursor")).hasSize(1);
    }

    @Test
    void anOversizedMessageFailsTheBlockWithAClearErrorAndTheSinkStaysUsable() throws Exception {
        Map<String, Object> c = config();
        c.put("max_message_bytes", 400);
        try (KafkaSink sink = KafkaSink.create(c)) {
            sink.open();
            write(sink, 1);
            String big = "{\"data\":\"" + "ab".repeat(300) + "\"}";
            assertThatThrownBy(() -> commitBlock(sink, cursor(2), create(2, "blocks", "small", "{}"),
                    create(2, "blobs", "big-key", big)))
                    .isInstanceOfSatisfying(SinkException.class, e -> assertThat(e.isRetriable()).isFalse())
                    .hasMessageContaining("table 'blobs'").hasMessageContaining("key 'big-key'")
                    .hasMessageContaining("max_message_bytes = 400").hasMessageMatching("(?s).* is \\d+ bytes.*");
            // the same block again, after the transform was fixed
            write(sink, 2);
        }
        assertThat(values(broker.readCommitted((String) c.get("topic")))).containsExactlyElementsOf(expectedNative(1, 2));
    }

    @Test
    void debeziumRecordsAreParsedByKafkaConnectJsonConverter() throws Exception {
        for (boolean schemas : new boolean[] {false, true}) {
            Map<String, Object> c = config();
            c.put("format", "debezium");
            c.put("debezium_schemas", schemas);
            c.put("tombstones", true);
            try (KafkaSink sink = KafkaSink.create(c)) {
                sink.open();
                commitBlock(sink, cursor(5), create(5, "utxo", "tx:0", "{\"value\":1000,\"spent\":false,\"tags\":[\"a\"]}"),
                        update(5, "utxo", "tx:0", "{\"value\":1000,\"spent\":false,\"tags\":[\"a\"]}",
                                "{\"value\":1000,\"spent\":true,\"tags\":[\"a\",\"b\"],\"by\":\"tx2\"}"),
                        delete(5, "utxo", "tx:0", "{\"value\":1000,\"spent\":true}"));
            }
            List<ConsumerRecord<byte[], byte[]>> records = broker.readCommitted((String) c.get("topic"));
            assertThat(records).hasSize(4);
            assertThat(records.get(3).value()).as("tombstone after the delete").isNull();
            // tombstones on a topic shared by tables: the key names the table (key_format defaults to table_key)
            assertThat(new String(records.get(3).key(), StandardCharsets.UTF_8)).isEqualTo("utxo:tx:0");

            JsonConverter converter = new JsonConverter();
            converter.configure(Map.of("schemas.enable", String.valueOf(schemas)), false);
            List<String> ops = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                SchemaAndValue sv = converter.toConnectData("t", records.get(i).value());
                if (schemas) {
                    Struct s = (Struct) sv.value();
                    ops.add(s.getString("op"));
                    Struct source = s.getStruct("source");
                    assertThat(source.getInt64("block_height")).isEqualTo(5L);
                    assertThat(source.getInt32("index")).isEqualTo(i);
                    assertThat(source.getBoolean("inverse")).isFalse();
                    if (i == 1) {
                        Struct after = s.getStruct("after");
                        assertThat(after.getInt64("value")).isEqualTo(1000L);
                        assertThat(after.getBoolean("spent")).isTrue();
                        assertThat(after.getArray("tags")).containsExactly("a", "b");
                        assertThat(after.getString("by")).isEqualTo("tx2");
                        assertThat(s.getStruct("before").getString("by")).isNull();
                    }
                } else {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = (Map<String, Object>) sv.value();
                    ops.add((String) m.get("op"));
                    @SuppressWarnings("unchecked")
                    Map<String, Object> source = (Map<String, Object>) m.get("source");
                    assertThat(source).containsEntry("table", "utxo").containsEntry("block_hash", cursor(5).hash());
                    assertThat(((Number) source.get("index")).intValue()).isEqualTo(i);
                }
            }
            assertThat(ops).containsExactly("c", "u", "d");
            converter.close();
        }
    }

    @Test
    void manyBlocksThroughput() throws Exception {
        // Ceiling: a raw transactional producer writing the same records, one transaction per block.
        {
            Map<String, Object> p = new HashMap<>();
            p.put("bootstrap.servers", broker.bootstrapServers());
            p.put("transactional.id", "raw-" + SEQ.incrementAndGet());
            p.put("key.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class);
            p.put("value.serializer", org.apache.kafka.common.serialization.ByteArraySerializer.class);
            String rawTopic = "raw-" + SEQ.incrementAndGet();
            try (org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> raw =
                    new org.apache.kafka.clients.producer.KafkaProducer<>(p)) {
                raw.initTransactions();
                long t0 = System.nanoTime();
                for (int h = 1; h <= 100; h++) {
                    raw.beginTransaction();
                    for (int i = 0; i < 100; i++) {
                        raw.send(new org.apache.kafka.clients.producer.ProducerRecord<>(rawTopic,
                                (h + ":" + i).getBytes(StandardCharsets.UTF_8),
                                CODEC.encodeBytes(create(h, "t", h + ":" + i, "{\"i\":" + i + "}"))));
                    }
                    raw.send(new org.apache.kafka.clients.producer.ProducerRecord<>(rawTopic + ".c", new byte[1], new byte[1]));
                    raw.commitTransaction();
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                System.out.printf("raw producer ceiling: 10000 msgs in 100 transactions in %.2f s = %.0f msgs/s%n",
                        secs, 10000 / secs);
            }
        }
        Map<String, Object> c = config();
        int blocks = 100;
        int perBlock = 100;
        long t0 = System.nanoTime();
        try (KafkaSink sink = KafkaSink.create(c)) {
            sink.open();
            for (int h = 1; h <= blocks; h++) {
                List<CdcMessage> messages = new ArrayList<>();
                for (int i = 0; i < perBlock; i++) {
                    messages.add(create(h, "t", h + ":" + i, "{\"i\":" + i + ",\"pad\":\"0123456789abcdef0123456789\"}"));
                }
                commitBlock(sink, cursor(h), messages);
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("kafka sink: %d msgs in %d blocks in %.2f s = %.0f msgs/s%n",
                blocks * perBlock, blocks, secs, blocks * perBlock / secs);
        List<ConsumerRecord<byte[], byte[]>> records = broker.readCommitted((String) c.get("topic"));
        assertThat(records).hasSize(blocks * perBlock);
        Set<String> keys = records.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8))
                .collect(Collectors.toSet());
        assertThat(keys).hasSize(blocks * perBlock);
    }
}
