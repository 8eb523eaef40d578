package dev.debshrew.sink.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node Kafka (combined broker + controller) inside the test JVM. Published in the
 * test-jar of debshrew-sinks for the end-to-end tests of debshrew-core.
 */
public final class KafkaTestBroker implements AutoCloseable {

    private final KafkaClusterTestKit cluster;

    private KafkaTestBroker(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    /**
     * The broker settings of the tests (on top of a single node's defaults); the container path of
     * debshrew-core's end-to-end suites gives its Kafka container the same ones.
     */
    public static final Map<String, String> TEST_CONFIG = testConfig();

    private static Map<String, String> testConfig() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("offsets.topic.replication.factor", "1");
        c.put("offsets.topic.num.partitions", "1");
        c.put("transaction.state.log.replication.factor", "1");
        c.put("transaction.state.log.min.isr", "1");
        c.put("transaction.state.log.num.partitions", "1");
        c.put("group.initial.rebalance.delay.ms", "0");
        c.put("num.partitions", "1");
        // Let tests observe coordinator-side transaction timeouts and log compaction promptly
        // (both only act on transactions / topics configured for it by the test).
        c.put("transaction.abort.timed.out.transaction.cleanup.interval.ms", "200");
        c.put("log.cleaner.backoff.ms", "100");
        return Collections.unmodifiableMap(c);
    }

    public static KafkaTestBroker start() throws Exception {
        return start(Map.of());
    }

    /**
     * A broker whose clients are told to reach it at {@code host} (its listener binds every
     * address; by default it advertises {@code localhost}), e.g. the test's end of a veth link for
     * a client inside a network namespace. The advertised port is the one the listener bound.
     */
    public static KafkaTestBroker startAdvertising(String host) throws Exception {
        // port 0: the broker advertises the port its listener bound (the test kit pre-binds it)
        return start(Map.of("advertised.listeners", "EXTERNAL://" + host + ":0"));
    }

    /** A broker with {@code extraConfig} on top of {@link #TEST_CONFIG}. */
    public static KafkaTestBroker start(Map<String, String> extraConfig) throws Exception {
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        TEST_CONFIG.forEach(builder::setConfigProp);
        extraConfig.forEach(builder::setConfigProp);
        KafkaClusterTestKit cluster = builder.build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        return new KafkaTestBroker(cluster);
    }

    /**
     * Shuts the broker down (the controller keeps running): clients find nothing listening on its
     * port. {@link #startBroker} brings it back on the same port with the same log directories.
     */
    public void stopBroker() {
        cluster.brokers().values().forEach(b -> {
            b.shutdown();
            b.awaitShutdown();
        });
    }

    /** Starts the broker stopped by {@link #stopBroker} again and waits until it is ready. */
    public void startBroker() throws Exception {
        for (var b : cluster.brokers().values()) {
            b.startup();
        }
        cluster.waitForReadyBrokers();
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /**
     * Every committed record of {@code topics}, read with {@code isolation.level=read_committed}
     * from the beginning up to the last stable offset, per partition in offset order.
     */
    public List<ConsumerRecord<byte[], byte[]>> readCommitted(String... topics) {
        return readCommittedFrom(bootstrapServers(), topics);
    }

    /** {@link #readCommitted(String...)} from the broker at {@code bootstrapServers} (any broker). */
    public static List<ConsumerRecord<byte[], byte[]>> readCommittedFrom(String bootstrapServers, String... topics) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (String t : topics) {
                List<PartitionInfo> parts = c.partitionsFor(t, Duration.ofSeconds(10));
                for (PartitionInfo pi : parts) {
                    tps.add(new TopicPartition(t, pi.partition()));
                }
            }
            c.assign(tps);
            c.seekToBeginning(tps);
            // Target = high watermark (read_uncommitted end): a read_committed consumer passes it
            // only once every transaction before it is decided (commit markers are written
            // asynchronously after commitTransaction returns, so the last stable offset may lag).
            Map<TopicPartition, Long> end;
            Map<String, Object> up = new HashMap<>(p);
            up.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
            try (KafkaConsumer<byte[], byte[]> u = new KafkaConsumer<>(up)) {
                end = u.endOffsets(tps, Duration.ofSeconds(10));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!reached(c, end, tps)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("timed out reading " + List.of(topics));
                }
                c.poll(Duration.ofMillis(100)).forEach(out::add);
            }
        }
        return out;
    }

    private static boolean reached(KafkaConsumer<?, ?> c, Map<TopicPartition, Long> end, Collection<TopicPartition> tps) {
        for (TopicPartition tp : tps) {
            if (c.position(tp, Duration.ofSeconds(10)) < end.get(tp)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (Exception e) {
            throw new IllegalStateException("stopping the test broker failed", e);
        }
    }
}
