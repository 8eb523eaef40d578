package dev.debshrew.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.ReorgStyle;
import dev.debshrew.reliability.Recorded;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.kafka.KafkaTestBroker;
import dev.debshrew.testing.DaemonProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 13 item 4, Kafka: the real daemon process writing transactionally to a real broker
 * (KafkaClusterTestKit, in-JVM) that is shut down after the daemon committed blocks that a reorg
 * then orphans, and started again on the same port and log directories after a few retry cycles
 * of the daemon ("seconds") and after 40 of them at the {@code retry_max_delay_ms} cap (what
 * minutes are at the default cap; counted in the daemon's log, not by wall time). The daemon
 * backs off, never exits, resumes by itself, and the topic read with {@code read_committed} holds
 * every canonical message exactly once, with the orphaned blocks' inverse messages (counted
 * explicitly).
 */
@Tag("reliability")
@DisabledIfSystemProperty(named = "debshrew.reliability", matches = "quick",
        disabledReason = "part of the full reliability run and of mvn verify, not of the quick run")
class KafkaBrokerRestartTest {

    private static final String TOPIC = "restart.blocks";
    private static final String TXID = "restart-blocks";

    private final long started = System.nanoTime();

    @TempDir
    Path dir;

    private KafkaTestBroker broker;

    @BeforeEach
    void startBroker() throws Exception {
        broker = KafkaTestBroker.start();
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    @ParameterizedTest(name = "down for {0} retry cycles")
    @ValueSource(ints = {3, 40})
    void theBrokerStoppedAndStartedAgainMidRunLosesAndDuplicatesNothing(int cycles) throws Exception {
        try (DevnetServer devnet = DevnetServer.builder().seed(83).initialHeight(12).reorgTiming(E2e.FAST).build()
                .start(0);
                KafkaCursorWatch cursors = new KafkaCursorWatch(broker.bootstrapServers(), TOPIC + ".cursor")) {
            Path config = E2e.writeConfig(dir.resolve("config.json"), devnet, "blocks", dir.resolve("data"),
                    dir.resolve("compile-cache"), "rocksdb", E2e.sink("kafka")
                            .put("bootstrap_servers", broker.bootstrapServers()).put("transactional_id", TXID)
                            .put("topic", TOPIC).put("close_timeout_ms", 2000).put("cursor_read_timeout_ms", 30_000)
                            // a send in flight when the broker goes fails within 2 s, not the client's 2 min
                            .put("open_timeout_ms", 1000).put("producer.request.timeout.ms", 1000)
                            .put("producer.delivery.timeout.ms", 2000));
            try (DaemonProcess d = DaemonProcess.start(E2e.fastSinkRetries(config, 200), null, dir.resolve("logs"))) {
                devnet.mine(3);
                awaitTip(d, devnet, cursors);
                broker.stopBroker();
                // orphans blocks the topic has: their inverse messages wait for the broker too
                devnet.reorg(2, 3, ReorgStyle.INSTANT).get(60, TimeUnit.SECONDS);
                E2e.await(cycles + " failed attempts of the sink", d, E2e.WAIT,
                        () -> E2e.sinkDownAttempts(d.stderr()) >= cycles);
                assertThat(d.stderr()).contains("is down: could not");
                assertThat(d.isAlive()).as("the daemon waits the broker out").isTrue();
                broker.startBroker();
                awaitTip(d, devnet, cursors);
                assertThat(d.stderr()).contains("is up again");
                assertThat(d.terminate(E2e.WAIT)).isZero();
            }
            List<CdcMessage> delivered = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : broker.readCommitted(TOPIC)) {
                delivered.add(E2e.CODEC.decode(r.value()));
            }
            List<CdcMessage> canonical = E2e.reference(devnet, "blocks", dir);
            String what = "kafka broker down for " + cycles + " retry cycles";
            Recorded.stream("sink: " + what, "kafka", 0, 1, started, canonical, delivered);
            E2e.Checked c = E2e.assertExactlyOnce(what, delivered, canonical);
            assertThat(c.inverse()).as("the reorg was undone downstream").isPositive();
            System.out.println(what + ": " + c);
        }
    }

    private static void awaitTip(DaemonProcess d, DevnetServer devnet, KafkaCursorWatch cursors) throws Exception {
        long h = devnet.height();
        Cursor tip = new Cursor(h, devnet.blockHash(h));
        E2e.await("Kafka to commit the devnet tip " + h, d, E2e.WAIT, () -> tip.equals(cursors.cursor(TXID)));
    }
}
