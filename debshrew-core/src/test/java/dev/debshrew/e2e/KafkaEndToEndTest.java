package dev.debshrew.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.sink.Cursor;
import dev.debshrew.testing.DaemonProcess;
import dev.debshrew.testing.Examples;
import dev.debshrew.testing.servers.TestKafka;
import dev.debshrew.testing.servers.TestServers;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLimits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon (a real process) writing to a real Kafka broker (in the test JVM, or in a container
 * with {@code -Pcontainers}: {@link TestServers}) through reorgs and SIGKILLs; a
 * {@code read_committed} consumer must then see exactly the canonical chain's messages once, plus
 * the inverse messages of the orphaned blocks, and nothing twice.
 */
class KafkaEndToEndTest {

    private static TestKafka broker;
    private static Transform txindex;

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        txindex = Transform.load(Examples.assemblyScript("txindex"), TransformLimits.defaults());
    }

    /** Once per class; per test so that each is reported skipped when the chosen servers are unavailable. */
    @BeforeEach
    void startBroker() throws Exception {
        if (broker == null) {
            broker = TestServers.selected().startKafka();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (txindex != null) {
            txindex.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private static ObjectNode kafkaSink(String topic, String transactionalId) {
        return E2e.sink("kafka").put("bootstrap_servers", broker.bootstrapServers())
                .put("transactional_id", transactionalId).put("topic", topic)
                .put("close_timeout_ms", 2000).put("cursor_read_timeout_ms", 30_000);
    }

    private static List<CdcMessage> readTopic(String topic) throws Exception {
        List<CdcMessage> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : broker.readCommitted(topic)) {
            CdcMessage m = E2e.CODEC.decode(r.value());
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(m.payload().key());
            out.add(m);
        }
        return out;
    }

    @Test
    void reorgsAndKillsEndWithEveryCanonicalMessageExactlyOnce() throws Exception {
        long started = System.nanoTime();
        String topic = "e2e.txindex";
        String txid = "e2e-txindex";
        try (DevnetServer devnet = DevnetServer.builder().seed(101).initialHeight(40).reorgTiming(E2e.FAST).build()
                .start(0);
                KafkaCursorWatch cursors = new KafkaCursorWatch(broker.bootstrapServers(), topic + ".cursor")) {
            Path config = E2e.writeConfig(dir.resolve("config.json"), devnet, "txindex", dir.resolve("data"),
                    shared.resolve("compile-cache"), "rocksdb", kafkaSink(topic, txid));
            CrashScenario.Result result = new CrashScenario(devnet, config, dir.resolve("logs"),
                    (h, hash) -> new Cursor(h, hash).equals(cursors.cursor(txid)), 4242).run();

            List<CdcMessage> delivered = readTopic(topic);
            List<CdcMessage> canonical = E2e.reference(devnet, txindex, dir);
            E2e.Checked checked = E2e.assertExactlyOnce("kafka topic " + topic, delivered, canonical);
            assertThat(checked.inverse()).as("inverse messages of the orphaned blocks").isPositive();
            System.out.printf("kafka e2e: %s; %s; %s%n", result, checked, CrashScenario.since(started));
        }
    }

    @Test
    void aSecondInstanceWithTheSameTransactionalIdFencesTheFirst() throws Exception {
        String topic = "e2e.fence";
        String txid = "e2e-fence";
        try (DevnetServer devnet = DevnetServer.builder().seed(202).initialHeight(10).build().start(0);
                KafkaCursorWatch cursors = new KafkaCursorWatch(broker.bootstrapServers(), topic + ".cursor")) {
            // the stateless example with the in-memory store, so that the standby can resume from the
            // Kafka cursor alone (a durable store belongs to one instance)
            Path config = E2e.writeConfig(dir.resolve("config.json"), devnet, "blocks", dir.resolve("data"),
                    shared.resolve("compile-cache"), "memory", kafkaSink(topic, txid));
            try (DaemonProcess first = DaemonProcess.start(config, null, dir.resolve("logs"))) {
                E2e.await("the first instance to reach the tip", first, E2e.WAIT,
                        () -> new Cursor(10, devnet.blockHash(10)).equals(cursors.cursor(txid)));
                try (DaemonProcess second = DaemonProcess.start(config, null, dir.resolve("logs"))) {
                    // the second instance has opened its sink (initTransactions fenced the first)
                    second.awaitStderr("resuming after sink cursor", E2e.WAIT);
                    devnet.mine(3);
                    assertThat(first.awaitExit(E2e.WAIT)).as("exit status of the fenced instance: needs an operator").isEqualTo(3);
                    assertThat(first.stderr()).contains("fenced").contains(txid).contains("debshrew stopped");
                    E2e.await("the second instance to reach the tip", second, E2e.WAIT,
                            () -> new Cursor(13, devnet.blockHash(13)).equals(cursors.cursor(txid)));
                    assertThat(second.terminate(E2e.WAIT)).isZero();
                }
            }
            E2e.Checked checked;
            try (Transform blocks = Transform.load(Examples.assemblyScript("blocks"), TransformLimits.defaults())) {
                checked = E2e.assertExactlyOnce("kafka topic " + topic, readTopic(topic),
                        E2e.reference(devnet, blocks, dir));
            }
            assertThat(checked.delivered()).isEqualTo(14);
        }
    }
}
