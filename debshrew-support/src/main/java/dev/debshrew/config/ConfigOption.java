package dev.debshrew.config;

import dev.debshrew.util.Secrets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One declared configuration option (of the daemon or of a sink): name (plus accepted aliases), type, default,
 * validation and documentation, declared once and used both to read a JSON config map and to
 * document the sink.
 *
 * <p>Values come from a {@code Map<String, Object>} parsed from JSON (numbers, booleans, strings,
 * nested maps). Numbers and booleans may also be given as strings (environment overrides).
 * Reading a missing optional option yields its default; reading a missing required one, or a
 * value of the wrong type or failing validation, throws {@link IllegalArgumentException} whose
 * message names the option and the bad value.
 *
 * @param <T> the option's Java type
 */
public final class ConfigOption<T> {

    private final String name;
    private final List<String> aliases;
    private final String type;
    private final T defaultValue;
    private final String defaultText;
    private final boolean required;
    private final String doc;
    private final Function<Object, T> converter;
    private final Predicate<T> validator;
    private final String validationText;
    private final boolean secret;

    private ConfigOption(Builder<T> b) {
        this.name = b.name;
        this.aliases = List.copyOf(b.aliases);
        this.type = b.type;
        this.defaultValue = b.defaultValue;
        this.defaultText = b.defaultText != null ? b.defaultText
                : b.required ? "(required)" : b.defaultValue == null ? "(none)"
                : b.defaultValue instanceof Enum<?> e ? e.name().toLowerCase(Locale.ROOT)
                : b.defaultValue instanceof String s && s.isEmpty() ? "\"\""
                : String.valueOf(b.defaultValue);
        this.required = b.required;
        this.doc = Objects.requireNonNull(b.doc, "doc of option " + b.name);
        this.converter = b.converter;
        this.validator = b.validator;
        this.validationText = b.validationText;
        this.secret = b.secret;
    }

    // ------------------------------------------------------------------ factories

    /** A string option with a default ({@code null}: none). */
    public static ConfigOption<String> string(String name, String defaultValue, String doc) {
        return string(name).defaultValue(defaultValue).doc(doc).build();
    }

    /** An integer option within {@code min..max}, with a default ({@code null}: none). */
    public static ConfigOption<Long> integer(String name, Long defaultValue, long min, long max, String doc) {
        return longInt(name).defaultValue(defaultValue).doc(doc)
                .validate(v -> v >= min && v <= max, "must be " + min + ".." + max).build();
    }

    /** A boolean option with a default. */
    public static ConfigOption<Boolean> bool(String name, Boolean defaultValue, String doc) {
        return bool(name).defaultValue(defaultValue).doc(doc).build();
    }

    /** A string option restricted to {@code choices}. */
    public static ConfigOption<String> choice(String name, String defaultValue, String doc, String... choices) {
        List<String> allowed = List.of(choices);
        return new Builder<>(name, "one of " + String.join(" | ", choices), v -> {
            if (v instanceof String s) {
                return s;
            }
            throw new IllegalArgumentException("expected one of " + allowed + ", got " + describe(v));
        }).defaultValue(defaultValue).doc(doc).validate(allowed::contains, "must be one of " + String.join(", ", choices))
                .build();
    }

    /** A string option. */
    public static Builder<String> string(String name) {
        return new Builder<>(name, "string", v -> {
            if (v instanceof String s) {
                return s;
            }
            throw new IllegalArgumentException("expected a string, got " + describe(v));
        });
    }

