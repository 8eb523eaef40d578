package dev.debshrew.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.cdc.CdcCodec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Several pipelines in one daemon (docs/configuration.md, "Several pipelines"): a config with
 * {@code "pipelines": [ {...}, {...} ]}. Each entry is merged over the top-level object (minus
 * {@code pipelines}) and validated as a full {@link DebshrewConfig}, so every option is declared
 * once and an error names the pipeline: {@code pipelines[1] (name "brc20"): ...}.
 *
 * <p>Refused: an entry without a {@code name} matching {@code [A-Za-z0-9_.-]+}, duplicate names,
 * daemon-wide keys inside an entry ({@link #DAEMON_WIDE}), two pipelines with the same data
 * directory, and two pipelines with the same sink identity ({@link SinkIdentity}). An entry's
 * {@code data_dir} defaults to {@code <data_dir>/<name>}; its log field {@code pipeline} is its name.
 */
public final class PipelinesConfig {

    /** The top-level key holding the list. */
    public static final String KEY = "pipelines";

    /**
     * Keys that describe the daemon as a whole (one node client, one admin server, one log, one
     * standby policy): top level only.
     */
    public static final List<String> DAEMON_WIDE = List.of("metashrew", "admin", "standby", "log_level",
            "log_format", "log_levels", "log_rate_limit", "pipeline");

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");

    /** One pipeline: its name and its full configuration (top level merged with its entry). */
    public record Pipeline(String name, DebshrewConfig config) {
    }

    private PipelinesConfig() {
    }

    /** Whether {@code root} lists pipelines (else it is a single-pipeline config, read as always). */
    public static boolean declared(JsonNode root) {
        return root != null && root.has(KEY);
    }

    /** Reads and validates every pipeline of {@code root}; {@code source} names the config in errors. */
    public static List<Pipeline> read(JsonNode root, String source) throws ConfigException {
        JsonNode list = root.get(KEY);
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new ConfigException(source + ": option '" + KEY + "' must be a non-empty array of pipeline objects"
                    + " (each with a 'name')");
        }
        if (root.has("pipeline")) {
            throw new ConfigException(source + ": option 'pipeline' (the log field) is not used with '" + KEY
                    + "': each pipeline's log field is its name");
        }
        String topDataDir = root.hasNonNull("data_dir") ? root.get("data_dir").asText()
                : DebshrewConfig.DATA_DIR.defaultValue();
        List<Pipeline> out = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        Map<Path, String> dataDirs = new HashMap<>();
        Map<String, String> sinkOwners = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode entry = list.get(i);
            String where = source + ": " + KEY + "[" + i + "]";
            if (!entry.isObject()) {
                throw new ConfigException(where + " must be an object with a 'name' and the pipeline's options");
            }
            JsonNode nameNode = entry.get("name");
            if (nameNode == null || !nameNode.isTextual() || !NAME.matcher(nameNode.textValue()).matches()) {
                throw new ConfigException(where + ": option 'name' is required: letters, digits, '_', '.' or '-'"
                        + (nameNode == null ? "" : ", got " + nameNode));
            }
            String name = nameNode.textValue();
            where = where + " (name \"" + name + "\")";
            Integer earlier = names.putIfAbsent(name, i);
            if (earlier != null) {
                throw new ConfigException(where + ": the name is already used by " + KEY + "[" + earlier + "]");
            }
            for (String key : DAEMON_WIDE) {
                if (entry.has(key)) {
                    throw new ConfigException(where + ": option '" + key + "' is daemon-wide: give it at the top level"
                            + " of the config, not inside a pipeline");
                }
            }
            ObjectNode merged = merge(root, (ObjectNode) entry, topDataDir, name);
            DebshrewConfig config;
            try {
                config = DebshrewConfig.fromJson(merged, where);
            } catch (ConfigException e) {
                throw new ConfigException(e.getMessage(), e);
            }
            Path dir = config.dataDir().toAbsolutePath().normalize();
            String owner = dataDirs.putIfAbsent(dir, KEY + "[" + i + "] (name \"" + name + "\")");
            if (owner != null) {
                throw new ConfigException(where + ": option 'data_dir': " + dir + " is also the data directory of "
                        + owner + "; each pipeline needs its own");
            }
            List<DebshrewConfig.SinkSpec> sinks = config.sinks();
            for (int s = 0; s < sinks.size(); s++) {
                String id = SinkIdentity.of(sinks.get(s));
                if (id == null) {
                    continue;
                }
                String sinkWhere = KEY + "[" + i + "] (name \"" + name + "\") " + sinkKey(entry, root, s);
                String other = sinkOwners.putIfAbsent(id, sinkWhere);
                if (other != null) {
                    throw new ConfigException(where + ": option '" + sinkKey(entry, root, s) + "' writes to the same "
                            + SinkIdentity.describe(sinks.get(s)) + " as " + other + "; two pipelines cannot share"
                            + " one output");
                }
            }
            out.add(new Pipeline(name, config));
        }
        return List.copyOf(out);
    }

    /**
     * The tree pipeline entry {@code entry} of {@code root} is validated as, or null when the entry
     * itself is malformed (not an object, no valid name, a daemon-wide key: {@link #read} says why).
     */
    static ObjectNode mergedOrNull(JsonNode root, JsonNode entry) {
        if (!(entry instanceof ObjectNode e) || !e.path("name").isTextual()
                || !NAME.matcher(e.get("name").textValue()).matches() || DAEMON_WIDE.stream().anyMatch(e::has)) {
            return null;
        }
        return merge(root, e, root.hasNonNull("data_dir") ? root.get("data_dir").asText()
                : DebshrewConfig.DATA_DIR.defaultValue(), e.get("name").textValue());
    }

    /** The top level (minus {@code pipelines}) with {@code entry}'s keys over it; sections merged key by key. */
    static ObjectNode merge(JsonNode root, ObjectNode entry, String topDataDir, String name) {
        ObjectNode merged = ((ObjectNode) root).deepCopy();
        merged.remove(KEY);
        if (entry.has("sink") || entry.has("sinks")) { // an entry's sinks replace the top level's
            merged.remove("sink");
            merged.remove("sinks");
        }
        entry.fields().forEachRemaining(e -> {
            if (e.getKey().equals("name")) {
                return;
            }
            JsonNode base = merged.get(e.getKey());
            if (base instanceof ObjectNode b && e.getValue() instanceof ObjectNode v
                    && !e.getKey().equals("sink")) {
                ObjectNode m = b.deepCopy();
                m.setAll(v.deepCopy());
                merged.set(e.getKey(), m);
            } else {
                merged.set(e.getKey(), e.getValue().deepCopy());
            }
        });
        if (!entry.has("data_dir")) {
            merged.put("data_dir", Path.of(topDataDir).resolve(name).toString());
        }
        merged.set("pipeline", CdcCodec.mapper().getNodeFactory().textNode(name));
        return merged;
    }

    /** {@code sink} or {@code sinks[s]}, as written in the entry or inherited from the top level. */
    private static String sinkKey(JsonNode entry, JsonNode root, int s) {
        JsonNode holder = entry.has("sink") || entry.has("sinks") ? entry : root;
        return holder.hasNonNull("sinks") ? "sinks[" + s + "]" : "sink";
    }
}
