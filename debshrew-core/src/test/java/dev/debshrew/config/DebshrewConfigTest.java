package dev.debshrew.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.debshrew.cdc.CdcCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DebshrewConfigTest {

    @TempDir
    Path dir;

    private static DebshrewConfig parse(String json) throws Exception {
        return DebshrewConfig.fromJson(CdcCodec.mapper().readTree(json), "test.json");
    }

    @Test
    void readsTheOriginalKeysWithDefaults() throws Exception {
        DebshrewConfig c = parse("{\"metashrew\":{\"url\":\"http://node:8080/rpc\",\"timeout\":5},"
                + "\"transform\":{\"path\":\"t.wasm\"},\"sink\":{\"type\":\"file\",\"path\":\"out.jsonl\",\"append\":false},"
                + "\"cache_size\":10,\"start_height\":840000,\"log_level\":\"debug\"}");
        assertThat(c.metashrewUrl()).isEqualTo("http://node:8080/rpc");
        assertThat(c.metashrewTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.transformPath()).isEqualTo(Path.of("t.wasm"));
        assertThat(c.sinks()).containsExactly(new DebshrewConfig.SinkSpec("file", Map.of("path", "out.jsonl", "append", false)));
        assertThat(c.cacheSize()).isEqualTo(10);
        assertThat(c.startHeight()).isEqualTo(840000L);
        assertThat(c.logLevel()).isEqualTo("debug");
        assertThat(c.stateStore()).isEqualTo("rocksdb");
        assertThat(c.stateDir()).isEqualTo(Path.of("data", "state"));
        assertThat(c.transformLimits().compileCacheDir()).isEqualTo(Path.of("data", "compile-cache"));
        assertThat(c.metashrewVersionLine()).isEqualTo("auto");
    }

    /** The original debshrew's documented configuration file, unchanged (fixtures/original). */
    @Test
    void theOriginalDaemonConfigurationIsAcceptedUnchanged() throws Exception {
        String json;
        try (var in = DebshrewConfigTest.class.getResourceAsStream("/fixtures/original/debshrew-config.json")) {
            json = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        DebshrewConfig c = parse(json);
        assertThat(c.metashrewUsername()).isEqualTo("user");
        assertThat(c.metashrewMaxRetries()).isEqualTo(3);
        assertThat(c.metashrewRetryDelay()).isEqualTo(Duration.ofMillis(1000));
        assertThat(c.sinks()).hasSize(1);
        assertThat(c.sinks().get(0).type()).isEqualTo("kafka");
        assertThat(c.sinks().get(0).options()).containsEntry("client_id", "debshrew").containsEntry("batch_size", 100);
        assertThat(c.startHeight()).isEqualTo(800000L);
    }

    @Test
    void retryMaxDelayCapsTheFollowersBackoffAndIsValidated() throws Exception {
        assertThat(parse("{\"transform\":{\"path\":\"t.wasm\"}}").retryMaxDelay()).isEqualTo(Duration.ofSeconds(30));
        DebshrewConfig c = parse("{\"transform\":{\"path\":\"t.wasm\"},\"retry_max_delay_ms\":200}");
        assertThat(c.retryMaxDelay()).isEqualTo(Duration.ofMillis(200));
        var settings = dev.debshrew.follow.FollowerSettings.defaults().withRetryMax(c.retryMaxDelay());
        assertThat(settings.retryMax()).isEqualTo(Duration.ofMillis(200));
        assertThat(settings.retryInitial()).as("the first wait is never above the cap").isEqualTo(Duration.ofMillis(200));
        assertThatThrownBy(() -> parse("{\"transform\":{\"path\":\"t.wasm\"},\"retry_max_delay_ms\":5}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("retry_max_delay_ms");
    }

    @Test
    void defaultsWhenOnlyTheTransformIsGiven() throws Exception {
        DebshrewConfig c = parse("{\"transform\":{\"path\":\"t.wasm\"}}");
        assertThat(c.metashrewUrl()).isEqualTo("http://127.0.0.1:8080");
        assertThat(c.sinks()).containsExactly(new DebshrewConfig.SinkSpec("console", Map.of()));
        assertThat(c.cacheSize()).isEqualTo(6);
        assertThat(c.startHeight()).isNull();
    }

    @Test
    void readsAListOfSinksForFanOut() throws Exception {
        DebshrewConfig c = parse("{\"transform\":{\"path\":\"t.wasm\"},\"sinks\":[{\"type\":\"file\",\"path\":\"a\"},"
                + "{\"type\":\"console\",\"pretty\":true}]}");
        assertThat(c.sinks()).extracting(DebshrewConfig.SinkSpec::type).containsExactly("file", "console");
        assertThatThrownBy(() -> parse("{\"transform\":{\"path\":\"t\"},\"sink\":{},\"sinks\":[{\"type\":\"file\"}]}"))
                .hasMessageContaining("either 'sink'");
        assertThatThrownBy(() -> parse("{\"transform\":{\"path\":\"t\"},\"sinks\":[]}"))
                .hasMessageContaining("non-empty array");
    }

    @Test
    void namesTheOptionAndSourceOfEveryError() {
        assertThatThrownBy(() -> parse("{}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("test.json").hasMessageContaining("'transform.path' is required");
        assertThatThrownBy(() -> parse("{\"transform\":{\"path\":\"t\"},\"cache_size\":0}"))
                .hasMessageContaining("option 'cache_size': must be 1..100000, got integer 0");
        assertThatThrownBy(() -> parse("{\"transform\":{\"path\":\"t\"},\"cache_size\":\"six\"}"))
                .hasMessageContaining("option 'cache_size': expected an integer, got string 'six'");
        assertThatThrownBy(() -> parse("{\"transform\":{\"path\":\"t\"},\"sink\":{\"type\":\"carrier-pigeon\"}}"))
                .hasMessageContaining("option 'sink.type': must be one of console, file, kafka, postgres");
        assertThatThrownBy(() -> parse("{\"transform\":{\"path\":\"t\"},\"cache_sise\":6}"))
                .hasMessageContaining("unknown option(s) [cache_sise]");
        assertThatThrownBy(() -> parse("{\"transform\":{\"path\":\"t\"},\"metashrew\":{\"urll\":\"x\"}}"))
                .hasMessageContaining("unknown option(s) [metashrew.urll]");
        assertThatThrownBy(() -> parse("{\"transform\":{\"path\":\"t\"},\"metashrew\":{\"url\":\"node:8080\"}}"))
                .hasMessageContaining("http:// or https://");
        assertThatThrownBy(() -> parse("{\"transform\":{\"path\":\"t\"},\"metashrew\":{\"username\":\"u\"}}"))
                .hasMessageContaining("go together");
        assertThatThrownBy(() -> parse("{\"transform\":{\"path\":\"t\"},\"log_level\":\"loud\"}"))
                .hasMessageContaining("'log_level'");
    }

    @Test
    void fileErrorsNameTheFile() throws Exception {
        assertThatThrownBy(() -> DebshrewConfig.load(dir.resolve("missing.json"))).hasMessageContaining("does not exist");
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"transform\": ");
        assertThatThrownBy(() -> DebshrewConfig.load(bad)).hasMessageContaining("bad.json is not valid JSON");
    }

    @Test
    void everyOptionIsDocumented() {
        String table = DebshrewConfig.markdownTable();
        for (ConfigOption<?> o : DebshrewConfig.OPTIONS) {
            assertThat(table).contains("`" + o.name() + "`");
            assertThat(o.doc()).isNotBlank();
        }
    }
}
