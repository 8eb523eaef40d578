package dev.debshrew.sink.format;

import static dev.debshrew.sink.TestMessages.create;
import static dev.debshrew.sink.TestMessages.delete;
import static dev.debshrew.sink.TestMessages.json;
import static dev.debshrew.sink.TestMessages.update;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcHeader;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.cdc.CdcPayload;
import dev.debshrew.cdc.Inversion;
import dev.debshrew.cdc.Operation;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.junit.jupiter.api.Test;

class OutputFormatTest {

    private static final CdcCodec CODEC = new CdcCodec();

    private static JsonNode parse(byte[] b) throws Exception {
        return CdcCodec.mapper().readTree(b);
    }

    private static JsonConverter converter(boolean schemas) {
        JsonConverter c = new JsonConverter();
        c.configure(Map.of("schemas.enable", String.valueOf(schemas)), false);
        return c;
    }

    @Test
    void nativeIsTheCodecsCompactJson() {
        CdcMessage m = create(7, "t", "k", "{\"a\":1}");
        assertThat(new String(OutputFormat.NATIVE.encode(m, 3), StandardCharsets.UTF_8)).isEqualTo(CODEC.encode(m));
        assertThat(OutputFormat.NATIVE.name()).isEqualTo("native");
    }

    @Test
    void debeziumEnvelopeShape() throws Exception {
        CdcMessage m = new CdcMessage(new CdcHeader("src", 123L, 9, "ab", "tx1", false),
                new CdcPayload(Operation.UPDATE, "t", "k", json("{\"a\":1}"), json("{\"a\":2}")));
        JsonNode n = parse(OutputFormat.debezium(false).encode(m, 4));
        assertThat(n.toString()).isEqualTo("{\"before\":{\"a\":1},\"after\":{\"a\":2},\"source\":{\"connector\":\"debshrew\","
                + "\"name\":\"src\",\"ts_ms\":123,\"table\":\"t\",\"block_height\":9,\"block_hash\":\"ab\",\"index\":4,"
                + "\"inverse\":false,\"transaction_id\":\"tx1\"},\"op\":\"u\",\"ts_ms\":123}");

        CdcMessage inv = Inversion.invert(create(9, "t", "k", "{\"a\":1}"), "parent", 55);
        JsonNode d = parse(OutputFormat.debezium(false).encode(inv, 0));
        assertThat(d.get("op").asText()).isEqualTo("d");
        assertThat(d.get("after").isNull()).isTrue();
        assertThat(d.get("before")).isEqualTo(json("{\"a\":1}"));
        assertThat(d.get("source").get("inverse").asBoolean()).isTrue();
        assertThat(d.get("source").get("block_height").asLong()).isEqualTo(8);
        assertThat(d.get("source").get("block_hash").asText()).isEqualTo("parent");
        assertThat(d.get("source").has("transaction_id")).isFalse();
    }

    @Test
    void connectJsonConverterParsesSchemalessAndSchemaOutputForAwkwardRows() throws Exception {
        List<CdcMessage> msgs = List.of(
                create(1, "t", "k", "{\"s\":\"x\",\"i\":1,\"f\":1.5,\"b\":true,\"n\":null,\"o\":{\"p\":[1,2]},\"e\":[]}"),
                update(1, "t", "k", "{\"x\":1,\"mixed\":[1,\"a\"]}", "{\"x\":2.5,\"y\":\"new\",\"mixed\":null}"),
                update(1, "t", "k", "{\"c\":1}", "{\"c\":\"now a string\"}"),
                create(1, "t", "k", "{\"big\":123456789012345678901234567890}"),
                create(1, "t", "k", "\"a bare string row\""),
                create(1, "t", "k", "[{\"a\":1},{\"b\":\"x\"},null]"),
                create(1, "t", "k", "{\"weird key\\\"\":{\"\":1}}"),
                delete(1, "t", "k", "{\"gone\":true}"));
        JsonConverter schemaless = converter(false);
        JsonConverter withSchemas = converter(true);
        for (int i = 0; i < msgs.size(); i++) {
            CdcMessage m = msgs.get(i);
            SchemaAndValue plain = schemaless.toConnectData("t", OutputFormat.debezium(false).encode(m, i));
            assertThat(plain.value()).as("schemaless %s", i).isInstanceOf(Map.class);

            byte[] bytes = OutputFormat.debezium(true).encode(m, i);
            SchemaAndValue sv = withSchemas.toConnectData("t", bytes);
            assertThat(sv.schema().type()).isEqualTo(Schema.Type.STRUCT);
            Struct s = (Struct) sv.value();
            s.validate();
            assertThat(s.getStruct("source").getInt32("index")).isEqualTo(i);
            // Round trip through the converter gives the same JSON payload back.
            JsonNode back = parse(withSchemas.fromConnectData("t", sv.schema(), sv.value()));
            assertThat(back.get("payload")).isEqualTo(parse(bytes).get("payload"));
        }
        Struct s0 = (Struct) withSchemas.toConnectData("t", OutputFormat.debezium(true).encode(msgs.get(0), 0)).value();
        Struct after = s0.getStruct("after");
        assertThat(after.getString("s")).isEqualTo("x");
        assertThat(after.getInt64("i")).isEqualTo(1L);
        assertThat(after.getFloat64("f")).isEqualTo(1.5);
        assertThat(after.getBoolean("b")).isTrue();
        assertThat(after.get("n")).isNull();
        assertThat(after.getStruct("o").getArray("p")).containsExactly(1L, 2L);
        assertThat(after.getString("e")).isEqualTo("[]"); // empty array: JSON text
        assertThat(s0.get("before")).isNull();

        Struct s1 = (Struct) withSchemas.toConnectData("t", OutputFormat.debezium(true).encode(msgs.get(1), 1)).value();
        assertThat(s1.getStruct("after").getFloat64("x")).isEqualTo(2.5);
        assertThat(s1.getStruct("before").getFloat64("x")).isEqualTo(1.0);
        assertThat(s1.getStruct("before").getString("mixed")).isEqualTo("[1,\"a\"]");
        assertThat(s1.getStruct("after").getString("y")).isEqualTo("new");

        Struct s2 = (Struct) withSchemas.toConnectData("t", OutputFormat.debezium(true).encode(msgs.get(2), 2)).value();
        assertThat(s2.getStruct("before").getString("c")).isEqualTo("1"); // type conflict: JSON text
        assertThat(s2.getStruct("after").getString("c")).isEqualTo("\"now a string\"");
        assertThat(s2.schema().field("after").schema().field("c").schema().name())
                .isEqualTo(ConnectRowSchema.JSON_LOGICAL_NAME);

        Struct s3 = (Struct) withSchemas.toConnectData("t", OutputFormat.debezium(true).encode(msgs.get(3), 3)).value();
        assertThat(s3.getStruct("after").getString("big")).isEqualTo("123456789012345678901234567890");
        schemaless.close();
        withSchemas.close();
    }

    @Test
    void keyFormats() {
        CdcMessage m = create(1, "blocks", "840000", "{}");
        assertThat(KeyFormat.KEY.key(m)).isEqualTo("840000");
        assertThat(KeyFormat.TABLE_KEY.key(m)).isEqualTo("blocks:840000");
    }
}
