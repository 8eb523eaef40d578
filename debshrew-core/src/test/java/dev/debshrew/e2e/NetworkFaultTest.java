package dev.debshrew.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.ReorgStyle;
import dev.debshrew.reliability.Recorded;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.kafka.KafkaTestBroker;
import dev.debshrew.testing.DaemonProcess;
import dev.debshrew.testing.NetworkNamespace;
import dev.debshrew.testing.RestartablePostgres;
import dev.debshrew.testing.TableFold;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 item 5: real network conditions between the daemon and its node. The test creates a
 * network namespace joined by a veth pair ({@link NetworkNamespace}); the daemon process runs
 * inside it ({@code ip netns exec}) and reaches the devnet, which listens on the test's end of the
 * link, over the veth only; so do its PostgreSQL sink (the real PostgreSQL listens on that end too
 * and the daemon's sink connects there) and its Kafka sink (the in-JVM broker advertises that end's
 * address). Through a partition (cut while a commit of the
 * PostgreSQL sink is in flight, kept while blocks are mined and the chain reorganises), a slow
 * link ({@code tc tbf}) and, where the kernel has netem, latency with packet loss, the file sink
 * the PostgreSQL changelog and the Kafka topic ({@code read_committed}) end exactly equal to an uninterrupted run. Skipped, with one
 * message, where namespaces (or netem) are not available.
 */
@Tag("reliability")
@DisabledIfSystemProperty(named = "debshrew.reliability", matches = "quick",
        disabledReason = "part of the full reliability run and of mvn verify, not of the quick run")
class NetworkFaultTest {

    private static final String SCHEMA = "nf";
    private static final String PIPELINE = "nf";
    private static final String TOPIC = "nf.blocks";
    private static final String TXID = "nf-blocks";

    private final long started = System.nanoTime();

    @TempDir
    Path dir;

    private NetworkNamespace ns;
    private DevnetServer devnet;
    private RestartablePostgres pg;
    private KafkaTestBroker kafka;
    private KafkaCursorWatch kafkaCursors;

    @BeforeEach
    void link() throws Exception {
        ns = NetworkNamespace.create();
        devnet = DevnetServer.builder().seed(91).initialHeight(15).reorgTiming(E2e.FAST).build()
                .start(ns.hostAddress(), 0);
        pg = new RestartablePostgres(dir.resolve("pgdata")).alsoListenOn(ns.hostAddress(), ns.nsAddress()).start();
        kafka = KafkaTestBroker.startAdvertising(ns.hostAddress().getHostAddress());
        kafkaCursors = new KafkaCursorWatch(kafka.bootstrapServers(), TOPIC + ".cursor");
    }

    @AfterEach
    void unlink() throws Exception {
        if (devnet != null) {
            devnet.close();
        }
        if (pg != null) {
            pg.close();
        }
        if (kafkaCursors != null) {
            kafkaCursors.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (ns != null) {
            ns.close();
        }
    }

    private Path out() {
        return dir.resolve("out.jsonl");
    }

    private DaemonProcess startInNamespace() throws Exception {
        Path f = E2e.writeConfig(dir.resolve("config.json"), devnet, "blocks", dir.resolve("data"),
                dir.resolve("compile-cache"), "rocksdb", E2e.sink("file").put("path", out().toString()),
                // the sink's connection crosses the link too (timeouts so a cut-off reply fails fast)
                E2e.sink("postgres").put("url", pg.url(ns.hostAddress())).put("mode", "changelog")
                        .put("events_table", "events").put("schema", SCHEMA).put("pipeline", PIPELINE)
                        .put("connection_timeout_ms", 1000).put("lock_timeout_ms", 2000)
                        .put("statement_timeout_ms", 2000).put("socket_timeout_ms", 3000),
                // the broker advertises the test's end of the link; a send cut off fails within 2 s
                E2e.sink("kafka").put("bootstrap_servers", ns.hostAddress().getHostAddress() + ":" + kafkaPort())
                        .put("transactional_id", TXID).put("topic", TOPIC).put("close_timeout_ms", 2000)
                        .put("cursor_read_timeout_ms", 30_000).put("open_timeout_ms", 1000)
                        .put("producer.request.timeout.ms", 1000).put("producer.delivery.timeout.ms", 2000));
        ObjectNode cfg = (ObjectNode) CdcCodec.mapper().readTree(f.toFile());
        ((ObjectNode) cfg.get("metashrew")).put("timeout", 2).put("connect_timeout", 1).put("max_retries", 1)
                .put("retry_delay", 50);
        cfg.put("retry_max_delay_ms", 300);
        Files.writeString(f, cfg.toPrettyString());
        return DaemonProcess.startWrapped(ns.exec(), f, null, dir.resolve("logs"));
    }

    private int kafkaPort() {
        String bootstrap = kafka.bootstrapServers();
        return Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
    }

    private void awaitTip(DaemonProcess d) throws Exception {
        long h = devnet.height();
        d.awaitCursor(dir.resolve("out.jsonl.cursor"), h, devnet.blockHash(h), E2e.WAIT);
        Cursor tip = new Cursor(h, devnet.blockHash(h));
        E2e.await("PostgreSQL to commit the devnet tip " + h, d, E2e.WAIT,
                () -> tip.equals(PgRead.cursor(pg.url(), SCHEMA, PIPELINE)));
        E2e.await("Kafka to commit the devnet tip " + h, d, E2e.WAIT, () -> tip.equals(kafkaCursors.cursor(TXID)));
    }

    /** Mines until the daemon has it, then reorganises its blocks (phased) and mines again. */
    private void changeTheChain(DaemonProcess d) throws Exception {
        devnet.mine(3);
        awaitTip(d);
        reorganise();
    }

    /** A phased reorg of the 3 newest blocks (stale hashes above a falling tip), then 2 more blocks. */
    private void reorganise() throws Exception {
        devnet.reorg(3, 4, ReorgStyle.PHASED).get(60, TimeUnit.SECONDS);
        devnet.mine(2);
    }

    private void assertExact(String what) throws Exception {
        List<CdcMessage> canonical = E2e.reference(devnet, "blocks", dir);
        assertExact(what + ", file", "file", canonical, TableFold.readFile(out()));
        assertExact(what + ", postgres", "postgres", canonical, PgRead.changelog(pg.url(), SCHEMA, "events", PIPELINE));
        List<CdcMessage> topic = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readCommitted(TOPIC)) {
            topic.add(E2e.CODEC.decode(r.value()));
        }
        assertExact(what + ", kafka", "kafka", canonical, topic);
    }

