package dev.debshrew.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.sink.Sink;
import dev.debshrew.sink.SinkFactory;
import dev.debshrew.sink.file.FileSink;
import dev.debshrew.sink.postgres.PostgresSink;
import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The original debshrew's daemon configuration, with its PostgreSQL and file sink sections
 * (fixtures/original in debshrew-sinks' tests; they are run against a real PostgreSQL and file
 * there), is read unchanged by the daemon's config and builds the right sinks.
 */
class OriginalSinkConfigsTest {

    @Test
    void originalPostgresConfigIsAcceptedByTheDaemonConfig() throws Exception {
        Map<String, Class<? extends Sink>> fixtures = Map.of("postgres-sink.json", PostgresSink.class,
                "postgresql-sink-uri.json", PostgresSink.class, "file-sink.json", FileSink.class);
        for (Map.Entry<String, Class<? extends Sink>> f : fixtures.entrySet()) {
            JsonNode sink;
            try (InputStream in = getClass().getResourceAsStream("/fixtures/original/" + f.getKey())) {
                assertThat(in).as(f.getKey()).isNotNull();
                sink = CdcCodec.mapper().readTree(in);
            }
            ObjectNode root = CdcCodec.mapper().createObjectNode();
            // (the original's metashrew.retry_delay belongs to the metashrew client's options, tested there)
            root.putObject("metashrew").put("url", "http://localhost:8080").put("timeout", 30).put("max_retries", 3);
            root.putObject("transform").put("path", "path/to/transform.wasm");
            root.set("sink", sink);
            root.put("cache_size", 6).put("start_height", 100000).put("log_level", "info");
            DebshrewConfig c = DebshrewConfig.fromJson(root, f.getKey());
            assertThat(c.sinks()).hasSize(1);
            DebshrewConfig.SinkSpec spec = c.sinks().get(0);
            assertThat(spec.type()).isEqualTo(sink.get("type").asText());
            try (Sink s = SinkFactory.create(spec.type(), spec.options())) {
                assertThat(s).as(f.getKey()).isInstanceOf(f.getValue());
                assertThat(s.name() + s).doesNotContain("quote");
            }
        }
    }
}
