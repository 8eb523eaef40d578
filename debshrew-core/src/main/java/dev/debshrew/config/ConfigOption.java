package dev.debshrew.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One configuration option, declared once with its JSON path (dotted, e.g. {@code metashrew.url}),
 * type, default, validation rule and documentation. {@link DebshrewConfig#OPTIONS} lists them all;
 * {@code docs/configuration.md} is generated from that list ({@code debshrew config-doc}).
 *
 * @param <T> value type
 */
public final class ConfigOption<T> {

    private final String name;
    private final String type;
    private final T defaultValue;
    private final String doc;
    private final Function<JsonNode, T> parser;
    private final Predicate<T> valid;
    private final String rule;

    private ConfigOption(String name, String type, T defaultValue, String doc, Function<JsonNode, T> parser,
            Predicate<T> valid, String rule) {
        this.name = name;
        this.type = type;
        this.defaultValue = defaultValue;
        this.doc = doc;
        this.parser = parser;
        this.valid = valid;
        this.rule = rule;
    }

    public static ConfigOption<String> string(String name, String dflt, String doc) {
        return new ConfigOption<>(name, "string", dflt, doc, n -> n.isTextual() ? n.textValue() : null, v -> true, null);
    }

    public static ConfigOption<Long> integer(String name, Long dflt, long min, long max, String doc) {
        return new ConfigOption<>(name, "integer", dflt, doc,
                // (Long) casts: with a primitive in both branches the null below would be unboxed (NPE)
                n -> n.isIntegralNumber() && n.canConvertToLong() ? (Long) n.longValue()
                        : n.isTextual() && n.textValue().matches("-?\\d{1,18}") ? (Long) Long.parseLong(n.textValue()) : null,
                v -> v >= min && v <= max, min + ".." + max);
    }

    public static ConfigOption<Boolean> bool(String name, Boolean dflt, String doc) {
        return new ConfigOption<>(name, "boolean", dflt, doc, n -> n.isBoolean() ? n.booleanValue() : null, v -> true,
                null);
    }

    /** A string restricted to {@code choices}. */
    public static ConfigOption<String> choice(String name, String dflt, String doc, String... choices) {
        java.util.List<String> list = java.util.List.of(choices);
        return new ConfigOption<>(name, "one of " + String.join(" | ", choices), dflt, doc,
                n -> n.isTextual() ? n.textValue() : null, list::contains, String.join(", ", choices));
    }

    public String name() {
        return name;
    }

    public String type() {
        return type;
    }

    public T defaultValue() {
        return defaultValue;
    }

    public String doc() {
        return doc;
    }

    /** Reads the option from a parsed JSON config, falling back to the default. */
    public T read(JsonNode root, String source) throws ConfigException {
        JsonNode n = root;
        for (String part : name.split("\\.")) {
            n = n == null ? null : n.get(part);
        }
        if (n == null || n.isNull()) {
            return defaultValue;
        }
        T v = parser.apply(n);
        if (v == null) {
            throw new ConfigException(source + ": option '" + name + "' must be a " + type + ", got " + n);
        }
        return check(v, source);
    }

    /** Validates a value given some other way (command-line flag), naming {@code source}. */
    public T check(T value, String source) throws ConfigException {
        Objects.requireNonNull(value);
        if (!valid.test(value)) {
            throw new ConfigException(source + ": option '" + name + "' must be " + (rule == null ? type : rule)
                    + ", got " + value);
        }
        return value;
    }
}
