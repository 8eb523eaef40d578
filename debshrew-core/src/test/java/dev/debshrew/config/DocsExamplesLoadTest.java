package dev.debshrew.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.sink.SinkFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 item 3: every example configuration in docs/ (```json and ```yaml blocks that look like a
 * daemon config, a fragment of one, or a sink object) and in config/ (.json, .yaml, .yml files that
 * look like a daemon config) is read and validated exactly as the daemon would read it.
 */
class DocsExamplesLoadTest {

    private static final Pattern BLOCK = Pattern.compile("```(json|yaml|yml)\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)");
    private static final Set<String> DAEMON_SECTIONS = Set.of("metashrew", "transform", "sink", "sinks", "admin");
    /** Top-level keys of documents that are not daemon configs (scenario files, devnet, dashboards, rules). */
    private static final Set<String> OTHER_DOCUMENTS = Set.of("devnet", "steps", "panels", "groups", "header",
            "before", "version_line");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static Path repo() {
        Path p = Path.of("..");
        return Files.isDirectory(p.resolve("docs")) ? p : Path.of(".");
    }

    @Test
    void everyExampleInDocsAndConfigLoads() throws Exception {
        List<String> checked = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        try (Stream<Path> docs = Files.list(repo().resolve("docs"))) {
            for (Path md : docs.filter(p -> p.toString().endsWith(".md")).sorted().toList()) {
                String text = Files.readString(md);
                Matcher m = BLOCK.matcher(text);
                while (m.find()) {
                    String where = md.getFileName() + ":" + (text.substring(0, m.start()).split("\n", -1).length);
                    check(where, m.group(1).equals("json") ? "json" : "yaml", m.group(2), checked, failures);
                }
            }
        }
        try (Stream<Path> config = Files.list(repo().resolve("config"))) {
            for (Path f : config.sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".json") || name.endsWith(".yaml") || name.endsWith(".yml")) {
                    check("config/" + name, ConfigLoader.isYaml(f) ? "yaml" : "json", Files.readString(f), checked,
                            failures);
                }
            }
        }
        assertThat(failures).as("examples that do not load").isEmpty();
        assertThat(checked).as("examples found: " + checked).anyMatch(s -> s.startsWith("configuration.md"))
                .anyMatch(s -> s.startsWith("sinks.md")).anyMatch(s -> s.startsWith("config/debshrew.example.json"))
                .anyMatch(s -> s.startsWith("config/debshrew.example.yaml"))
                .anyMatch(s -> s.startsWith("config/debshrew.multi.example.yaml"))
                .anyMatch(s -> s.startsWith("operations.md"));
        assertThat(checked.stream().filter(s -> s.startsWith("sinks.md")).count()).isGreaterThanOrEqualTo(5);
    }

    private static void check(String where, String syntax, String text, List<String> checked, List<String> failures) {
        JsonNode node = parse(syntax, text);
        if (!(node instanceof ObjectNode root) || Stream.of(OTHER_DOCUMENTS.toArray(String[]::new)).anyMatch(root::has)) {
            return; // not a configuration (an output sample, a scenario file, a dashboard)
        }
        try {
            if (root.has("type") && SinkFactory.typeNames().contains(root.get("type").asText())) {
                Map<String, Object> options = new HashMap<>(CdcCodec.mapper().convertValue(root, Map.class));
                options.remove("type");
                SinkFactory.type(root.get("type").asText()).validate(options);
            } else if (looksLikeDaemonConfig(root)) {
                if (!root.path("transform").has("path")) { // a fragment: the one required key
                    root.withObject("/transform").put("path", "transform.wasm");
                }
                ConfigLoader.substitute(root, placeholders(text), where);
                secretFilesAsValues(root);
                if (PipelinesConfig.declared(root)) {
                    PipelinesConfig.read(root, where); // several pipelines: each validated
                } else {
                    DebshrewConfig.fromJson(root, where);
                }
            } else {
                return;
            }
            checked.add(where);
        } catch (ConfigException | RuntimeException e) {
            failures.add(where + ": " + e.getMessage());
        }
    }

    /** Examples name secret files that exist only on a server: {@code x_file} is read as {@code x}. */
    private static void secretFilesAsValues(JsonNode node) {
        if (node instanceof ObjectNode o) {
            for (String k : List.copyOf(iterable(o))) {
                if (k.endsWith("_file") && dev.debshrew.util.Secrets.isSecretKey(k.substring(0, k.length() - 5))) {
                    o.remove(k);
                    o.put(k.substring(0, k.length() - 5), "placeholder-secret");
                } else {
                    secretFilesAsValues(o.get(k));
                }
            }
        } else if (node != null && node.isArray()) {
            node.forEach(DocsExamplesLoadTest::secretFilesAsValues);
        }
    }

    private static List<String> iterable(ObjectNode o) {
        List<String> keys = new ArrayList<>();
        o.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    private static boolean looksLikeDaemonConfig(ObjectNode root) {
        for (var it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (DAEMON_SECTIONS.contains(k) || k.equals(PipelinesConfig.KEY) || DebshrewConfig.OPTIONS.stream().anyMatch(o -> o.name().equals(k))) {
                return true;
            }
        }
        return false;
    }

    /** A JSON block may be a fragment of the config ({@code "admin": {...}}): read it inside braces. */
    private static JsonNode parse(String syntax, String text) {
        try {
            if (syntax.equals("yaml")) {
                return YAML.readTree(text);
            }
            return CdcCodec.mapper().readTree(text.strip().startsWith("\"") ? "{" + text + "}" : text);
        } catch (Exception notAConfig) {
            return null; // e.g. several JSON lines of output
        }
    }

    /** A value for every {@code ${VAR}} an example uses (a URL for *_URL variables). */
    private static Map<String, String> placeholders(String text) {
        Map<String, String> env = new HashMap<>();
        Matcher m = VAR.matcher(text);
        while (m.find()) {
            env.put(m.group(1), m.group(1).endsWith("URL") ? "http://127.0.0.1:8080" : "placeholder");
        }
        return env;
    }

    @Test
    void anExampleThatDoesNotLoadIsReported() {
        List<String> checked = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        check("x.md:1", "yaml", "sink:\n  type: kafka\n  batch_size: -3\ntransform:\n  path: t.wasm\n", checked, failures);
        check("x.md:9", "json", "{\"type\": \"file\", \"rotate_bytez\": 1}", checked, failures);
        if (failures.size() != 2) {
            fail("expected both broken examples reported, got " + failures);
        }
        assertThat(failures.get(0)).contains("sink.");
        assertThat(failures.get(1)).contains("rotate_bytez");
    }
}
