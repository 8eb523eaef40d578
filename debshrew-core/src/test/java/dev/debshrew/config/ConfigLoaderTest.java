package dev.debshrew.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.sink.SinkFactory;
import dev.debshrew.util.Secrets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 11 item 3: YAML, ${VAR} substitution, DEBSHREW_* overrides, *_file secrets, sink options at read time. */
class ConfigLoaderTest {

    @TempDir
    Path dir;

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void yamlFileEqualsItsJsonEquivalent() throws Exception {
        Path json = write("c.json", """
                {"metashrew": {"url": "http://node:8080", "timeout": 30, "headers": {"X-Api-Key": "k-123456"}},
                 "transform": {"path": "t.wasm", "interpreter": true},
                 "sinks": [{"type": "file", "path": "out.jsonl", "append": false},
                           {"type": "kafka", "bootstrap_servers": "k:9092", "topic": "cdc", "batch_size": 100}],
                 "cache_size": 12, "start_height": 0, "log_level": "debug"}
                """);
        Path yaml = write("c.yaml", """
                # the same configuration as YAML
                metashrew:
                  url: http://node:8080
                  timeout: 30
                  headers:
                    X-Api-Key: k-123456
                transform:
                  path: t.wasm
                  interpreter: true
                sinks:
                  - type: file
                    path: out.jsonl
                    append: false
                  - type: kafka
                    bootstrap_servers: "k:9092"
                    topic: cdc
                    batch_size: 100
                cache_size: 12
                start_height: 0
                log_level: debug
                """);
        Path yml = write("c.yml", Files.readString(yaml));
        ObjectNode fromJson = ConfigLoader.read(json, Map.of());
        assertThat(ConfigLoader.read(yaml, Map.of())).isEqualTo(fromJson);
        assertThat(ConfigLoader.read(yml, Map.of())).isEqualTo(fromJson);
        DebshrewConfig a = ConfigLoader.load(json, Map.of());
        DebshrewConfig b = ConfigLoader.load(yaml, Map.of());
        assertThat(b.sinks()).isEqualTo(a.sinks());
        assertThat(b.cacheSize()).isEqualTo(12);
        assertThat(b.metashrewTimeout()).isEqualTo(a.metashrewTimeout());
        assertThat(b.metashrewHeaders()).isEqualTo(Map.of("X-Api-Key", "k-123456"));
        assertThat(b.transformLimits().useInterpreter()).isTrue();
        assertThat(b.startHeight()).isZero();
    }

    @Test
    void yamlSyntaxErrorNamesTheFileAndLineWithoutTheText() throws Exception {
        Path bad = write("bad.yaml", "metashrew:\n  url: http://x\n  password: [hunter2-secret\n");
        assertThatThrownBy(() -> ConfigLoader.load(bad, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("bad.yaml is not valid YAML at line")
                .hasMessageNotContaining("hunter2-secret");
    }

    @Test
    void substitutionFillsVariablesAndDefaults() throws Exception {
        Path f = write("s.yaml", """
                metashrew:
                  url: http://${NODE_HOST}:${NODE_PORT:-8080}/
                transform:
                  path: ${WASM_DIR:-/opt}/t.wasm
                sink:
                  type: file
                  path: "$${literal}/${OUT}"
                cache_size: 6
                """);
        DebshrewConfig c = ConfigLoader.load(f, Map.of("NODE_HOST", "10.0.0.5", "OUT", "o.jsonl", "WASM_DIR", ""));
        assertThat(c.metashrewUrl()).isEqualTo("http://10.0.0.5:8080/");
        assertThat(c.transformPath()).isEqualTo(Path.of("/opt/t.wasm"));
        assertThat(c.sinks().get(0).options()).containsEntry("path", "${literal}/o.jsonl");
    }

    @Test
    void unsetVariableWithoutDefaultNamesTheKeyPathAndTheVariable() throws Exception {
        Path f = write("s.json", """
                {"transform": {"path": "t.wasm"},
                 "sinks": [{"type": "console"}, {"type": "file", "path": "${OUT_DIR}/x.jsonl"}]}
                """);
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("s.json")
                .hasMessageContaining("'sinks[1].path'")
                .hasMessageContaining("environment variable OUT_DIR is not set");
        Path malformed = write("m.json", "{\"transform\": {\"path\": \"${OOPS\"}}");
        assertThatThrownBy(() -> ConfigLoader.load(malformed, Map.of("OOPS", "x")))
                .hasMessageContaining("'transform.path'").hasMessageContaining("malformed ${...}");
    }

    @Test
    void environmentOverridesAreMappedByKeyPathAndParsedPerType() throws Exception {
        Path f = write("e.json", """
                {"metashrew": {"url": "http://file:8080"}, "transform": {"path": "t.wasm"},
                 "sink": {"type": "postgres", "url": "jdbc:postgresql://db/cdc", "user": "u", "password": "from-file-pw"},
                 "cache_size": 6}
                """);
        Map<String, String> env = Map.of(
                "DEBSHREW_METASHREW_URL", "http://env:9090",
                "DEBSHREW_CACHE_SIZE", "42",
                "DEBSHREW_METASHREW_MAX_RETRIES", "3",
                "DEBSHREW_TRANSFORM_INTERPRETER", "true",
                "DEBSHREW_SINK_PASSWORD", "env-pw-98765",
                "DEBSHREW_SINK_BATCH_SIZE", "50",
                "DEBSHREW_CACHE_SIZ", "typo");
        DebshrewConfig c = ConfigLoader.load(f, env);
        assertThat(c.metashrewUrl()).isEqualTo("http://env:9090");
        assertThat(c.cacheSize()).isEqualTo(42);
        assertThat(c.metashrewMaxRetries()).isEqualTo(3);
        assertThat(c.transformLimits().useInterpreter()).isTrue();
        assertThat(c.sinks().get(0).options()).containsEntry("password", "env-pw-98765").containsEntry("batch_size", 50);
        assertThat(Secrets.scrub("pw env-pw-98765")).doesNotContain("env-pw-98765");
        assertThat(EnvOverrides.unknown(ConfigLoader.parse(f, "config file"), env)).containsExactly("DEBSHREW_CACHE_SIZ");

        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of("DEBSHREW_CACHE_SIZE", "many")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("environment variable DEBSHREW_CACHE_SIZE").hasMessageContaining("integer");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of("DEBSHREW_SINK_POOL_SIZE", "0")))
                .hasMessageContaining("DEBSHREW_SINK_POOL_SIZE");
        Path many = write("m.json", """
                {"transform": {"path": "t.wasm"}, "sinks": [{"type": "console"}, {"type": "file", "path": "a"}]}
                """);
        DebshrewConfig m = ConfigLoader.load(many, Map.of("DEBSHREW_SINKS_1_PATH", "b.jsonl"));
        assertThat(m.sinks().get(1).options()).containsEntry("path", "b.jsonl");
        assertThat(EnvOverrides.variable("sinks[1].path")).isEqualTo("DEBSHREW_SINKS_1_PATH");
    }

