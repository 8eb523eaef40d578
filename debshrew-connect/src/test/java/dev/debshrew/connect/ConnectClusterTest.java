package dev.debshrew.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.ReorgStyle;
import dev.debshrew.sink.Cursor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.apache.kafka.connect.util.clusters.WorkerHandle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The connector on a real Connect cluster: {@link EmbeddedConnectCluster} (distributed workers and a
 * KRaft broker in this JVM) with {@code exactly.once.source.support=enabled}, against the devnet and
 * the real example transforms. Its {@code read_committed} output must equal what the daemon's Kafka
 * sink writes for the same chain ({@link DaemonReference}), record for record. Transactions end per
 * poll (the default) in the failover tests and are connector-defined in the first.
 */
class ConnectClusterTest {

    private static final Duration WAIT = Duration.ofSeconds(120);

    private EmbeddedConnectCluster connect;
    /** Closed after the cluster, so that no task outlives its node. */
    private DevnetServer devnet;

    private void startCluster(int workers) {
        // a departed worker's task is reassigned at once (scheduled.rebalance.max.delay.ms=0; default: up to 5 minutes)
        connect = EmbeddedCluster.start("debshrew-connect-test", workers);
    }

    @AfterEach
    void stopCluster() {
        if (connect != null) {
            connect.stop();
        }
        if (devnet != null) {
            devnet.close();
        }
    }

    static Path example(String name) {
        Path p = Path.of(System.getProperty("debshrew.examples.dir", "../examples"))
                .resolve("assemblyscript/build/" + name + ".wasm").toAbsolutePath().normalize();
        assertThat(Files.isRegularFile(p)).as("%s is missing: build the examples first (mvn -pl examples compile)", p)
                .isTrue();
        return p;
    }

    /** A connector config: devnet, module, topic, start height 0, exactly-once required, 20 ms node polls. */
    static Map<String, String> connector(DevnetServer devnet, Path module, String topic) {
        Map<String, String> c = new HashMap<>();
        c.put("connector.class", DebshrewSourceConnector.class.getName());
        c.put("tasks.max", "1");
        c.put("exactly.once.support", "required");
        c.put("transaction.boundary", "poll");
        c.put(DebshrewConnectorConfig.NODE_URL, devnet.url());
        c.put(DebshrewConnectorConfig.TRANSFORM_MODULE, module.toString());
        c.put(DebshrewConnectorConfig.START_HEIGHT, "0");
        c.put(DebshrewConnectorConfig.TOPIC, topic);
        c.put(DebshrewConnectorConfig.POLL_INTERVAL_MS, "20");
        return c;
    }

    /** Waits until the connector's last committed cursor record is the devnet's tip. */
    private void awaitCursor(String cursorTopic, Cursor expected) throws InterruptedException {
        CommittedTopic.awaitLast(bootstrap(), cursorTopic, ConnectRecords.cursorJson(expected), WAIT);
    }

    private String bootstrap() {
        return connect.kafka().bootstrapServers();
    }

    static Cursor tip(DevnetServer devnet) {
        return new Cursor(devnet.height(), devnet.blockHash(devnet.height()));
    }