    private void assertExact(String what, String sink, List<CdcMessage> canonical, List<CdcMessage> delivered) {
        Recorded.stream("network: " + what, sink, 0, 1, started, canonical, delivered);
        E2e.Checked c = E2e.assertExactlyOnce(what, delivered, canonical);
        System.out.println(what + ": " + c);
        assertThat(c.inverse()).as("%s: the reorg was undone downstream", what).isPositive();
    }

    @Test
    void aPartitionMidCommitWhileTheChainChangesIsWaitedOutAndTheOutputIsExact() throws Exception {
        try (DaemonProcess d = startInNamespace()) {
            devnet.mine(3);
            awaitTip(d);
            long tip = devnet.height();
            // the test's own connection uses the loopback, not the link
            try (Connection locker = PgRead.lockCursorTable(pg.url(), SCHEMA)) {
                devnet.mine(2);
                E2e.await("the PostgreSQL sink's commit to be in flight (waiting for the lock)", d, E2e.WAIT,
                        () -> PgRead.waitsForALock(locker, "debshrew-" + PIPELINE));
                ns.partition();
            } // the lock released: the server goes on, but its replies cannot cross the link
            reorganise();
            // the commit stage holds the blocks behind it, so the node may not be called meanwhile
            String sinkDown = "sink postgresql:" + SCHEMA + "[" + PIPELINE + ",changelog] is down: could not";
            E2e.await("the PostgreSQL sink to fail across the partition", d, E2e.WAIT,
                    () -> d.stderr().contains(sinkDown));
            assertThat(PgRead.cursor(pg.url(), SCHEMA, PIPELINE).height())
                    .as("the commit cut off mid-flight left nothing").isEqualTo(tip);
            ns.heal();
            awaitTip(d);
            assertThat(d.terminate(E2e.WAIT)).isZero();
        }
        assertExact("partition mid-commit");
    }

    @Test
    void aSlowLinkLeavesTheOutputExact() throws Exception {
        ns.limitRate("256kbit");
        try (DaemonProcess d = startInNamespace()) {
            changeTheChain(d);
            awaitTip(d);
            assertThat(d.terminate(E2e.WAIT)).isZero();
        }
        assertExact("slow link (tbf 256kbit)");
    }

    @Test
    void latencyAndPacketLossLeaveTheOutputExact() throws Exception {
        ns.netem("delay", "30ms", "10ms", "loss", "5%");
        try (DaemonProcess d = startInNamespace()) {
            changeTheChain(d);
            awaitTip(d);
            assertThat(d.terminate(E2e.WAIT)).isZero();
        }
        assertExact("latency 30±10 ms and 5% loss");
    }
}
