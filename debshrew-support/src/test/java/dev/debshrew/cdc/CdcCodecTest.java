package dev.debshrew.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CdcCodecTest {

    private final CdcCodec codec = new CdcCodec();

    /** The example of cdc-format.md, byte for byte. */
    private static final String SPEC_EXAMPLE = "{\"header\":{\"source\":\"block_transform\",\"timestamp\":1623456789000,"
            + "\"block_height\":840000,\"block_hash\":\"00..00\"},\"payload\":{\"operation\":\"create\",\"table\":\"blocks\","
            + "\"key\":\"840000\",\"after\":{\"hash\":\"00..00\",\"height\":840000}}}";

    private List<CdcMessage> decode(String json) throws CdcFormatException {
        return codec.decodeArray(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void roundTripsTheSpecExampleByteForByte() throws Exception {
        List<CdcMessage> msgs = decode("[" + SPEC_EXAMPLE + "]");
        assertThat(msgs).hasSize(1);
        assertThat(codec.encode(msgs.get(0))).isEqualTo(SPEC_EXAMPLE);
        assertThat(new String(codec.encodeBytes(msgs.get(0)), StandardCharsets.UTF_8)).isEqualTo(SPEC_EXAMPLE);
    }

    @Test
    void writesFieldsInDocumentedOrderAndOmitsAbsentOptionals() throws Exception {
        String in = "[{\"payload\":{\"after\":{\"b\":1,\"a\":2},\"before\":{\"x\":true},\"key\":\"k\",\"table\":\"t\","
                + "\"operation\":\"update\"},\"header\":{\"transaction_id\":\"tx\",\"block_hash\":\"ab\",\"block_height\":7,"
                + "\"timestamp\":5,\"source\":\"s\",\"extra\":1}}]";
        CdcMessage m = decode(in).get(0);
        assertThat(codec.encode(m)).isEqualTo("{\"header\":{\"source\":\"s\",\"timestamp\":5,\"block_height\":7,"
                + "\"block_hash\":\"ab\",\"transaction_id\":\"tx\"},\"payload\":{\"operation\":\"update\",\"table\":\"t\","
                + "\"key\":\"k\",\"before\":{\"x\":true},\"after\":{\"b\":1,\"a\":2}}}");
    }

    @Test
    void nullOptionalsAreTreatedAsAbsent() throws Exception {
        CdcMessage m = decode("[{\"header\":{\"source\":\"s\",\"timestamp\":1,\"block_height\":1,\"block_hash\":\"h\","
                + "\"transaction_id\":null},\"payload\":{\"operation\":\"create\",\"table\":\"t\",\"key\":\"k\","
                + "\"before\":null,\"after\":{}}}]").get(0);
        assertThat(m.header().transactionId()).isNull();
        assertThat(m.payload().before()).isNull();
        assertThat(codec.encode(m)).doesNotContain("null").doesNotContain("transaction_id").doesNotContain("before");
    }

    @Test
    void acceptsRfc3339TimestampsAndNormalisesToMillis() throws Exception {
        CdcMessage m = codec.decode("{\"header\":{\"source\":\"s\",\"timestamp\":\"2021-06-12T00:13:09Z\","
                + "\"block_height\":1,\"block_hash\":\"h\"},\"payload\":{\"operation\":\"delete\",\"table\":\"t\","
                + "\"key\":\"k\",\"before\":1}}");
        assertThat(m.header().timestamp()).isEqualTo(1623456789000L);
        assertThat(codec.encode(m)).contains("\"timestamp\":1623456789000");
    }

    @Test
    void writesInverseMarkerOnlyWhenSet() throws Exception {
        CdcMessage m = decode("[" + SPEC_EXAMPLE + "]").get(0);
        CdcMessage inv = Inversion.invert(m, "parent", 42);
        assertThat(codec.encode(inv)).isEqualTo("{\"header\":{\"source\":\"block_transform\",\"timestamp\":42,"
                + "\"block_height\":839999,\"block_hash\":\"parent\",\"inverse\":true},\"payload\":{\"operation\":\"delete\","
                + "\"table\":\"blocks\",\"key\":\"840000\",\"before\":{\"hash\":\"00..00\",\"height\":840000}}}");
        assertThat(codec.decode(codec.encode(inv)).header().inverse()).isTrue();
    }

    @Test
    void rejectsNonArrayAndInvalidJson() {
        assertThatThrownBy(() -> decode("{}")).isInstanceOf(CdcFormatException.class)
                .hasMessageContaining("expected a JSON array");
        assertThatThrownBy(() -> decode("[{\"header\":")).isInstanceOf(CdcFormatException.class)
                .hasMessageContaining("invalid JSON");
        assertThatThrownBy(() -> decode("")).isInstanceOf(CdcFormatException.class).hasMessageContaining("invalid JSON");
    }

    @Test
    void rejectsUppercaseOperationNamingTheMessage() {
        String bad = SPEC_EXAMPLE.replace("\"create\"", "\"Create\"");
        assertThatThrownBy(() -> decode("[" + SPEC_EXAMPLE + "," + bad + "]"))
                .isInstanceOf(CdcFormatException.class)
                .hasMessageContaining("message[1].payload.operation")
                .hasMessageContaining("'Create'");
    }

    @Test
    void rejectsInconsistentBeforeAfter() {
        assertThatThrownBy(() -> decode("[" + SPEC_EXAMPLE.replace("\"after\"", "\"before\"") + "]"))
                .hasMessageContaining("'create' requires 'after'");
        assertThatThrownBy(() -> decode("[" + SPEC_EXAMPLE.replace("\"create\"", "\"update\"") + "]"))
                .hasMessageContaining("'update' requires both");
        assertThatThrownBy(() -> decode("[" + SPEC_EXAMPLE.replace("\"create\"", "\"delete\"") + "]"))
                .hasMessageContaining("'delete' requires 'before'");
    }

    @Test
    void rejectsMissingOrEmptyTableAndKeyAndBadTypes() {
        assertThatThrownBy(() -> decode("[" + SPEC_EXAMPLE.replace("\"table\":\"blocks\"", "\"table\":\"\"") + "]"))
                .hasMessageContaining("message[0].payload.table: must not be empty");
        assertThatThrownBy(() -> decode("[" + SPEC_EXAMPLE.replace("\"key\":\"840000\",", "") + "]"))
                .hasMessageContaining("missing field 'key'");
        assertThatThrownBy(() -> decode("[" + SPEC_EXAMPLE.replace("\"block_height\":840000", "\"block_height\":-1") + "]"))
                .hasMessageContaining("message[0].header.block_height");
        assertThatThrownBy(() -> decode("[" + SPEC_EXAMPLE.replace("\"timestamp\":1623456789000", "\"timestamp\":\"yesterday\"") + "]"))
                .hasMessageContaining("header.timestamp");
        assertThatThrownBy(() -> decode("[1]")).hasMessageContaining("message[0]: expected an object");
    }

    /** NUL anywhere (table, key, header, a value, an object key, inside arrays) is rejected, naming where. */
    @Test
    void nulInValueIsRejectedTheSameWayByEverySink() {
        String ok = "{\"header\":{\"source\":\"s\",\"timestamp\":1,\"block_height\":7,\"block_hash\":\"ab\"},"
                + "\"payload\":{\"operation\":\"create\",\"table\":\"T\",\"key\":\"K\",\"after\":{\"a\":[\"x\"]}}}";
        String nul = "\\u0000";
        String[][] cases = {
            {ok.replace("\"T\"", "\"t" + nul + "x\""), "message[1].payload.table", "table 't\\u0000x'"},
            {ok.replace("\"K\"", "\"k" + nul + "\""), "message[1].payload.key", "key 'k\\u0000'"},
            {ok.replace("\"x\"]", "\"a" + nul + "b\"]"), "message[1].payload.after.a[0]", "key 'K'"},
            {ok.replace("{\"a\":", "{\"a" + nul + "\":"), "message[1].payload.after (object key 'a\\u0000')", "table 'T'"},
            {ok.replace("\"s\"", "\"s" + nul + "\""), "message[1].header.source", "key 'K'"},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> decode("[" + ok + "," + c[0] + "]")).as(c[1])
                    .isInstanceOf(CdcFormatException.class)
                    .hasMessageStartingWith(c[1] + ": contains the NUL character (U+0000)")
                    .hasMessageContaining(c[2])
                    .hasMessageContaining("strip or escape");
        }
        byte[] pushed = cases[0][0].getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> codec.decodeTransformMessage(pushed))
                .hasMessageStartingWith("message.payload.table: contains the NUL");
        // stored messages (journals written before this check) still read back
        try {
            assertThat(codec.decode(pushed).payload().table()).isEqualTo("t\u0000x");
        } catch (CdcFormatException e) {
            throw new AssertionError(e);
        }
    }
}
