package dev.debshrew.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.journal.BlockResult;
import dev.debshrew.sink.BlockChange;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.SinkBatch;
import dev.debshrew.sink.format.OutputFormat;
import dev.debshrew.transform.StateChanges;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.storage.Converter;
import org.apache.kafka.connect.storage.StringConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code value.format}: the converters each format allows (refused otherwise, naming the option),
 * the Debezium records through the real {@link JsonConverter} against the daemon's Debezium encoder,
 * and the state changelog read back under every allowed converter.
 */
class ValueFormatTest {

    @TempDir
    Path dir;

    private Map<String, String> config(String format) throws Exception {
        Map<String, String> p = DebshrewConnectorConfigTest.minimal(
                Files.write(dir.resolve("t.wasm"), new byte[] {0, 'a', 's', 'm'}));
        p.put(DebshrewConnectorConfig.VALUE_FORMAT, format);
        return p;
    }

    @Test
    void convertersThatDoNotFitTheFormatAreRefusedNamingTheOption() throws Exception {
        Map<String, String> debezium = config("debezium");
        assertThatThrownBy(() -> new DebshrewConnectorConfig(debezium)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("key.converter").hasMessageContaining("JsonConverter");
        debezium.put("key.converter", DebshrewConnectorConfig.JSON_CONVERTER);
        debezium.put("value.converter", DebshrewConnectorConfig.STRING_CONVERTER);
        assertThatThrownBy(() -> new DebshrewConnectorConfig(debezium)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("value.converter").hasMessageContaining("value.format=debezium");
        assertThat(errors(debezium)).containsOnlyKeys("value.converter");
        debezium.put("value.converter", DebshrewConnectorConfig.JSON_CONVERTER);
        assertThat(new DebshrewConnectorConfig(debezium).debezium()).isTrue();
        assertThat(errors(debezium)).isEmpty();

        Map<String, String> nativeFormat = config("native");
        nativeFormat.put("value.converter", DebshrewConnectorConfig.JSON_CONVERTER);
        assertThatThrownBy(() -> new DebshrewConnectorConfig(nativeFormat)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("value.converter").hasMessageContaining("StringConverter");
        assertThat(errors(nativeFormat)).containsOnlyKeys("value.converter");
        nativeFormat.remove("value.converter");
        assertThat(new DebshrewConnectorConfig(nativeFormat).debezium()).isFalse();

        Map<String, String> other = config("avro");
        assertThatThrownBy(() -> new DebshrewConnectorConfig(other)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(DebshrewConnectorConfig.VALUE_FORMAT);
    }

    private static Map<String, List<String>> errors(Map<String, String> p) {
        Map<String, List<String>> out = new HashMap<>();
        new DebshrewSourceConnector().validate(p).configValues().stream().filter(v -> !v.errorMessages().isEmpty())
                .forEach(v -> out.put(v.name(), v.errorMessages()));
        return out;
    }

    private static CdcMessage message(String json) throws Exception {
        return new CdcCodec().decode(json.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonConverter json(boolean schemas, boolean key) {
        JsonConverter c = new JsonConverter();
        c.configure(Map.of("schemas.enable", String.valueOf(schemas)), key);
        return c;
    }

    @Test
    void debeziumRecordsWrittenByJsonConverterEqualTheDaemonsEnvelope() throws Exception {
        Map<String, String> p = config("debezium");
        p.put("key.converter", DebshrewConnectorConfig.JSON_CONVERTER);
        p.put("value.converter", DebshrewConnectorConfig.JSON_CONVERTER);
        ConnectRecords records = new ConnectRecords(new DebshrewConnectorConfig(p));
        CdcMessage create = message("{\"header\":{\"source\":\"t\",\"timestamp\":5,\"block_height\":7,\"block_hash\":"
                + "\"aa\"},\"payload\":{\"operation\":\"create\",\"table\":\"rows\",\"key\":\"k1\",\"after\":"
                + "{\"n\":1,\"s\":\"x\",\"big\":123456789012345678901234567890,\"nested\":{\"a\":[1,2]}}}}");
        CdcMessage update = message("{\"header\":{\"source\":\"t\",\"timestamp\":5,\"block_height\":7,\"block_hash\":"
                + "\"aa\",\"transaction_id\":\"tx\"},\"payload\":{\"operation\":\"update\",\"table\":\"rows\","
                + "\"key\":\"k1\",\"before\":{\"n\":1},\"after\":{\"n\":2.5,\"flag\":true}}}");
        Cursor cursor = new Cursor(7, "aa");
        List<SourceRecord> out = records.of(SinkBatch.of(List.of(new BlockChange(cursor, List.of(create, update)))),
                List.of(StateChangelog.state(new byte[] {1}, null)));
        assertThat(out).hasSize(4);
        JsonConverter values = json(true, false);
        OutputFormat daemon = OutputFormat.debezium(true);
        CdcMessage[] messages = {create, update};
        for (int i = 0; i < 2; i++) {
            SourceRecord r = out.get(i + 1);
            byte[] written = values.fromConnectData(r.topic(), r.valueSchema(), r.value());
            assertThat(CdcCodec.mapper().readTree(written)).as("message %d", i)
                    .isEqualTo(CdcCodec.mapper().readTree(daemon.encode(messages[i], i)));
            assertThat(new String(json(false, true).fromConnectData(r.topic(), r.keySchema(), r.key()),
                    StandardCharsets.UTF_8)).isEqualTo("{\"key\":\"k1\"}");
        }
        SourceRecord tombstone = out.get(0);
        assertThat(values.fromConnectData(tombstone.topic(), tombstone.valueSchema(), tombstone.value()))
                .as("a changelog tombstone stays a null value under JsonConverter").isNull();
        SourceRecord last = out.get(3);
        assertThat(new String(json(false, false).fromConnectData(last.topic(), last.valueSchema(), last.value()),
                StandardCharsets.UTF_8)).isEqualTo("{\"height\":7,\"hash\":\"aa\"}");
    }

    @Test
    void theChangelogReadsBackUnderEveryAllowedConverter() throws Exception {
        KafkaChainStore store = KafkaChainStore.restore(2, StateChangelog.Snapshot.empty());
        StateChanges changes = new StateChanges();
        changes.put(bytes("a"), bytes("{\"v\":1}"));
        changes.put(bytes("b"), bytes("\"q\""));
        CdcMessage m = message("{\"header\":{\"source\":\"t\",\"timestamp\":5,\"block_height\":1,\"block_hash\":"
                + "\"h1\"},\"payload\":{\"operation\":\"create\",\"table\":\"r\",\"key\":\"k\",\"after\":{\"x\":1}}}");
        store.commit(List.of(new BlockResult(0, "h0", "00", List.of(), new StateChanges()),
                new BlockResult(1, "h1", "h0", List.of(m), changes)));
        StateChanges delete = new StateChanges();
        delete.delete(bytes("a"));
        store.commit(List.of(new BlockResult(2, "h2", "h1", List.of(), delete)));
        // the changelog records exactly as the task hands them to the worker
        Map<String, String> p = config("native");
        p.put(DebshrewConnectorConfig.STATE_BOOTSTRAP_SERVERS, "127.0.0.1:1");
        List<SourceRecord> out = new ConnectRecords(new DebshrewConnectorConfig(p))
                .of(SinkBatch.of(List.of(new BlockChange(new Cursor(2, "h2"), List.of()))), store.drain());
        List<SourceRecord> log = out.subList(0, out.size() - 1);
        assertThat(log).allSatisfy(r -> assertThat(r.topic()).isEqualTo("pipe.debshrew-state"));
        assertThat(log).anySatisfy(r -> assertThat(r.value()).as("a tombstone").isNull());

        String expected = describe(replay(log, new StringConverter(), new StringConverter()));
        assertThat(expected).contains("1:h1:[", "b=\"q\"").doesNotContain("a=").contains("base 0:h0");
        for (boolean schemas : new boolean[] {true, false}) {
            assertThat(describe(replay(log, json(schemas, true), json(schemas, false))))
                    .as("read back under JsonConverter, schemas.enable=%s", schemas).isEqualTo(expected);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Writes the records through the converters as the worker does, and replays the bytes. */
    private static StateChangelog.Snapshot replay(List<SourceRecord> log, Converter keys, Converter values) {
        keys.configure(Map.of(), true);
        values.configure(Map.of(), false);
        StateChangelog.Replay replay = new StateChangelog.Replay("t.state");
        long offset = 0;
        for (SourceRecord r : log) {
            replay.apply(offset++, keys.fromConnectData(r.topic(), r.keySchema(), r.key()),
                    values.fromConnectData(r.topic(), r.valueSchema(), r.value()));
        }
        return replay.snapshot();
    }

    /** The snapshot as text (its records hold arrays): window entries, sorted state, base. */
    private static String describe(StateChangelog.Snapshot s) {
        StringBuilder b = new StringBuilder();
        s.window().forEach(e -> b.append(e.height()).append(':').append(e.hash()).append(':').append(e.messages())
                .append(':').append(e.undo().size()).append('\n'));
        new java.util.TreeMap<String, String>(s.state().entrySet().stream().collect(java.util.stream.Collectors.toMap(
                e -> new String(e.getKey().array(), StandardCharsets.UTF_8),
                e -> new String(e.getValue(), StandardCharsets.UTF_8))))
                .forEach((k, v) -> b.append(k).append('=').append(v).append('\n'));
        return b.append("base ").append(s.base().height()).append(':').append(s.base().hash()).toString();
    }
}
