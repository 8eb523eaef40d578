package dev.debshrew.sink.kafka;

import static dev.debshrew.sink.TestMessages.commitBlock;
import static dev.debshrew.sink.TestMessages.create;
import static dev.debshrew.sink.kafka.KafkaBlocks.CODEC;
import static dev.debshrew.sink.kafka.KafkaBlocks.block;
import static dev.debshrew.sink.kafka.KafkaBlocks.expectedNative;
import static dev.debshrew.sink.kafka.KafkaBlocks.values;
import static dev.debshrew.sink.kafka.KafkaBlocks.write;
import static dev.debshrew.sink.TestMessages.cursor;
import static dev.debshrew.sink.TestMessages.delete;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcMessage;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.debshrew.sink.BlockChange;
import dev.debshrew.sink.SinkBatch;
import dev.debshrew.sink.SinkException;
import dev.debshrew.sink.SinkFactory;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** KafkaSink recovering from (or refusing) broker-side failures, against a real in-process broker. */
class KafkaSinkRecoveryTest {

    private static final AtomicInteger SEQ = new AtomicInteger();
    private static KafkaTestBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaTestBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private static Map<String, Object> config() {
        return KafkaBlocks.config(broker, "rec");
    }


    static void await(String what, Duration timeout, java.util.concurrent.Callable<Boolean> done) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.call()) {
            assertThat(System.nanoTime()).as("waiting for %s", what).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    private static void createTopic(String topic, Map<String, String> configs) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(configs))).all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    private static SinkException failure(Executable action) {
        SinkException e = catchThrowableOfType(SinkException.class, action::run);
        assertThat(e).as("expected a SinkException").isNotNull();
        return e;
    }

    /** Something that may throw, for {@link #failure}. */
    interface Executable {
        void run() throws Exception;
    }

    @Test
    void aTransactionTimedOutOnTheCoordinatorIsAbortedAndTheBlockIsRedoneOnce() throws Exception {
        Map<String, Object> c = config();
        String txId = (String) c.get("transactional_id");
        c.put("producer.transaction.timeout.ms", 1000);
        try (Admin admin = admin(); KafkaSink sink = KafkaSink.create(c)) {
            sink.open();
            write(sink, 1);
            // The transaction of block 2 stays open past transaction.timeout.ms: the coordinator
            // aborts it and bumps the producer epoch; the producer learns it on its next request.
            sink.afterRecordsForTest = () -> {
                try {
                    await("the coordinator to abort the timed-out transaction", Duration.ofSeconds(30), () ->
                            admin.describeTransactions(List.of(txId)).description(txId).get().state()
                                    == TransactionState.COMPLETE_ABORT);
                } catch (Exception ex) {
                    throw new IllegalStateException(ex);
                }
            };
            SinkException e = failure(() -> write(sink, 2));
            sink.afterRecordsForTest = null;
            assertThat(e.isRetriable()).as(e.getMessage()).isTrue();
            assertThat(e.getMessage()).contains("InvalidProducerEpochException").doesNotContain("fenced");
            write(sink, 2); // the follower sends the same block again
            write(sink, 3);
        }
        assertThat(values(broker.readCommitted((String) c.get("topic")))).containsExactlyElementsOf(expectedNative(1, 2, 3));
        try (KafkaSink sink = KafkaSink.create(c)) {
            assertThat(sink.open()).contains(cursor(3));
        }
    }

    @Test
    void compactionOfOneTablesDeleteKeepsAnotherTablesRowWithTheSameKey() throws Exception {
        Map<String, Object> c = config();
        String topic = (String) c.get("topic");
        c.put("tombstones", true); // one topic for every table, key_format left at its default
        // a compacted topic whose segments roll (and get cleaned) quickly
        createTopic(topic, Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                TopicConfig.SEGMENT_MS_CONFIG, "100", TopicConfig.MIN_CLEANABLE_DIRTY_RATIO_CONFIG, "0.0"));
        CdcMessage createA = create(1, "a", "K", "{\"t\":\"a\"}");
        CdcMessage createB = create(1, "b", "K", "{\"t\":\"b\"}");
        try (KafkaSink sink = KafkaSink.create(c)) {
            sink.open();
            commitBlock(sink, cursor(1), createA, createB);
            commitBlock(sink, cursor(2), delete(2, "a", "K", "{\"t\":\"a\"}")); // + a tombstone
            // Keep appending (rolling segments) until the log cleaner has removed table a's row.
            long[] height = {2};
            await("the log cleaner to compact table a's row away", Duration.ofSeconds(90), () -> {
                height[0]++;
                commitBlock(sink, cursor(height[0]), create(height[0], "filler", "f", "{}"));
                return !values(broker.readCommitted(topic)).contains(CODEC.encode(createA));
            });
        }
        List<ConsumerRecord<byte[], byte[]>> records = broker.readCommitted(topic);
        assertThat(values(records)).as("table b's row with the same key survives compaction")
                .contains(CODEC.encode(createB));
        assertThat(records).extracting(r -> new String(r.key(), StandardCharsets.UTF_8)).contains("b:K", "a:K")
                .doesNotContain("K");
    }

    /**
     * The original debshrew's example Kafka sink config (sandshrewmetaprotocols/debshrew,
     * examples/sample-transform/sink-config.json at 36f0a30), which has no transactional id and
     * the options client_id, batch_size and flush_interval, runs unchanged but for the broker
     * address.
     */
    @Test
    void theOriginalsExampleKafkaConfigIsAcceptedAndWorksWithADerivedTransactionalId() throws Exception {
        Map<String, Object> c;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/original/kafka-sink-config.json")) {
            c = CdcCodec.mapper().readValue(in, new TypeReference<Map<String, Object>>() { });
        }
        assertThat(c).containsKeys("client_id", "batch_size", "flush_interval").doesNotContainKey("transactional_id");
        c.put("bootstrap_servers", broker.bootstrapServers()); // the fixture says localhost:9092
        try (KafkaSink sink = (KafkaSink) SinkFactory.create("kafka", c)) {
            assertThat(sink.config().transactionalId()).isEqualTo("debshrew-sample-transform@cdc-events");
            assertThat(sink.open()).isEmpty();
            write(sink, 1);
            write(sink, 2);
        }
        // restarted: the same id, so it finds its cursor, and a second instance fences the first
        try (KafkaSink first = (KafkaSink) SinkFactory.create("kafka", c);
                KafkaSink second = (KafkaSink) SinkFactory.create("kafka", c)) {
            assertThat(first.open()).contains(cursor(2));
            write(first, 3);
            assertThat(second.open()).contains(cursor(3));
            SinkException e = failure(() -> write(first, 4));
            assertThat(e.isRetriable()).isFalse();
            assertThat(e.getMessage()).contains("fenced").contains("debshrew-sample-transform@cdc-events");
            write(second, 4);
        }
        assertThat(values(broker.readCommitted("cdc-events"))).containsExactlyElementsOf(expectedNative(1, 2, 3, 4));
    }

    @Test
    void openFailsRetriablyWithinOpenTimeoutWhenTheBrokerIsDown() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        } // closed: nothing listens there now
        Map<String, Object> c = config();
        c.put("bootstrap_servers", "127.0.0.1:" + port);
        c.put("open_timeout_ms", 2000);
        long t0 = System.nanoTime();
        try (KafkaSink sink = KafkaSink.create(c)) {
            SinkException e = failure(sink::open);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(e.isRetriable()).as(e.getMessage()).isTrue();
            assertThat(e.getMessage()).contains("127.0.0.1:" + port).contains("open_timeout_ms = 2000")
                    .contains("broker down or unreachable");
            assertThat(ms).as("open() gave up after %d ms", ms).isLessThan(15_000);
            // the follower may back off and call open() again on the same sink
            assertThat(failure(sink::open).isRetriable()).isTrue();
        }
    }

    @Test
    void aRecordTheBrokerRefusesFailsTheBlockNotRetriablyAndTheSinkStaysUsable() throws Exception {
        Map<String, Object> c = config();
        String topic = (String) c.get("topic");
        createTopic(topic, Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "2000"));
        try (KafkaSink sink = KafkaSink.create(c)) {
            sink.open();
            write(sink, 1);
            // a batch whose last block holds a record the broker refuses: the records of the blocks
            // before it are already on the broker, in the transaction that is aborted
            List<BlockChange> blocks = new ArrayList<>(KafkaBlocks.batch(2, 3).blocks());
            // incompressible (the producer compresses): far above the topic's max.message.bytes
            byte[] noise = new byte[15_000];
            new java.util.Random(1).nextBytes(noise);
            blocks.add(new BlockChange(cursor(4), List.of(create(4, "blobs", "big", "{\"data\":\""
                    + java.util.Base64.getEncoder().encodeToString(noise) + "\"}"))));
            SinkException e = failure(() -> sink.commit(SinkBatch.of(blocks)));
            assertThat(e.isRetriable()).as(e.getMessage()).isFalse();
            assertThat(e.getMessage()).contains("RecordTooLargeException").contains("max.message.bytes");
            KafkaBlocks.writeBatch(sink, 2, 4); // the batch without the offending record (the transform was fixed)
        }
        assertThat(values(broker.readCommitted(topic))).containsExactlyElementsOf(expectedNative(1, 2, 3, 4));
        try (KafkaSink sink = KafkaSink.create(c)) {
            assertThat(sink.open()).contains(cursor(4));
        }
    }

    @Test
    void anInvalidProducerSettingFailsOpenNotRetriably() {
        Map<String, Object> c = config();
        c.put("producer.compression.type", "bogus");
        try (KafkaSink sink = KafkaSink.create(c)) {
            SinkException e = failure(sink::open);
            assertThat(e.isRetriable()).isFalse();
            assertThat(e.getMessage()).contains("compression.type").contains("Invalid Kafka client configuration");
        }
    }

    @Test
    void aTableWhoseTopicWouldBeTheCursorTopicIsRefused() throws Exception {
        Map<String, Object> c = config();
        String prefix = "cc" + SEQ.incrementAndGet();
        c.put("topic_template", prefix + ".{table}");
        c.put("cursor_topic", prefix + "_cursor"); // folds to the same metric name as <prefix>.cursor
        try (KafkaSink sink = KafkaSink.create(c)) {
            sink.open();
            SinkException e = failure(() -> commitBlock(sink, cursor(1), create(1, "cursor", "k", "{}")));
            assertThat(e.isRetriable()).isFalse();
            assertThat(e.getMessage()).contains("table 'cursor'").contains("cursor topic");
            commitBlock(sink, cursor(1), create(1, "blocks", "k", "{}"));
        }
        assertThat(broker.readCommitted(prefix + ".blocks")).hasSize(1);
    }

    /**
     * A batch's records reach the broker while its transaction is open, but a read_committed
     * consumer sees none of them (the last stable offset stays before the batch) until the commit,
     * and then all of them.
     */
    @Test
    void aReadCommittedConsumerSeesABatchOnlyWholeAfterItsCommit() throws Exception {
        Map<String, Object> c = config();
        String topic = (String) c.get("topic");
        TopicPartition tp = new TopicPartition(topic, 0);
        createTopic(topic, Map.of());
        try (Admin admin = admin(); KafkaSink sink = KafkaSink.create(c)) {
            sink.open();
            write(sink, 1);
            long stableBefore = endOffset(admin, tp, IsolationLevel.READ_COMMITTED);
            long[] seen = new long[1];
            sink.afterRecordsForTest = () -> {
                try {
                    // the records of blocks 2..4 (6 of them) arrive at the broker, in the open transaction
                    await("the batch's records to reach the broker", Duration.ofSeconds(30),
                            () -> endOffset(admin, tp, IsolationLevel.READ_UNCOMMITTED) >= stableBefore + 6);
                    seen[0] = endOffset(admin, tp, IsolationLevel.READ_COMMITTED);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            KafkaBlocks.writeBatch(sink, 2, 4);
            // read_committed consumers read up to the last stable offset: none of the batch meanwhile
            assertThat(seen[0]).as("last stable offset while the batch's transaction is open").isEqualTo(stableBefore);
        }
        assertThat(values(broker.readCommitted(topic))).containsExactlyElementsOf(expectedNative(1, 2, 3, 4));
    }

    private static long endOffset(Admin admin, TopicPartition tp, IsolationLevel level) throws Exception {
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest()), new ListOffsetsOptions(level)).partitionResult(tp)
                .get(30, TimeUnit.SECONDS).offset();
    }
}
