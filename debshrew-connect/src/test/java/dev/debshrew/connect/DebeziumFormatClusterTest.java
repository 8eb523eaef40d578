package dev.debshrew.connect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.sink.Cursor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;

/**
 * {@code value.format=debezium} on a real Connect cluster (one worker, exactly-once, a KRaft broker
 * in this JVM): the connector's records go through {@link JsonConverter} with schemas, its state
 * changelog too, and the connector is stopped and resumed mid-run so that its task restores the
 * state from a changelog written by JsonConverter (txindex's balances depend on it). The output must
 * equal, record for record, what the daemon's Kafka sink writes with {@code format: debezium} and
 * {@code debezium_schemas: true} for the same chain (values as JSON trees; keys: the struct's
 * {@code key} is the daemon's key).
 */
class DebeziumFormatClusterTest extends ClusterFixture {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theEnvelopeUnderJsonConverterEqualsTheDaemonsDebeziumOutput() throws Exception {
        connect = EmbeddedCluster.start("debshrew-debezium-test", 1);
        Path txindex = ConnectClusterTest.example("txindex");
        devnet = DevnetServer.builder().seed(404).initialHeight(20).build().start(0);
        connect.kafka().createTopic("dbz.txindex", 1);
        connect.kafka().createTopic("dbz.txindex.cursor", 1);

        Map<String, String> c = ConnectClusterTest.connector(devnet, txindex, "dbz.txindex");
        c.put(DebshrewConnectorConfig.VALUE_FORMAT, "debezium");
        c.put(DebshrewConnectorConfig.STATE_BOOTSTRAP_SERVERS, connect.kafka().bootstrapServers());
        c.put("key.converter", JsonConverter.class.getName());
        c.put("value.converter", JsonConverter.class.getName());
        c.put("value.converter.schemas.enable", "true");
        c.put("key.converter.schemas.enable", "true");
        connect.configureConnector("dbz", c);
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("dbz", 1, "connector did not start");
        awaitCursor(tip());

        connect.stopConnector("dbz"); // the next task restores the state from the JsonConverter changelog
        devnet.mine(6);
        connect.resumeConnector("dbz");
        connect.assertions().assertConnectorAndExactlyNumTasksAreRunning("dbz", 1, "connector did not resume");
        awaitCursor(tip());

        String bootstrap = connect.kafka().bootstrapServers();
        DaemonReference.run(devnet, txindex, bootstrap, "daemon.dbz", WAIT,
                Map.of("format", "debezium", "debezium_schemas", true));
        List<CommittedTopic.Entry> daemon = CommittedTopic.read(bootstrap, "daemon.dbz", WAIT);
        List<CommittedTopic.Entry> connector = CommittedTopic.read(bootstrap, "dbz.txindex", WAIT);
        assertThat(daemon).as("the daemon's output").hasSizeGreaterThan(30);
        assertThat(connector).as("the connector's output").hasSameSizeAs(daemon);
        boolean updates = false;
        for (int i = 0; i < daemon.size(); i++) {
            JsonNode key = JSON.readTree(connector.get(i).key());
            assertThat(key.at("/schema/name").asText()).as("key schema of record %d", i).isEqualTo("dev.debshrew.Key");
            assertThat(key.at("/payload/key").asText()).as("key of record %d", i).isEqualTo(daemon.get(i).key());
            JsonNode value = JSON.readTree(connector.get(i).value());
            assertThat(value).as("value of record %d", i).isEqualTo(JSON.readTree(daemon.get(i).value()));
            updates |= value.at("/payload/op").asText().equals("u");
        }
        assertThat(updates).as("balance updates (computed from the restored state)").isTrue();
        assertThat(CommittedTopic.read(bootstrap, "dbz.debshrew-state", WAIT).get(0).key())
                .as("the changelog written by JsonConverter").startsWith("{\"schema\":");
    }

    private Cursor tip() {
        return new Cursor(devnet.height(), devnet.blockHash(devnet.height()));
    }

    /** Waits until the last committed cursor record (a JsonConverter struct) is {@code expected}. */
    private void awaitCursor(Cursor expected) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            List<CommittedTopic.Entry> cursors = CommittedTopic.read(connect.kafka().bootstrapServers(),
                    "dbz.txindex.cursor", WAIT);
            if (!cursors.isEmpty()) {
                JsonNode payload = JSON.readTree(cursors.get(cursors.size() - 1).value()).get("payload");
                last = payload.toString();
                if (payload.get("height").asLong() == expected.height()
                        && payload.get("hash").asText().equals(expected.hash())) {
                    return;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the committed cursor is " + last + ", not " + expected + " after " + WAIT);
    }
}
