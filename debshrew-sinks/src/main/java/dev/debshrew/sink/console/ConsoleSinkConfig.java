package dev.debshrew.sink.console;

import dev.debshrew.config.ConfigOption;
import dev.debshrew.config.ConfigOptions;
import dev.debshrew.sink.format.OutputFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Options of the {@link ConsoleSink}, declared once below; {@link #from(Map)} reads them from the
 * sink's JSON config section and rejects unknown keys.
 *
 * @param pretty pretty-print each message (several lines) instead of one compact line
 * @param format how each message is written ({@link OutputFormat#NATIVE} by default)
 */
public record ConsoleSinkConfig(boolean pretty, OutputFormat format) {

    static final String OWNER = "console sink";

    public static final ConfigOption<Boolean> PRETTY = ConfigOption.bool("pretty")
            .alias("pretty_print")
            .defaultValue(false)
            .doc("Pretty-print each message over several lines (indented JSON) instead of one compact line.")
            .build();

    public static final ConfigOption<OutputFormat.Kind> FORMAT =
            ConfigOption.enumeration("format", OutputFormat.Kind.class)
                    .defaultValue(OutputFormat.Kind.NATIVE)
                    .doc("Message format: `native` (debshrew JSON) or `debezium` (Debezium change-event envelope; "
                            + "`source.index` = position within the block).")
                    .build();

    public static final ConfigOption<Boolean> DEBEZIUM_SCHEMAS = ConfigOption.bool("debezium_schemas")
            .defaultValue(false)
            .doc("With `format: debezium`, wrap each message as `{\"schema\":..,\"payload\":..}` (Kafka Connect "
                    + "JsonConverter shape, row schemas inferred per message).")
            .build();

    /** Every declared option, in documentation order. */
    public static final List<ConfigOption<?>> OPTIONS = List.of(PRETTY, FORMAT, DEBEZIUM_SCHEMAS);

    public ConsoleSinkConfig {
        Objects.requireNonNull(format, "format");
    }

    /**
     * Reads and validates the sink's JSON config section.
     *
     * @throws IllegalArgumentException naming the offending option
     */
    public static ConsoleSinkConfig from(Map<String, ?> c) {
        ConfigOptions.checkKnown(c, OPTIONS, List.of(), OWNER);
        OutputFormat.Kind kind = FORMAT.get(c, OWNER);
        boolean schemas = DEBEZIUM_SCHEMAS.get(c, OWNER);
        if (schemas && kind != OutputFormat.Kind.DEBEZIUM) {
            throw new IllegalArgumentException(OWNER + ": option 'debezium_schemas' requires 'format': 'debezium'");
        }
        return new ConsoleSinkConfig(PRETTY.get(c, OWNER), OutputFormat.of(kind, schemas));
    }
}
