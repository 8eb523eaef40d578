package dev.debshrew.sink.console;

import static dev.debshrew.sink.TestMessages.block;
import static dev.debshrew.sink.TestMessages.commitBlock;
import static dev.debshrew.sink.TestMessages.create;
import static dev.debshrew.sink.TestMessages.cursor;
import static dev.debshrew.sink.TestMessages.delete;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.sink.SinkBatch;
import dev.debshrew.sink.SinkFactory;
import dev.debshrew.sink.format.OutputFormat;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsoleSinkTest {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private ConsoleSink sink(Map<String, ?> options) {
        return new ConsoleSink(out, ConsoleSinkConfig.from(options));
    }

    @Test
    void nativeCompactByDefaultEveryBlockOfABatchInOrder() throws Exception {
        try (ConsoleSink s = sink(Map.of())) {
            commitBlock(s, cursor(1), create(1, "t", "a", "{\"v\":1}"));
            s.commit(SinkBatch.of(List.of(block(cursor(2), create(2, "t", "b", "{\"v\":2}")), block(cursor(3)),
                    block(cursor(4), create(4, "t", "c", "{\"v\":4}"), delete(4, "t", "a", "{\"v\":1}")))));
        }
        CdcCodec codec = new CdcCodec();
        assertThat(printed().lines().toList()).containsExactly(codec.encode(create(1, "t", "a", "{\"v\":1}")),
                codec.encode(create(2, "t", "b", "{\"v\":2}")), codec.encode(create(4, "t", "c", "{\"v\":4}")),
                codec.encode(delete(4, "t", "a", "{\"v\":1}")));
    }

    @Test
    void prettyAndItsAliasPrettyPrint() throws Exception {
        for (String key : List.of("pretty", "pretty_print")) {
            bytes.reset();
            try (ConsoleSink s = sink(Map.of(key, true))) {
                commitBlock(s, cursor(1), create(1, "t", "a", "{\"v\":1}"));
            }
            assertThat(printed().lines().count()).as(key).isGreaterThan(5);
            assertThat(CdcCodec.mapper().readTree(printed()).at("/payload/key").asText()).isEqualTo("a");
        }
        assertThatThrownBy(() -> ConsoleSinkConfig.from(Map.of("pretty", true, "pretty_print", true)))
                .hasMessageContaining("are the same option");
    }

    @Test
    void debeziumCompactAndPretty() throws Exception {
        try (ConsoleSink s = sink(Map.of("format", "debezium"))) {
            commitBlock(s, cursor(1), create(1, "t", "a", "{\"v\":1}"), delete(1, "t", "a", "{\"v\":1}"));
        }
        List<String> lines = printed().lines().toList();
        assertThat(lines).hasSize(2);
        JsonNode d = CdcCodec.mapper().readTree(lines.get(1));
        assertThat(d.get("op").asText()).isEqualTo("d");
        assertThat(d.at("/source/index").asInt()).isEqualTo(1);

        bytes.reset();
        try (ConsoleSink s = sink(Map.of("format", "debezium", "debezium_schemas", true, "pretty", true))) {
            commitBlock(s, cursor(1), create(1, "t", "a", "{\"v\":1}"));
        }
        JsonNode n = CdcCodec.mapper().readTree(printed());
        assertThat(n.has("schema")).isTrue();
        assertThat(n.at("/payload/op").asText()).isEqualTo("c");
        assertThat(printed().lines().count()).isGreaterThan(10);
    }

    @Test
    void optionsAreValidatedThroughTheFactory() {
        assertThat(SinkFactory.create("console", Map.of("pretty_print", false))).isInstanceOf(ConsoleSink.class);
        assertThat(ConsoleSinkConfig.from(Map.of()).format()).isSameAs(OutputFormat.NATIVE);
        assertThatThrownBy(() -> SinkFactory.create("console", Map.of("colour", true)))
                .hasMessageContaining("console sink: unknown option(s) [colour]");
        assertThatThrownBy(() -> SinkFactory.create("console", Map.of("debezium_schemas", true)))
                .hasMessageContaining("requires 'format': 'debezium'");
        assertThatThrownBy(() -> SinkFactory.create("console", Map.of("pretty", "sometimes")))
                .hasMessageContaining("option 'pretty'");
    }
}
