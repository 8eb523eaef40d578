package dev.debshrew.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.debshrew.cdc.CdcHeader;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.cdc.CdcPayload;
import dev.debshrew.cdc.Operation;
import dev.debshrew.sink.BlockChange;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.SinkBatch;
import dev.debshrew.sink.format.KeyFormat;
import dev.debshrew.sink.kafka.TopicNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The connector's configuration and offsets: defaults, clear refusals naming the option, the offset round trip. */
class DebshrewConnectorConfigTest {

    @TempDir
    Path dir;

    private Map<String, String> minimal() throws Exception {
        return minimal(Files.write(dir.resolve("t.wasm"), new byte[] {0, 'a', 's', 'm'}));
    }

    /** The smallest valid configuration, with {@code module} as the transform. */
    static Map<String, String> minimal(Path module) {
        Map<String, String> p = new HashMap<>();
        p.put("name", "pipe");
        p.put(DebshrewConnectorConfig.NODE_URL, "http://127.0.0.1:1");
        p.put(DebshrewConnectorConfig.TRANSFORM_MODULE, module.toString());
        p.put(DebshrewConnectorConfig.TOPIC, "out");
        return p;
    }

    @Test
    void defaultsFollowTheDaemon() throws Exception {
        DebshrewConnectorConfig c = new DebshrewConnectorConfig(minimal());
        assertThat(c.cacheSize()).isEqualTo(6);
        assertThat(c.startHeight()).isNull();
        assertThat(c.pipelineName()).isEqualTo("pipe");
        assertThat(c.cursorTopic()).isEqualTo("out.cursor");
        assertThat(c.keyFormat()).isEqualTo(KeyFormat.KEY);
    }

