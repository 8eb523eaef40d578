package dev.debshrew.connect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.sink.kafka.TopicNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/**
 * {@code topic.template} on a real Connect cluster (one worker, exactly-once, a KRaft broker in this
 * JVM, the devnet, the real txindex transform): every CDC record goes to the topic of its source and
 * table, and each routed topic's {@code read_committed} records equal, record for record, what the
 * daemon's Kafka sink writes with the same {@code topic_template} for the same chain. The cursor
 * topic is not routed.
 */
class TopicTemplateClusterTest extends ClusterFixture {

    private static final Duration WAIT = Duration.ofSeconds(120);

    @Test
    void eachRoutedTopicHoldsWhatTheDaemonsKafkaSinkWritesThere() throws Exception {
        connect = EmbeddedCluster.start("debshrew-route-test", 1);
        Path txindex = ConnectClusterTest.example("txindex");
        devnet = DevnetServer.builder().seed(505).initialHeight(20).build().start(0);
        String bootstrap = connect.kafka().bootstrapServers();
        connect.kafka().createTopic("route.txindex.cursor", 1);

        Map<String, String> c = ConnectClusterTest.connector(devnet, txindex, "route.txindex");
        c.put(DebshrewConnectorConfig.TOPIC_TEMPLATE, "route.{source}.{table}");
        // the routed topics are created by the worker (KIP-158), as the daemon's Kafka sink creates them
        c.put("topic.creation.default.replication.factor", "1");
        c.put("topic.creation.default.partitions", "1");
        connect.configureConnector("route", c);
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("route", 1, "connector did not start");
        CommittedTopic.awaitLast(bootstrap, "route.txindex.cursor",
                ConnectRecords.cursorJson(ConnectClusterTest.tip(devnet)), WAIT);
        devnet.mine(5); // blocks arriving while the task runs
        CommittedTopic.awaitLast(bootstrap, "route.txindex.cursor",
                ConnectRecords.cursorJson(ConnectClusterTest.tip(devnet)), WAIT);

        DaemonReference.run(devnet, txindex, bootstrap, "daemon.txindex", WAIT,
                Map.of("topic_template", "daemon.{source}.{table}"));
        Set<String> daemonTables = routed(bootstrap, "daemon.");
        Set<String> connectorTables = routed(bootstrap, "route.");
        assertThat(daemonTables).as("the daemon's routed topics (after 'daemon.')")
                .contains(TopicNames.expand("{source}.{table}", "transactions", "txindex"))
                .hasSizeGreaterThanOrEqualTo(2);
        assertThat(connectorTables).as("the connector's routed topics (after 'route.'); the cursor topic is not one")
                .isEqualTo(daemonTables);
        int total = 0;
        for (String table : daemonTables) {
            List<CommittedTopic.Entry> daemon = CommittedTopic.read(bootstrap, "daemon." + table, WAIT);
            List<CommittedTopic.Entry> connector = CommittedTopic.read(bootstrap, "route." + table, WAIT);
            assertThat(daemon).as("the daemon's output in daemon.%s", table).isNotEmpty();
            assertThat(connector).as("the connector's read_committed output in route.%s", table)
                    .containsExactlyElementsOf(daemon);
            total += daemon.size();
        }
        assertThat(total).as("records over all routed topics").isGreaterThan(30);
    }

    /** The topics under {@code prefix} that hold CDC records (not the cursor topics), without the prefix. */
    private static Set<String> routed(String bootstrap, String prefix) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            Set<String> out = new TreeSet<>();
            for (String t : admin.listTopics().names().get(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                if (t.startsWith(prefix) && !t.endsWith(".cursor")) {
                    out.add(t.substring(prefix.length()));
                }
            }
            return out;
        }
    }
}
