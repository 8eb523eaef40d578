package dev.debshrew.sink;

import dev.debshrew.config.ConfigOption;
import dev.debshrew.sink.console.ConsoleSink;
import dev.debshrew.sink.console.ConsoleSinkConfig;
import dev.debshrew.sink.file.FileSink;
import dev.debshrew.sink.file.FileSinkConfig;
import dev.debshrew.sink.kafka.KafkaSink;
import dev.debshrew.sink.kafka.KafkaSinkConfig;
import dev.debshrew.sink.postgres.PostgresSink;
import dev.debshrew.sink.postgres.PostgresSinkConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Creates a sink from its type name and its JSON options (the keys of the config's {@code sink} object).
 * The one list of sink types ({@link Type}): their names, aliases, declared options and validation.
 */
public final class SinkFactory {

    /** A sink type this build knows: its names, its declared options, how to validate and create it. */
    public enum Type {
        CONSOLE("console", List.of(), ConsoleSinkConfig.OPTIONS, ConsoleSinkConfig::from,
                o -> new ConsoleSink(System.out, ConsoleSinkConfig.from(o))),
        FILE("file", List.of(), FileSinkConfig.OPTIONS, FileSinkConfig::from, o -> new FileSink(FileSinkConfig.from(o))),
        KAFKA("kafka", List.of(), KafkaSinkConfig.OPTIONS, KafkaSinkConfig::from, KafkaSink::create),
        POSTGRES("postgres", List.of("postgresql"), PostgresSinkConfig.OPTIONS, PostgresSinkConfig::from,
                PostgresSink::create);

        private final String typeName;
        private final List<String> aliases;
        private final List<ConfigOption<?>> options;
        private final Consumer<Map<String, Object>> validator;
        private final Function<Map<String, Object>, Sink> creator;

        Type(String typeName, List<String> aliases, List<ConfigOption<?>> options,
                Consumer<Map<String, Object>> validator, Function<Map<String, Object>, Sink> creator) {
            this.typeName = typeName;
            this.aliases = aliases;
            this.options = options;
            this.validator = validator;
            this.creator = creator;
        }

        /** The type's name in configs ({@code console}, {@code file}, {@code kafka}, {@code postgres}). */
        public String typeName() {
            return typeName;
        }

        /** Other accepted names (e.g. {@code postgresql}). */
        public List<String> aliases() {
            return aliases;
        }

        /** Every declared option of this sink type, in documentation order. */
        public List<ConfigOption<?>> options() {
            return options;
        }

        /**
         * Reads and validates the options without opening anything.
         *
         * @throws IllegalArgumentException naming the offending option
         */
        public void validate(Map<String, Object> sinkOptions) {
            validator.accept(sinkOptions);
        }
    }

    /** The sink type names this build knows (without aliases). */
    public static final List<String> TYPES = List.of(Type.values()).stream().map(Type::typeName).toList();

    private SinkFactory() {
    }

    /** Every accepted type name: the names, then the aliases. */
    public static List<String> typeNames() {
        List<String> out = new ArrayList<>(TYPES);
        for (Type t : Type.values()) {
            out.addAll(t.aliases());
        }
        return out;
    }

    /**
     * The type called {@code name} (or one of its aliases).
     *
     * @throws IllegalArgumentException for a missing or unknown type
     */
    public static Type type(String name) {
        if (name == null) {
            throw new IllegalArgumentException("sink type is missing (one of " + TYPES + ")");
        }
        for (Type t : Type.values()) {
            if (t.typeName().equals(name) || t.aliases().contains(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown sink type '" + name + "' (one of " + TYPES + ")");
    }

    /**
     * @throws IllegalArgumentException for an unknown type or invalid options, naming them
     */
    public static Sink create(String type, Map<String, Object> options) {
        return type(type).creator.apply(options);
    }
}