    @Test
    void oneWorkerWritesExactlyWhatTheDaemonWrites() throws Exception {
        startCluster(1);
        Path txindex = example("txindex");
        devnet = DevnetServer.builder().seed(101).initialHeight(25).build().start(0);
        connect.kafka().createTopic("connect.txindex", 1);
        connect.kafka().createTopic("connect.txindex.cursor", 1);
        Map<String, String> config = connector(devnet, txindex, "connect.txindex");
        config.put("transaction.boundary", "connector"); // the task ends each transaction at its group's end
        connect.configureConnector("txindex", config);
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("txindex", 1, "connector did not start");
        awaitCursor("connect.txindex.cursor", tip(devnet));
        devnet.mine(5); // blocks arriving while the task runs
        awaitCursor("connect.txindex.cursor", tip(devnet));

        DaemonReference.run(devnet, txindex, bootstrap(), "daemon.txindex", WAIT);
        List<CommittedTopic.Entry> daemon = CommittedTopic.read(bootstrap(), "daemon.txindex", WAIT);
        List<CommittedTopic.Entry> connector = CommittedTopic.read(bootstrap(), "connect.txindex", WAIT);
        assertThat(daemon).as("the daemon's output").hasSizeGreaterThan(30);
        assertThat(connector).as("the connector's read_committed output").containsExactlyElementsOf(daemon);
        assertThat(connect.connectorOffsets("txindex").offsets()).singleElement()
                .satisfies(o -> assertThat(ConnectRecords.cursorOf("txindex", o.offset())).contains(tip(devnet)));

        // a state topic that cannot hold a changelog is refused, naming it
        connect.kafka().createTopic("bad.state", 2);
        assertThatThrownBy(() -> ChangelogTopic.read(Map.of("bootstrap.servers", bootstrap()), "bad.state", WAIT))
                .isInstanceOf(ConnectException.class).hasMessageContaining("'bad.state' has 2 partition(s)")
                .hasMessageContaining("cleanup.policy=delete");
    }

    /**
     * Two workers, state in Kafka: the worker running the task leaves mid-run (prints the failover
     * time, a measurement, not an assertion); the task resumes on the
     * other one with the state the last committed transaction left (txindex's balances depend on it),
     * and the output equals the daemon's, record for record, nothing lost or doubled.
     */
    @Test
    void theTaskMovesToAnotherWorkerWithItsState() throws Exception {
        startCluster(2);
        Path txindex = example("txindex");
        devnet = DevnetServer.builder().seed(202).initialHeight(20).build().start(0);
        connect.kafka().createTopic("moving.txindex", 1);
        connect.kafka().createTopic("moving.txindex.cursor", 1);
        Map<String, String> config = connector(devnet, txindex, "moving.txindex");
        config.put(DebshrewConnectorConfig.STATE_BOOTSTRAP_SERVERS, bootstrap());
        connect.configureConnector("moving", config);
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("moving", 1, "connector did not start");
        awaitCursor("moving.txindex.cursor", tip(devnet));

        WorkerHandle running = workerOfTask("moving");
        long removed = System.nanoTime();
        connect.removeWorker(running);
        devnet.mine(8); // mined while the task moves
        awaitTaskRunningOn(connect.workers().iterator().next(), "moving");
        long moved = System.nanoTime();
        awaitCursor("moving.txindex.cursor", tip(devnet));
        System.out.printf("connect failover: worker removed -> task running elsewhere %d ms, -> tip committed %d ms%n",
                (moved - removed) / 1_000_000, (System.nanoTime() - removed) / 1_000_000);
        devnet.mine(4);
        awaitCursor("moving.txindex.cursor", tip(devnet));

        DaemonReference.run(devnet, txindex, bootstrap(), "daemon.moving", WAIT);
        List<CommittedTopic.Entry> daemon = CommittedTopic.read(bootstrap(), "daemon.moving", WAIT);
        assertThat(daemon).as("the daemon's output").hasSizeGreaterThan(30);
        assertThat(CommittedTopic.read(bootstrap(), "moving.txindex", WAIT))
                .as("the connector's read_committed output").containsExactlyElementsOf(daemon);
        assertThat(CommittedTopic.read(bootstrap(), "moving.debshrew-state", WAIT))
                .as("the state changelog").isNotEmpty();
    }

