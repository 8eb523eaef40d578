package dev.debshrew.connect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.sink.Cursor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Catch-up throughput, connector against daemon, on the same workload: the devnet's first
 * {@code debshrew.bench.blocks} blocks (default 400) of the {@code txindex} transform from height 0,
 * into the same in-JVM broker. Prints blocks/s of the daemon's engine with its Kafka sink (in-memory
 * store), of the connector with its state in Kafka and of the connector with state in memory, each
 * from the start of the run (the connector's creation) to the tip committed, and the ratios, the
 * transactions and the changelog records, in {@code debshrew.bench.rounds} rounds (default 2: the
 * first warms the JVM up). A measurement, not a test: it runs
 * only with {@code -Ddebshrew.bench=true} (docs/connect.md gives the command) and checks only that
 * the outputs are equal record for record, so that the figures compare like with like.
 */
@EnabledIfSystemProperty(named = "debshrew.bench", matches = "true")
class CatchUpBench extends ClusterFixture {

    private static final Duration WAIT = Duration.ofMinutes(10);

    @Test
    void connectorAgainstDaemon() throws Exception {
        int blocks = Integer.getInteger("debshrew.bench.blocks", 400);
        connect = EmbeddedCluster.start("debshrew-bench", 1);
        Path txindex = ConnectClusterTest.example("txindex");
        devnet = DevnetServer.builder().seed(7).initialHeight(blocks).build().start(0);
        String bootstrap = connect.kafka().bootstrapServers();
        Cursor tip = new Cursor(devnet.height(), devnet.blockHash(devnet.height()));
        long height = tip.height() + 1;
        int rounds = Integer.getInteger("debshrew.bench.rounds", 2);
        System.out.printf("catch-up of %d blocks, txindex, one worker and one broker in this JVM, %d rounds"
                + " (the first warms the JIT up)%n", height, rounds);
        for (int round = 1; round <= rounds; round++) {
            String r = "r" + round;
            for (String t : List.of(r + ".daemon", r + ".state", r + ".state.cursor", r + ".memory",
                    r + ".memory.cursor", r + ".tuned", r + ".tuned.cursor")) {
                connect.kafka().createTopic(t, 1);
            }
            long t0 = System.nanoTime();
            DaemonReference.run(devnet, txindex, bootstrap, r + ".daemon", WAIT);
            long daemonMs = (System.nanoTime() - t0) / 1_000_000;
            long stateMs = runConnector(r + ".state", txindex, tip, true, false);
            long memoryMs = runConnector(r + ".memory", txindex, tip, false, false);
            long tunedMs = runConnector(r + ".tuned", txindex, tip, true, true);

            List<CommittedTopic.Entry> daemon = CommittedTopic.read(bootstrap, r + ".daemon", WAIT);
            assertThat(CommittedTopic.read(bootstrap, r + ".state", WAIT)).containsExactlyElementsOf(daemon);
            assertThat(CommittedTopic.read(bootstrap, r + ".memory", WAIT)).containsExactlyElementsOf(daemon);
            assertThat(CommittedTopic.read(bootstrap, r + ".tuned", WAIT)).containsExactlyElementsOf(daemon);
            int stateTx = CommittedTopic.read(bootstrap, r + ".state.cursor", WAIT).size();
            int memoryTx = CommittedTopic.read(bootstrap, r + ".memory.cursor", WAIT).size();
            int changelog = CommittedTopic.read(bootstrap, r + ".state.debshrew-state", WAIT).size();
            System.out.printf("round %d, %d records:%n"
                    + "  daemon engine + Kafka sink (memory store): %6d ms  %6.1f blocks/s%n"
                    + "  connector, state in Kafka:  %6d ms  %6.1f blocks/s  %.2fx the daemon's time,"
                    + " %d transactions, %d changelog records%n"
                    + "  connector, state in memory: %6d ms  %6.1f blocks/s  %.2fx the daemon's time,"
                    + " %d transactions%n"
                    + "  connector, state in Kafka, producer as the daemon's (producer.override.*): %6d ms  %6.1f"
                    + " blocks/s  %.2fx the daemon's time%n", round, daemon.size(), daemonMs, rate(height, daemonMs),
                    stateMs, rate(height, stateMs), (double) stateMs / daemonMs, stateTx, changelog, memoryMs,
                    rate(height, memoryMs), (double) memoryMs / daemonMs, memoryTx, tunedMs, rate(height, tunedMs),
                    (double) tunedMs / daemonMs);
        }
    }

    private static double rate(long blocks, long ms) {
        return blocks * 1000.0 / ms;
    }

    /**
     * Creates the connector (state in Kafka or in memory; with the daemon's producer settings or
     * Connect's defaults) and returns the milliseconds until its committed cursor is {@code tip}.
     */
    private long runConnector(String name, Path module, Cursor tip, boolean state, boolean daemonProducer)
            throws Exception {
        Map<String, String> c = ConnectClusterTest.connector(devnet, module, name);
        if (state) {
            c.put(DebshrewConnectorConfig.STATE_BOOTSTRAP_SERVERS, connect.kafka().bootstrapServers());
        }
        if (daemonProducer) { // the daemon's Kafka sink's producer defaults (debshrew-sinks ProducerSettings)
            c.put("producer.override.batch.size", "262144");
            c.put("producer.override.linger.ms", "10");
            c.put("producer.override.compression.type", "lz4");
        }
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, connect.kafka().bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        String want = ConnectRecords.cursorJson(tip);
        try (KafkaConsumer<String, String> cursors = new KafkaConsumer<>(p)) {
            cursors.assign(List.of(new TopicPartition(name + ".cursor", 0)));
            long t0 = System.nanoTime();
            connect.configureConnector(name, c);
            long deadline = t0 + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : cursors.poll(Duration.ofMillis(100))) {
                    if (want.equals(r.value())) {
                        long ms = (System.nanoTime() - t0) / 1_000_000;
                        connect.deleteConnector(name);
                        return ms;
                    }
                }
            }
        }
        throw new AssertionError("connector " + name + " did not commit " + tip + " within " + WAIT);
    }
}
