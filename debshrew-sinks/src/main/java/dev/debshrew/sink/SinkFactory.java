package dev.debshrew.sink;

import dev.debshrew.sink.console.ConsoleSink;
import dev.debshrew.sink.console.ConsoleSinkConfig;
import dev.debshrew.sink.file.FileSink;
import dev.debshrew.sink.file.FileSinkConfig;
import dev.debshrew.sink.kafka.KafkaSink;
import dev.debshrew.sink.postgres.PostgresSink;
import java.util.List;
import java.util.Map;

/** Creates a sink from its type name and its JSON options (the keys of the config's {@code sink} object). */
public final class SinkFactory {

    /** The sink types this build knows. */
    public static final List<String> TYPES = List.of("console", "file", "kafka", "postgres");

    private SinkFactory() {
    }

    /**
     * @throws IllegalArgumentException for an unknown type or invalid options, naming them
     */
    public static Sink create(String type, Map<String, Object> options) {
        if (type == null) {
            throw new IllegalArgumentException("sink type is missing (one of " + TYPES + ")");
        }
        return switch (type) {
            case "console" -> new ConsoleSink(System.out, ConsoleSinkConfig.from(options));
            case "file" -> new FileSink(FileSinkConfig.from(options));
            case "kafka" -> KafkaSink.create(options);
            case "postgres", "postgresql" -> PostgresSink.create(options);
            default -> throw new IllegalArgumentException("unknown sink type '" + type + "' (one of " + TYPES + ")");
        };
    }
}