    /**
     * Two workers, state in Kafka, and a reorg while the task moves: the task restarts on the other
     * worker with the window of the last committed block and undoes the orphaned blocks from it. The
     * output folds to exactly the tables of the daemon's output on the final chain and holds inverse
     * records; no committed cursor is the common ancestor (the inverse records, the state restore and
     * the new branch's first blocks are one transaction).
     */
    @Test
    void aReorgWhileTheTaskMovesIsUndoneFromTheRestoredWindow() throws Exception {
        startCluster(2);
        Path txindex = example("txindex");
        devnet = DevnetServer.builder().seed(303).initialHeight(20).build().start(0);
        Map<String, String> config = connector(devnet, txindex, "reorg.txindex");
        config.put(DebshrewConnectorConfig.STATE_BOOTSTRAP_SERVERS, bootstrap());
        connect.kafka().createTopic("reorg.txindex", 1);
        connect.kafka().createTopic("reorg.txindex.cursor", 1);
        connect.configureConnector("reorg", config);
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("reorg", 1, "connector did not start");
        awaitCursor("reorg.txindex.cursor", tip(devnet));

        long ancestor = devnet.height() - 3;
        connect.removeWorker(workerOfTask("reorg"));
        devnet.reorg(3, 5, ReorgStyle.INSTANT).get(); // blocks 18..20 replaced while the task moves
        awaitTaskRunningOn(connect.workers().iterator().next(), "reorg");
        awaitCursor("reorg.txindex.cursor", tip(devnet));

        DaemonReference.run(devnet, txindex, bootstrap(), "daemon.reorg", WAIT);
        OutputFold.Tables daemon = OutputFold.fold("daemon", CommittedTopic.read(bootstrap(), "daemon.reorg", WAIT));
        OutputFold.Tables connector = OutputFold.fold("connector",
                CommittedTopic.read(bootstrap(), "reorg.txindex", WAIT));
        assertThat(connector.inverse()).as("inverse records of the orphaned blocks").isPositive();
        assertThat(connector.rows()).as("the connector's tables").isEqualTo(daemon.rows());
        // the cursor goes back once, and straight to the new branch's first blocks: never to the ancestor
        assertThat(backSteps(CommittedTopic.read(bootstrap(), "reorg.txindex.cursor", WAIT), ancestor, devnet))
                .as("transactions that undid blocks").isEqualTo(1);
    }

    /**
     * How many committed cursors step back (a transaction that undid blocks), checking that each lands
     * on a block of the final chain above {@code ancestor}, never on the common ancestor itself.
     */
    static int backSteps(List<CommittedTopic.Entry> cursors, long ancestor, DevnetServer devnet) {
        long previous = -1;
        int backSteps = 0;
        for (CommittedTopic.Entry c : cursors) {
            long height = Long.parseLong(c.value().replaceAll(".*\"height\":(\\d+).*", "$1"));
            if (height <= previous) {
                backSteps++;
                assertThat(height).as("committed cursor %s after height %d", c.value(), previous)
                        .isGreaterThan(ancestor);
                assertThat(c.value()).as("the new branch's block").contains(devnet.blockHash(height));
            }
            previous = height;
        }
        return backSteps;
    }

    /** Waits until the task's status is RUNNING on {@code worker}. */
    private void awaitTaskRunningOn(WorkerHandle worker, String connector) throws InterruptedException {
        String id = worker.url().getHost() + ":" + worker.url().getPort();
        long deadline = System.nanoTime() + WAIT.toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            var tasks = connect.connectorStatus(connector).tasks();
            if (!tasks.isEmpty()) {
                last = tasks.get(0).state() + " on " + tasks.get(0).workerId();
                if (tasks.get(0).state().equals("RUNNING") && tasks.get(0).workerId().equals(id)) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the task of " + connector + " is " + last + ", not RUNNING on " + id);
    }

    /** The worker whose REST address the task's status names. */
    private WorkerHandle workerOfTask(String connector) {
        String id = connect.connectorStatus(connector).tasks().get(0).workerId();
        return connect.workers().stream()
                .filter(w -> (w.url().getHost() + ":" + w.url().getPort()).equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no worker with id " + id + " among " + connect.workers()));
    }
}