    @Test
    void badValuesAreRefusedNamingTheOption() throws Exception {
        Map<String, String> p = minimal();
        p.remove(DebshrewConnectorConfig.NODE_URL);
        assertThatThrownBy(() -> new DebshrewConnectorConfig(p)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(DebshrewConnectorConfig.NODE_URL);
        Map<String, String> q = minimal();
        q.put(DebshrewConnectorConfig.TRANSFORM_MODULE, dir.resolve("missing.wasm").toString());
        assertThatThrownBy(() -> new DebshrewConnectorConfig(q)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(DebshrewConnectorConfig.TRANSFORM_MODULE).hasMessageContaining("missing.wasm");
        Map<String, String> r = minimal();
        r.put(DebshrewConnectorConfig.START_HEIGHT, "-1");
        assertThatThrownBy(() -> new DebshrewConnectorConfig(r)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(DebshrewConnectorConfig.START_HEIGHT);
    }

    @Test
    void theStateCacheIsRocksDbInADirectoryPerTaskAndMustBeWritable() throws Exception {
        Map<String, String> p = minimal();
        p.put(DebshrewConnectorConfig.STATE_BOOTSTRAP_SERVERS, "127.0.0.1:9");
        p.put("name", "my pipe/1");
        DebshrewConnectorConfig c = new DebshrewConnectorConfig(p);
        assertThat(c.rocksCache()).isTrue();
        assertThat(c.stateCacheDir()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "debshrew-connect",
                "my_pipe_1-task0"));
        p.put(DebshrewConnectorConfig.STATE_CACHE, "memory");
        assertThat(new DebshrewConnectorConfig(p).rocksCache()).isFalse();
        p.put(DebshrewConnectorConfig.STATE_CACHE, "disk");
        assertThatThrownBy(() -> new DebshrewConnectorConfig(p)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(DebshrewConnectorConfig.STATE_CACHE);
        p.put(DebshrewConnectorConfig.STATE_CACHE, "rocksdb");
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        p.put(DebshrewConnectorConfig.STATE_CACHE_DIR, file.resolve("cache").toString());
        assertThatThrownBy(() -> new DebshrewConnectorConfig(p)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(DebshrewConnectorConfig.STATE_CACHE_DIR).hasMessageContaining("writable");
        p.put(DebshrewConnectorConfig.STATE_CACHE_DIR, file.toString());
        assertThatThrownBy(() -> new DebshrewConnectorConfig(p)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(DebshrewConnectorConfig.STATE_CACHE_DIR).hasMessageContaining("not a directory");
        p.put(DebshrewConnectorConfig.STATE_CACHE_DIR, dir.resolve("new/cache").toString());
        assertThat(new DebshrewConnectorConfig(p).stateCacheDir()).isEqualTo(dir.resolve("new/cache"));
        assertThat(dir.resolve("new")).as("validation creates nothing").doesNotExist();
    }

    @Test
    void intervalTransactionBoundariesAreRefused() throws Exception {
        Map<String, String> p = minimal();
        p.put(DebshrewSourceConnector.TRANSACTION_BOUNDARY, "interval");
        ConfigValue v = new DebshrewSourceConnector().validate(p).configValues().stream()
                .filter(c -> c.name().equals(DebshrewSourceConnector.TRANSACTION_BOUNDARY)).findFirst().orElseThrow();
        assertThat(v.errorMessages()).singleElement().asString().contains("interval");
        p.put(DebshrewSourceConnector.TRANSACTION_BOUNDARY, "poll");
        assertThat(new DebshrewSourceConnector().validate(p).configValues())
                .allSatisfy(c -> assertThat(c.errorMessages()).as(c.name()).isEmpty());
    }

    @Test
    void offsetsCarryTheCursor() {
        Cursor c = new Cursor(42, "ab".repeat(32));
        assertThat(ConnectRecords.cursorOf("pipe", ConnectRecords.sourceOffset(c))).contains(c);
        assertThat(ConnectRecords.cursorOf("pipe", Map.of(ConnectRecords.HEIGHT, 42, ConnectRecords.HASH, c.hash())))
                .as("a height read back as an Integer").contains(c);
        assertThat(ConnectRecords.cursorOf("pipe", null)).isEmpty();
        assertThatThrownBy(() -> ConnectRecords.cursorOf("pipe", Map.of("position", 3)))
                .isInstanceOf(ConnectException.class).hasMessageContaining("pipe").hasMessageContaining("position");
    }

    @Test
    void aBadTopicTemplateIsRefusedNamingTheOption() throws Exception {
        assertThat(new DebshrewConnectorConfig(minimal()).topicTemplate()).isNull();
        for (String bad : new String[] {"cdc", "cdc.{table}.{table}", "cdc {table}", "{table}{source}", ""}) {
            Map<String, String> p = minimal();
            p.put(DebshrewConnectorConfig.TOPIC_TEMPLATE, bad);
            assertThatThrownBy(() -> new DebshrewConnectorConfig(p)).as(bad).isInstanceOf(ConfigException.class)
                    .hasMessageContaining(DebshrewConnectorConfig.TOPIC_TEMPLATE).hasMessageContaining("{table}");
        }
        Map<String, String> p = minimal();
        p.put(DebshrewConnectorConfig.TOPIC_TEMPLATE, "cdc.{source}.{table}");
        DebshrewConnectorConfig c = new DebshrewConnectorConfig(p);
        assertThat(c.topicTemplate()).isEqualTo("cdc.{source}.{table}");
        assertThat(c.cursorTopic()).as("topic still names the cursor topic").isEqualTo("out.cursor");
    }

    private static CdcMessage message(String table, String source) {
        return new CdcMessage(CdcHeader.of(source, 1000, 7, "a".repeat(64), "tx"),
                new CdcPayload(Operation.CREATE, table, "k", null, JsonNodeFactory.instance.objectNode().put("v", 1)));
    }

    @Test
    void theTemplateRoutesEachTableAsTheDaemonsKafkaSinkDoes() throws Exception {
        for (String format : new String[] {"native", "debezium"}) {
            Map<String, String> p = minimal();
            p.put(DebshrewConnectorConfig.TOPIC_TEMPLATE, "cdc.{source}.{table}");
            p.put(DebshrewConnectorConfig.VALUE_FORMAT, format);
            if (format.equals("debezium")) {
                p.put(DebshrewConnectorConfig.KEY_CONVERTER, DebshrewConnectorConfig.JSON_CONVERTER);
                p.put(DebshrewConnectorConfig.VALUE_CONVERTER, DebshrewConnectorConfig.JSON_CONVERTER);
            }
            ConnectRecords records = new ConnectRecords(new DebshrewConnectorConfig(p));
            SinkBatch batch = SinkBatch.of(new BlockChange(new Cursor(7, "a".repeat(64)),
                    List.of(message("tx_outs", "txindex"), message("a b", "txindex"), message("tx_outs", "x.y"))));
            assertThat(records.of(batch, List.of())).extracting(SourceRecord::topic).as(format).containsExactly(
                    "cdc.txindex.-tx-5fouts", TopicNames.expand("cdc.{source}.{table}", "a b", "txindex"),
                    "cdc.-x-2ey.-tx-5fouts", "out.cursor");
        }
        Map<String, String> p = minimal();
        p.put(DebshrewConnectorConfig.TOPIC_TEMPLATE, "{table}");
        ConnectRecords records = new ConnectRecords(new DebshrewConnectorConfig(p));
        SinkBatch clash = SinkBatch.of(new BlockChange(new Cursor(7, "a".repeat(64)),
                List.of(message("out_cursor", "txindex"))));
        assertThatThrownBy(() -> records.of(clash, List.of())).isInstanceOf(ConnectException.class)
                .hasMessageContaining("out_cursor").hasMessageContaining("out.cursor")
                .hasMessageContaining(DebshrewConnectorConfig.TOPIC_TEMPLATE);
    }
}
