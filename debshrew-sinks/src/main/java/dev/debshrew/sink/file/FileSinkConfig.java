package dev.debshrew.sink.file;

import dev.debshrew.config.ConfigOption;
import dev.debshrew.config.ConfigOptions;
import dev.debshrew.sink.CompatOptions;
import dev.debshrew.sink.format.OutputFormat;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Options of the {@link FileSink}, each declared once below (name, type, default, validation,
 * doc); {@link #from(Map)} reads them from the sink's JSON config section and rejects unknown keys.
 *
 * @param path        data file (one message per line); the cursor lives next to it in {@code <path>.cursor}
 * @param append      what a fresh start (no cursor file) does with an existing file: {@code true}
 *                    (default) refuses it, {@code false} replaces it; a start with a cursor resumes
 * @param fsync       {@code true} (default): fsync data and cursor at each block commit; {@code false}
 *                    only for throwaway output (a crash may then lose committed blocks)
 * @param format      how each message is written ({@link OutputFormat#NATIVE} by default)
 * @param rotateBytes rotate the data file once a commit leaves it at least this long; 0 = never
 */
public record FileSinkConfig(Path path, boolean append, boolean fsync, OutputFormat format, long rotateBytes) {

    static final String OWNER = "file sink";

    public static final ConfigOption<String> PATH = ConfigOption.string("path")
            .required()
            .validate(s -> !s.isBlank(), "must not be empty")
            .doc("Data file, one message per line (JSON lines). The cursor is kept next to it in `<path>.cursor`; "
                    + "missing parent directories are created.")
            .build();

    public static final ConfigOption<Boolean> APPEND = ConfigOption.bool("append")
            .defaultValue(true)
            .doc("What happens to an existing file when the pipeline starts fresh (no cursor file `<path>.cursor`, "
                    + "nothing committed yet): `true` refuses a non-empty file of unknown origin; `false` deletes it "
                    + "and its rotated files and starts an empty file. Either way, a restart with a cursor resumes "
                    + "the file after its committed cursor (uncommitted bytes of an interrupted block are cut off), so "
                    + "the output survives restarts. To start over, delete the cursor file and the data directory.")
            .build();

    public static final ConfigOption<Long> FLUSH_INTERVAL = CompatOptions.flushInterval(
            "each batch of blocks is committed (written, fsynced once, cursor updated)");

    public static final ConfigOption<Boolean> FSYNC = ConfigOption.bool("fsync")
            .defaultValue(true)
            .doc("fsync the data and the cursor at every block commit (crash-safe). `false` is faster but a crash of "
                    + "the machine may lose committed blocks (a crash of the daemon alone loses nothing).")
            .build();

    public static final ConfigOption<OutputFormat.Kind> FORMAT =
            ConfigOption.enumeration("format", OutputFormat.Kind.class)
                    .defaultValue(OutputFormat.Kind.NATIVE)
                    .doc("Line format: `native` (debshrew JSON, byte-compatible with the original) or `debezium` "
                            + "(Debezium change-event envelope; `source.index` = position within the block).")
                    .build();

    public static final ConfigOption<Boolean> DEBEZIUM_SCHEMAS = ConfigOption.bool("debezium_schemas")
            .defaultValue(false)
            .doc("With `format: debezium`, wrap each line as `{\"schema\":..,\"payload\":..}` (Kafka Connect "
                    + "JsonConverter shape, row schemas inferred per message).")
            .build();

    public static final ConfigOption<Long> ROTATE_BYTES = ConfigOption.longInt("rotate_bytes")
            .defaultValue(0L)
            .validate(v -> v >= 0, "must be 0 (never rotate) or a positive size")
            .doc("Size rotation: when a commit leaves the data file at this many bytes or more, the file is "
                    + "closed and renamed `<path>.<n>` (n = 1, 2, …, in order) and a new empty `<path>` is started. "
                    + "Blocks (and committed batches of blocks) are never split across files. Crash-safe: the cursor "
                    + "names the file it refers to.")
            .build();

    /** Every declared option, in documentation order. */
    public static final List<ConfigOption<?>> OPTIONS = List.of(PATH, APPEND, FSYNC, FORMAT, DEBEZIUM_SCHEMAS,
            ROTATE_BYTES, FLUSH_INTERVAL);

    public FileSinkConfig {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(format, "format");
        if (rotateBytes < 0) {
            throw new IllegalArgumentException(OWNER + ": rotate_bytes must be >= 0, got " + rotateBytes);
        }
    }

    /** Native format, no rotation. */
    public FileSinkConfig(Path path, boolean append, boolean fsync) {
        this(path, append, fsync, OutputFormat.NATIVE, 0);
    }

    /**
     * Reads and validates the sink's JSON config section.
     *
     * @throws IllegalArgumentException naming the offending option
     */
    public static FileSinkConfig from(Map<String, ?> c) {
        ConfigOptions.checkKnown(c, OPTIONS, List.of(), OWNER);
        OutputFormat.Kind kind = FORMAT.get(c, OWNER);
        boolean schemas = DEBEZIUM_SCHEMAS.get(c, OWNER);
        FLUSH_INTERVAL.get(c, OWNER); // validated, then ignored
        if (schemas && kind != OutputFormat.Kind.DEBEZIUM) {
            throw new IllegalArgumentException(OWNER + ": option 'debezium_schemas' requires 'format': 'debezium'");
        }
        return new FileSinkConfig(Path.of(PATH.get(c, OWNER)), APPEND.get(c, OWNER), FSYNC.get(c, OWNER),
                OutputFormat.of(kind, schemas), ROTATE_BYTES.get(c, OWNER));
    }

    /** Same as {@link #from(Map)}. */
    public static FileSinkConfig fromMap(Map<String, ?> map) {
        return from(map);
    }
}
