package dev.debshrew.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.Fault;
import dev.debshrew.devnet.RecordedRequest;
import dev.debshrew.devnet.ReorgStyle;
import dev.debshrew.sink.Cursor;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.StreamSupport;
import org.apache.kafka.connect.util.clusters.EmbeddedKafkaCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Ungraceful worker death on a real distributed Connect cluster: workers are child JVMs
 * ({@link ConnectWorkerProcess}, {@code ConnectDistributed}, exactly-once source support) that load
 * the connector from the plugin directory this module assembles ({@code plugin.path}), against a
 * KRaft broker in this JVM, the devnet and the real {@code txindex} AssemblyScript transform. The
 * worker running the task is killed with SIGKILL: no task stop, no group leave, no producer close
 * (the group notices when the worker's session expires). The task must resume on another worker from the state changelog, and the
 * {@code read_committed} output must fold to exactly the tables the daemon's output folds to on the
 * final chain (strictly: nothing lost, nothing doubled). Runs after {@code package} (failsafe).
 */
class WorkerKillIT {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static EmbeddedKafkaCluster kafka;

    private final List<ConnectWorkerProcess> workers = new ArrayList<>();
    /** Closed after the workers, so that no task outlives its node. */
    private DevnetServer devnet;

    @BeforeAll
    static void startBroker() {
        Properties broker = new Properties();
        broker.put("transaction.state.log.replication.factor", "1");
        broker.put("transaction.state.log.min.isr", "1");
        broker.put("offsets.topic.replication.factor", "1");
        // the workers' 3 s session timeout is below the broker's default minimum (6 s)
        broker.put("group.min.session.timeout.ms", "1000");
        kafka = new EmbeddedKafkaCluster(1, broker);
        kafka.start();
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.stop();
        }
    }

    @AfterEach
    void stopWorkersAndNode() {
        workers.forEach(ConnectWorkerProcess::close);
        if (devnet != null) {
            devnet.close();
        }
    }

    /** Starts {@code n} workers of one group and checks that each lists the connector from plugin.path. */
    private void startWorkers(String group, int n) throws Exception {
        Path plugin = Path.of(System.getProperty("debshrew.connect.plugin.path", "target/none")).toAbsolutePath();
        assertThat(Files.isDirectory(plugin)).as("the assembled plugin directory %s (mvn package)", plugin).isTrue();
        assertThatThrownBy(() -> loadFrom(ConnectWorkerProcess.childClassPath(), DebshrewSourceConnector.class))
                .as("the connector on the workers' class path").isInstanceOf(ClassNotFoundException.class);
        Path logs = Path.of("target", "connect-workers", group);
        for (int i = 0; i < n; i++) { // started together, the JVMs boot in parallel
            workers.add(ConnectWorkerProcess.start(kafka.bootstrapServers(), group, plugin, logs.resolve("worker-" + i)));
        }
        for (ConnectWorkerProcess w : workers) {
            w.awaitRest(WAIT);
            JsonNode plugins = w.get("/connector-plugins");
            assertThat(StreamSupport.stream(plugins.spliterator(), false).map(p -> p.path("class").asText()))
                    .as("connector plugins of %s (log: %s)", w, w.logTail())
                    .contains(DebshrewSourceConnector.class.getName());
        }
    }

    private static void loadFrom(String classPath, Class<?> c) throws Exception {
        URL[] urls = new URL[0];
        List<URL> list = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            list.add(Path.of(entry).toUri().toURL());
        }
        try (URLClassLoader loader = new URLClassLoader(list.toArray(urls), ClassLoader.getPlatformClassLoader())) {
            loader.loadClass(c.getName());
        }
    }

    /** Creates the connector through the REST API of the first worker and waits until its task runs. */
    private String createConnector(String name, String topic, Path module) throws Exception {
        kafka.createTopic(topic, 1);
        kafka.createTopic(topic + ".cursor", 1);
        Map<String, String> config = ConnectClusterTest.connector(devnet, module, topic);
        config.put(DebshrewConnectorConfig.STATE_BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        workers.get(0).putConnector(name, config);
        return awaitTaskRunning(name, null);
    }

    /**
     * Waits until the connector's task is RUNNING on a live worker other than {@code notOn}, as
     * {@code GET /connectors/<name>/status} says; returns that worker's id.
     */
    private String awaitTaskRunning(String name, String notOn) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String last = "no status";
        while (System.nanoTime() < deadline) {
            ConnectWorkerProcess w = workers.stream().filter(ConnectWorkerProcess::isAlive).findFirst()
                    .orElseThrow(() -> new AssertionError("no live Connect worker"));
            JsonNode task = null;
            try {
                task = w.get("/connectors/" + name + "/status").path("tasks").path(0);
                last = task.toString();
            } catch (IOException | AssertionError e) {
                last = e.toString(); // a worker busy rebalancing may answer 409 or not at all
            }
            if (task != null) {
                String on = task.path("worker_id").asText();
                if (task.path("state").asText().equals("RUNNING") && !on.equals(notOn)) {
                    return on;
                }
                assertThat(task.path("state").asText()).as("task of %s: %s", name, task.path("trace").asText())
                        .isNotEqualTo("FAILED");
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the task of " + name + " is not RUNNING on a worker other than " + notOn + " after "
                + WAIT + ": " + last);
    }

    /** SIGKILLs the worker whose id the task status names and checks that it died of SIGKILL. */
    private void killWorker(String workerId) throws InterruptedException {
        ConnectWorkerProcess victim = workers.stream().filter(w -> w.workerId().equals(workerId)).findFirst()
                .orElseThrow(() -> new AssertionError("no worker " + workerId + " among " + workers));
        assertThat(victim.kill()).as("exit status of %s: 128 + SIGKILL", victim).isEqualTo(137);
    }

    private void awaitTip(String topic) throws InterruptedException {
        awaitCursor(topic, ConnectClusterTest.tip(devnet));
    }

    private void awaitCursor(String topic, Cursor cursor) throws InterruptedException {
        CommittedTopic.awaitLast(kafka.bootstrapServers(), topic + ".cursor", ConnectRecords.cursorJson(cursor), WAIT);
    }

    /** Waits until the devnet has received a {@code metashrew_view} request about block {@code height}. */
    private void awaitViewRequest(long height) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (RecordedRequest r : devnet.requests()) {
                if (r.method().equals("metashrew_view")
                        && JSON.readTree(r.params()).path(2).asText().equals(Long.toString(height))) {
                    return;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no metashrew_view request for block " + height + " within " + WAIT);
    }

    /** Checks the connector's output against the daemon's on the final chain; returns the cursor back-steps. */
    private int checkOutput(String topic, long ancestor) throws Exception {
        DaemonReference.run(devnet, ConnectClusterTest.example("txindex"), kafka.bootstrapServers(), "daemon." + topic, WAIT);
        OutputFold.Tables daemon = OutputFold.fold("daemon",
                CommittedTopic.read(kafka.bootstrapServers(), "daemon." + topic, WAIT));
        OutputFold.Tables connector = OutputFold.fold("connector",
                CommittedTopic.read(kafka.bootstrapServers(), topic, WAIT));
        assertThat(daemon.rows()).as("the daemon's tables").hasSizeGreaterThan(10);
        assertThat(connector.inverse()).as("inverse records of the orphaned blocks").isPositive();
        assertThat(connector.rows()).as("the connector's tables").isEqualTo(daemon.rows());
        return ConnectClusterTest.backSteps(CommittedTopic.read(kafka.bootstrapServers(), topic + ".cursor", WAIT),
                ancestor, devnet);
    }

    /**
     * The devnet at height 20 (seed {@code seed}), two workers of group {@code name}, and connector
     * {@code name} (output topic {@code <name>.txindex}) running with its committed cursor at the tip;
     * returns the id of the worker running its task.
     */
    private String startRunning(String name, long seed) throws Exception {
        devnet = DevnetServer.builder().seed(seed).initialHeight(20).build().start(0);
        startWorkers(name, 2);
        String on = createConnector(name, name + ".txindex", ConnectClusterTest.example("txindex"));
        awaitTip(name + ".txindex");
        return on;
    }

    /**
     * Waits until the task of {@code name} runs on another worker than {@code killed} and has committed
     * the tip; prints (does not assert) the failover time from the SIGKILL at {@code killedNanos}.
     */
    private void awaitFailover(TestInfo test, String name, String killed, long killedNanos) throws Exception {
        String second = awaitTaskRunning(name, killed);
        long running = System.nanoTime();
        awaitTip(name + ".txindex");
        System.out.printf("%s: SIGKILL -> task RUNNING on %s %d ms, -> tip committed %d ms%n", test.getDisplayName(),
                second, (running - killedNanos) / 1_000_000, (System.nanoTime() - killedNanos) / 1_000_000);
    }

    /**
     * A phased reorg while the task runs, then the task's worker is SIGKILLed in the middle of a batch
     * of newly mined blocks, and more blocks are mined while the task moves. Prints the failover time.
     */
    @Test
    void aKilledWorkersTaskResumesElsewhereWhileBlocksAreMined(TestInfo test) throws Exception {
        String first = startRunning("mining", 404);
        long ancestor = devnet.height() - 3;
        devnet.reorg(3, 5, ReorgStyle.PHASED).get(); // the node rolls back and re-indexes block by block
        awaitTip("mining.txindex");
        devnet.mine(2);
        awaitTip("mining.txindex");
        // mid-run, deterministically: 3 blocks are mined and the node holds the task's request for
        // the first one's view, so the task is killed in the middle of the batch
        long held = devnet.height() + 1;
        devnet.inject(Fault.timeout(Duration.ofMinutes(5)).forMethod("metashrew_view").atHeight(held)
                .withProbability(1.0));
        devnet.mine(3);
        awaitViewRequest(held);
        long killed = System.nanoTime();
        killWorker(first);
        devnet.clearFaults();
        devnet.mine(6); // mined while the task moves
        awaitFailover(test, "mining", first, killed);
        devnet.mine(3);
        awaitTip("mining.txindex");

        assertThat(checkOutput("mining.txindex", ancestor)).as("transactions that undid blocks").isEqualTo(1);
        assertThat(CommittedTopic.read(kafka.bootstrapServers(), "mining.debshrew-state", WAIT))
                .as("the state changelog").isNotEmpty();
    }

    /**
     * The task's worker is SIGKILLed and a phased reorg replaces the top 3 blocks while the task
     * moves: the task restores the window of the last committed block on the other worker, undoes
     * the orphaned blocks from it and follows the new branch. Prints the failover time.
     */
    @Test
    void aReorgWhileTheKilledWorkersTaskMovesIsUndoneFromTheRestoredWindow(TestInfo test) throws Exception {
        String first = startRunning("moving", 505);
        long ancestor = devnet.height() - 3;
        long killed = System.nanoTime();
        killWorker(first);
        devnet.reorg(3, 5, ReorgStyle.PHASED).get(); // replaced while no worker runs the task
        devnet.mine(2);
        awaitFailover(test, "moving", first, killed);

        assertThat(checkOutput("moving.txindex", ancestor)).as("transactions that undid blocks").isEqualTo(1);
    }
}