    /** An integer option (32 bit). */
    public static Builder<Integer> integer(String name) {
        return new Builder<>(name, "integer", v -> {
            long l = toLong(v);
            if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("integer out of range: " + l);
            }
            return (int) l;
        });
    }

    /** A long integer option. */
    public static Builder<Long> longInt(String name) {
        return new Builder<>(name, "integer", ConfigOption::toLong);
    }

    /** A boolean option. */
    public static Builder<Boolean> bool(String name) {
        return new Builder<>(name, "boolean", v -> {
            if (v instanceof Boolean b) {
                return b;
            }
            if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
                return Boolean.parseBoolean(s);
            }
            throw new IllegalArgumentException("expected true or false, got " + describe(v));
        });
    }

    /** An enumerated option; the accepted values are the constants' names in lowercase. */
    public static <E extends Enum<E>> Builder<E> enumeration(String name, Class<E> type) {
        StringBuilder values = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            values.append(values.length() == 0 ? "" : " | ").append(e.name().toLowerCase(Locale.ROOT));
        }
        return new Builder<>(name, values.toString(), v -> {
            if (v instanceof String s) {
                for (E e : type.getEnumConstants()) {
                    if (e.name().equalsIgnoreCase(s)) {
                        return e;
                    }
                }
            }
            throw new IllegalArgumentException("expected one of " + values + ", got " + describe(v));
        });
    }

    /** A JSON object option (nested map), returned as an unmodifiable map. */
    public static Builder<Map<String, Object>> object(String name) {
        return new Builder<>(name, "object", v -> {
            if (v instanceof Map<?, ?> m) {
                Map<String, Object> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    out.put(String.valueOf(e.getKey()), e.getValue());
                }
                return Collections.unmodifiableMap(out);
            }
            throw new IllegalArgumentException("expected a JSON object, got " + describe(v));
        });
    }

    private static long toLong(Object v) {
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Number n) {
            double d = n.doubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 9.0e18) {
                return (long) d;
            }
        }
        if (v instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw new IllegalArgumentException("expected an integer, got " + describe(v));
    }

    static String describe(Object v) {
        if (v == null) {
            return "null";
        }
        String s = Secrets.scrub(v instanceof String ? "'" + v + "'" : String.valueOf(v));
        if (s.length() > 60) {
            s = s.substring(0, 57) + "...";
        }
        return v.getClass().getSimpleName().toLowerCase(Locale.ROOT) + " " + s;
    }

    /** The type of a secret value and {@link Secrets#MASK}, never the value. */
    private static String describeSecret(Object v) {
        return v.getClass().getSimpleName().toLowerCase(Locale.ROOT) + " " + Secrets.MASK;
    }

    // ------------------------------------------------------------------ reading

    /**
     * Reads this option from {@code config} (by name, then by alias).
     *
     * @param owner prefix for error messages, e.g. {@code "kafka sink"}
     * @throws IllegalArgumentException naming the option when it is missing (required), has the
     *                                  wrong type or fails validation
     */
    public T get(Map<String, ?> config, String owner) {
        String key = null;
        Object raw = null;
        for (String k : names()) {
            if (config.containsKey(k) && config.get(k) != null) {
                if (key != null) {
                    throw new IllegalArgumentException(owner + ": options '" + key + "' and '" + k
                            + "' are the same option; give only one");
                }
                key = k;
                raw = config.get(k);
            }
        }
        if (key == null) {
            if (required) {
                throw new IllegalArgumentException(owner + ": option '" + name + "' is required: " + doc);
            }
            return defaultValue;
        }
        T value;
        try {
            value = converter.apply(raw);
        } catch (IllegalArgumentException e) {
            if (secret) { // the converter's message quotes the value: name only its type
                throw new IllegalArgumentException(owner + ": option '" + key + "': expected " + type + ", got "
                        + describeSecret(raw));
            }
            throw new IllegalArgumentException(owner + ": option '" + key + "': " + e.getMessage(), e);
        }
        if (validator != null && !validator.test(value)) {
            throw new IllegalArgumentException(owner + ": option '" + key + "': " + validationText
                    + ", got " + (secret ? describeSecret(raw) : describe(raw)));
        }
        return value;
    }

    /** The option's name followed by its aliases. */
    public List<String> names() {
        List<String> out = new ArrayList<>(1 + aliases.size());
        out.add(name);
        out.addAll(aliases);
        return out;
    }

    public String name() {
        return name;
    }

    public List<String> aliases() {
        return aliases;
    }

    /** Human-readable type, e.g. {@code integer} or {@code key | table_key}. */
    public String type() {
        return type;
    }

    public T defaultValue() {
        return defaultValue;
    }

    /** Default as documented, e.g. {@code (required)} or {@code <topic>.cursor}. */
    public String defaultText() {
        return defaultText;
    }

    public boolean required() {
        return required;
    }

    public String doc() {
        return doc;
    }

    /** The validation rule in words, or null. */
    public String validationText() {
        return validationText;
    }

    /** Whether the value is a secret: error messages never quote it (see {@link Builder#secret()}). */
    public boolean secret() {
        return secret;
    }

    @Override
    public String toString() {
        return name;
    }

    // ------------------------------------------------------------------ builder

    /** Builds a {@link ConfigOption}. */
    public static final class Builder<T> {
        private final String name;
        private final String type;
        private final Function<Object, T> converter;
        private final List<String> aliases = new ArrayList<>();
        private T defaultValue;
        private String defaultText;
        private boolean required;
        private String doc;
        private Predicate<T> validator;
        private String validationText;
        private boolean secret;

        private Builder(String name, String type, Function<Object, T> converter) {
            this.name = name;
            this.type = type;
            this.converter = converter;
        }

        public Builder<T> alias(String alias) {
            aliases.add(alias);
            return this;
        }

        public Builder<T> defaultValue(T value) {
            this.defaultValue = value;
            return this;
        }

        /** How the default is shown in docs when it is derived, e.g. {@code <topic>.cursor}. */
        public Builder<T> defaultText(String text) {
            this.defaultText = text;
            return this;
        }

        public Builder<T> required() {
            this.required = true;
            return this;
        }

        /** Marks the value as a secret (a password): error messages name its type, never the value. */
        public Builder<T> secret() {
            this.secret = true;
            return this;
        }

        public Builder<T> doc(String doc) {
            this.doc = doc;
            return this;
        }

        /** Adds a validation rule; {@code description} reads like "must be at least 1". */
        public Builder<T> validate(Predicate<T> rule, String description) {
            this.validator = this.validator == null ? rule : this.validator.and(rule);
            this.validationText = this.validationText == null ? description : this.validationText + "; " + description;
            return this;
        }

        public ConfigOption<T> build() {
            return new ConfigOption<>(this);
        }
    }
}
