package dev.debshrew.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.sink.SinkFactory;
import dev.debshrew.util.Secrets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code DEBSHREW_<PATH>} environment overrides. The variable of an option is {@code DEBSHREW_}
 * followed by its key path in upper case with every {@code .} replaced by {@code _}:
 * {@code metashrew.url} is {@code DEBSHREW_METASHREW_URL}, {@code cache_size} is
 * {@code DEBSHREW_CACHE_SIZE}, the option {@code password} of the {@code sink} object is
 * {@code DEBSHREW_SINK_PASSWORD}, that of {@code sinks[1]} is {@code DEBSHREW_SINKS_1_PASSWORD}. A
 * secret option also has a {@code _FILE} variable ({@code DEBSHREW_SINK_PASSWORD_FILE}). Only
 * declared options are mapped (names are matched against the declarations, so underscores inside
 * option names are no ambiguity); a value is parsed per the option's type, and an invalid one is an
 * error naming the variable.
 */
public final class EnvOverrides {

    /** Prefix of every override variable. */
    public static final String PREFIX = "DEBSHREW_";

    /** {@code DEBSHREW_} variables that are not configuration (read by bin/debshrew). */
    private static final List<String> NOT_CONFIG = List.of("DEBSHREW_JAR");

    private EnvOverrides() {
    }

    /** Where one variable goes: the object path, the key in it, and the option that parses it (null: text). */
    private record Target(List<String> objectPath, String key, ConfigOption<?> option) {
    }

    /** The variable name for a key path, e.g. {@code sinks[1].password} is {@code DEBSHREW_SINKS_1_PASSWORD}. */
    public static String variable(String keyPath) {
        return PREFIX + keyPath.replace("[", ".").replace("]", "").replace('.', '_').toUpperCase(Locale.ROOT);
    }

    /** Sets every option {@code env} overrides in {@code root}. */
    public static void apply(ObjectNode root, Map<String, String> env) throws ConfigException {
        Map<String, Target> targets = targets(root, env);
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            Target t = targets.get(e.getKey());
            if (t == null) {
                continue;
            }
            ObjectNode obj = root;
            for (String seg : t.objectPath()) {
                obj = seg.matches("\\d+") ? (ObjectNode) obj.get("sinks").get(Integer.parseInt(seg))
                        : obj.withObject("/" + seg);
            }
            obj.set(t.key(), value(e.getKey(), e.getValue(), t.option()));
        }
    }

    /** The {@code DEBSHREW_} variables of {@code env} that set no option (typos), without values. */
    public static List<String> unknown(JsonNode root, Map<String, String> env) throws ConfigException {
        Map<String, Target> targets = targets(root, env);
        List<String> out = new ArrayList<>();
        for (String k : new TreeMap<>(env).keySet()) {
            if (k.startsWith(PREFIX) && !targets.containsKey(k) && !NOT_CONFIG.contains(k)) {
                out.add(k);
            }
        }
        return out;
    }

    private static JsonNode value(String variable, String text, ConfigOption<?> option) throws ConfigException {
        if (option == null) {
            return CdcCodec.mapper().getNodeFactory().textNode(text);
        }
        if (option.secret() || Secrets.isSecretKey(option.name())) {
            Secrets.register(text);
        }
        Object raw = text;
        if (option.type().equals("object")) {
            try {
                raw = CdcCodec.mapper().readValue(text, Object.class);
            } catch (java.io.IOException e) {
                throw new ConfigException("environment variable " + variable + ": expected a JSON object");
            }
        }
        Object parsed;
        try {
            parsed = option.get(Map.of(option.name(), raw), "environment variable " + variable);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        return parsed instanceof Number || parsed instanceof Boolean || raw instanceof Map
                ? CdcCodec.mapper().valueToTree(parsed instanceof Number || parsed instanceof Boolean ? parsed : raw)
                : CdcCodec.mapper().getNodeFactory().textNode(text);
    }

    private static Map<String, Target> targets(JsonNode root, Map<String, String> env) {
        Map<String, Target> out = new LinkedHashMap<>();
        for (ConfigOption<?> o : DebshrewConfig.OPTIONS) {
            int dot = o.name().indexOf('.');
            List<String> objectPath = dot < 0 ? List.of() : List.of(o.name().substring(0, dot));
            add(out, o.name(), objectPath, o.name().substring(dot + 1), o);
        }
        JsonNode sinks = root.get("sinks");
        if (sinks instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                String prefix = "sinks." + i;
                String type = env.getOrDefault(variable(prefix + ".type"), array.get(i).path("type").asText(null));
                add(out, prefix + ".type", List.of(String.valueOf(i)), "type", null);
                addSink(out, prefix, List.of(String.valueOf(i)), type);
            }
        } else {
            String type = env.getOrDefault(variable("sink.type"), root.path("sink").path("type").asText("console"));
            addSink(out, "sink", List.of("sink"), type);
        }
        return out;
    }

    private static void addSink(Map<String, Target> out, String prefix, List<String> objectPath, String type) {
        SinkFactory.Type t;
        try {
            t = SinkFactory.type(type);
        } catch (IllegalArgumentException unknownType) {
            return; // reported by the config's validation
        }
        for (ConfigOption<?> o : t.options()) {
            add(out, prefix + "." + o.name(), objectPath, o.name(), o);
        }
    }

    private static void add(Map<String, Target> out, String keyPath, List<String> objectPath, String key,
            ConfigOption<?> option) {
        out.put(variable(keyPath), new Target(objectPath, key, option));
        if (option != null && (option.secret() || Secrets.isSecretKey(key))) {
            out.put(variable(keyPath) + "_FILE", new Target(objectPath, key + "_file", null));
        }
    }
}
