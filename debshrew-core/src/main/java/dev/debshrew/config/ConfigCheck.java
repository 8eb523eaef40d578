package dev.debshrew.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every problem of a configuration, not just the first: unknown keys, each option's type and
 * validation, each sink's options, the transform module's file, then the cross-option rules
 * ({@code bin/debshrew check-config}). Each problem names its key path.
 */
public final class ConfigCheck {

    /**
     * The outcome: the config when valid, else null, and every problem found.
     *
     * @param config   the validated config, or null
     * @param problems one line per problem (empty when valid)
     */
    public record Result(DebshrewConfig config, List<String> problems) {
        /** Whether there is no problem. */
        public boolean valid() {
            return problems.isEmpty();
        }
    }

    private ConfigCheck() {
    }

    /** Reads {@code file} with {@code env} ({@link ConfigLoader}) and checks everything. */
    public static Result check(Path file, Map<String, String> env) {
        ObjectNode root;
        try {
            root = ConfigLoader.read(file, env);
        } catch (ConfigException e) {
            return new Result(null, List.of(e.getMessage()));
        }
        return check(root, file.toString());
    }

    /**
     * Checks a config tree; {@code source} names it in the problems. With {@code pipelines}, each
     * entry merged over the top level is checked like a whole config (its problems prefixed with
     * {@code pipelines[i] (name "x")}), then the rules between pipelines ({@link PipelinesConfig});
     * the result's config is then the first pipeline's.
     */
    public static Result check(ObjectNode root, String source) {
        if (PipelinesConfig.declared(root)) {
            return checkPipelines(root, source);
        }
        List<String> problems = new ArrayList<>();
        ConfigRedaction.registerSecrets(root);
        Map<String, Object> flat = DebshrewConfig.flatten(root);
        try {
            ConfigOptions.checkKnown(flat, DebshrewConfig.OPTIONS, List.of(), source);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        for (ConfigOption<?> o : DebshrewConfig.OPTIONS) {
            if (o == DebshrewConfig.SINK_TYPE) {
                continue; // checked with each sink below
            }
            try {
                o.get(flat, source);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        JsonNode many = root.get("sinks");
        if (many != null && many.isArray()) {
            for (int i = 0; i < many.size(); i++) {
                sink(many.get(i), source, "sinks[" + i + "].", problems);
            }
        } else if (many == null || many.isNull()) {
            sink(root.get("sink"), source, "sink.", problems);
        }
        String transform = root.path("transform").path("path").asText("");
        if (!transform.isBlank() && !Files.isReadable(Path.of(transform))) {
            problems.add(source + ": option 'transform.path': " + transform
                    + (Files.exists(Path.of(transform)) ? " cannot be read" : " does not exist"));
        }
        DebshrewConfig config = null;
        try {
            config = DebshrewConfig.fromJson(root, source);
        } catch (ConfigException e) {
            if (!problems.contains(e.getMessage())) {
                problems.add(e.getMessage());
            }
        }
        return new Result(problems.isEmpty() ? config : null, List.copyOf(problems));
    }

    private static Result checkPipelines(ObjectNode root, String source) {
        List<String> problems = new ArrayList<>();
        JsonNode list = root.get(PipelinesConfig.KEY);
        for (int i = 0; list != null && list.isArray() && i < list.size(); i++) {
            ObjectNode merged = PipelinesConfig.mergedOrNull(root, list.get(i));
            if (merged != null) {
                String where = source + ": " + PipelinesConfig.KEY + "[" + i + "] (name \"" + list.get(i).get("name").asText()
                        + "\")";
                problems.addAll(check(merged, where).problems());
            }
        }
        List<PipelinesConfig.Pipeline> pipelines = null;
        try {
            pipelines = PipelinesConfig.read(root, source);
        } catch (ConfigException e) {
            if (problems.stream().noneMatch(p -> e.getMessage().contains(p) || p.contains(e.getMessage()))) {
                problems.add(e.getMessage());
            }
        }
        return new Result(problems.isEmpty() && pipelines != null ? pipelines.get(0).config() : null,
                List.copyOf(problems));
    }

    private static void sink(JsonNode sink, String source, String path, List<String> problems) {
        if (sink == null || !sink.isObject()) {
            return; // the shape is reported by the whole-config check
        }
        try {
            DebshrewConfig.sinkSpec(sink, source, path);
        } catch (ConfigException e) {
            problems.add(e.getMessage());
        }
    }
}