    @Test
    void secretFilesAreReadAndNeverLeaked() throws Exception {
        Path pw = write("pw", "s3cr3t-from-file-7731\n");
        Path f = write("f.yaml", """
                metashrew:
                  url: http://node:8080
                  username: me
                  password_file: %s
                transform:
                  path: t.wasm
                sink:
                  type: postgres
                  url: jdbc:postgresql://db/cdc
                  password_file: %s
                """.formatted(pw, pw));
        DebshrewConfig c = ConfigLoader.load(f, Map.of());
        assertThat(c.metashrewPassword()).isEqualTo("s3cr3t-from-file-7731");
        assertThat(c.sinks().get(0).options()).containsEntry("password", "s3cr3t-from-file-7731")
                .doesNotContainKey("password_file");
        assertThat(c.sinks().get(0).toString()).doesNotContain("s3cr3t-from-file-7731");
        assertThat(Secrets.scrub("x s3cr3t-from-file-7731 y")).isEqualTo("x *** y");

        // the environment's _FILE variant, and a later error never quotes the file's content
        Path g = write("g.json", """
                {"transform": {"path": "t.wasm"}, "sink": {"type": "postgres", "url": "jdbc:postgresql://db/cdc",
                 "pool_size": 0}}
                """);
        assertThatThrownBy(() -> ConfigLoader.load(g, Map.of("DEBSHREW_SINK_PASSWORD_FILE", pw.toString())))
                .hasMessageContaining("sink.pool_size").hasMessageNotContaining("s3cr3t-from-file-7731");

        Path missing = dir.resolve("nope");
        Path h = write("h.json", "{\"transform\": {\"path\": \"t.wasm\"}, \"metashrew\": {\"username\": \"u\","
                + " \"password_file\": \"" + missing + "\"}}");
        assertThatThrownBy(() -> ConfigLoader.load(h, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'metashrew.password_file'").hasMessageContaining(missing.toString())
                .hasMessageContaining("does not exist");
        Path both = write("b.json", "{\"transform\": {\"path\": \"t.wasm\"}, \"sink\": {\"type\": \"postgres\","
                + " \"url\": \"jdbc:postgresql://db/x\", \"password\": \"p1p1p1\", \"password_file\": \"" + pw + "\"}}");
        assertThatThrownBy(() -> ConfigLoader.load(both, Map.of()))
                .hasMessageContaining("'sink.password' and 'sink.password_file'");
    }

    @Test
    void sinkOptionErrorsAreReportedWhenTheConfigIsReadNamingTheKeyPath() throws Exception {
        Path f = write("k.json", """
                {"transform": {"path": "t.wasm"},
                 "sink": {"type": "kafka", "bootstrap_servers": "k:9092", "topic": "t", "batch_size": "lots"}}
                """);
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("k.json").hasMessageContaining("'sink.batch_size'");
        Path g = write("g.json", """
                {"transform": {"path": "t.wasm"},
                 "sinks": [{"type": "console"}, {"type": "file", "path": "o", "rotate_bytez": 5}]}
                """);
        assertThatThrownBy(() -> ConfigLoader.load(g, Map.of()))
                .hasMessageContaining("unknown option(s) [sinks[1].rotate_bytez]");
        Path t = write("t.json", "{\"transform\": {\"path\": \"t.wasm\"}, \"sinks\": [{\"type\": \"s3\"}]}");
        assertThatThrownBy(() -> ConfigLoader.load(t, Map.of())).hasMessageContaining("'sinks[0].type'");
        Path h = write("h.json", "{\"transform\": {\"path\": \"t.wasm\"}, \"sink\": {\"type\": \"file\"}}");
        assertThatThrownBy(() -> ConfigLoader.load(h, Map.of())).hasMessageContaining("'sink.path' is required");
    }

    @Test
    void sinkTypesAreListedOnce() {
        assertThat(DebshrewConfig.SINK_TYPE.type()).isEqualTo("one of " + String.join(" | ", SinkFactory.typeNames()));
        assertThat(SinkFactory.typeNames()).containsExactly("console", "file", "kafka", "postgres", "postgresql");
        for (String t : SinkFactory.typeNames()) {
            assertThat(SinkFactory.type(t).options()).isNotEmpty();
        }
        assertThatThrownBy(() -> SinkFactory.type("s3")).hasMessageContaining("unknown sink type 's3'");
        assertThat(List.of(SinkFactory.Type.values())).hasSize(SinkFactory.TYPES.size());
    }
}
