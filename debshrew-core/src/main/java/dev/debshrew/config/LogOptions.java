package dev.debshrew.config;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The logging and progress options of {@link DebshrewConfig} (declared here to keep that class
 * small; listed in {@link DebshrewConfig#OPTIONS}), and their values read from a config.
 *
 * @param format          {@code text} or {@code json}
 * @param levels          level per logger name (prefix), lowercase ({@code log_levels})
 * @param rateLimit       most lines per minute of one third-party logger; 0: unlimited
 * @param progressInterval time between two progress lines during a catch-up
 * @param behindBlocks    lag, in blocks, past which a caught-up follower is logged as behind again
 * @param pipeline        name of the pipeline in the logs, or null for the transform's name
 */
public record LogOptions(String format, Map<String, String> levels, int rateLimit, Duration progressInterval,
        long behindBlocks, String pipeline) {

    /** Levels accepted by {@code log_levels}. */
    public static final List<String> LEVELS = List.of("off", "error", "warn", "info", "debug", "trace");

    public static final ConfigOption<String> LOG_FORMAT = ConfigOption.choice("log_format", "text",
            "Log line format on stderr: 'text' (ISO-8601 timestamp with date and zone, level, thread, logger,"
                    + " message) or 'json' (one JSON object per line: timestamp, level, logger, thread, message,"
                    + " exception, and the fields pipeline and height). Secrets are scrubbed in both.",
            "text", "json");
    public static final ConfigOption<Map<String, Object>> LOG_LEVELS = ConfigOption.object("log_levels")
            .defaultText("{}")
            .doc("Level of individual loggers by name (prefix), e.g. {\"org.apache.kafka\": \"info\","
                    + " \"dev.debshrew.follow\": \"debug\"}; one of " + String.join(", ", LEVELS) + ". Third-party"
                    + " loggers (Kafka, pgjdbc, Hikari, OkHttp...) are at warn unless set here.")
            .build();
    public static final ConfigOption<Long> LOG_RATE_LIMIT = ConfigOption.integer("log_rate_limit", 10L, 0, 1_000_000,
            "Most lines per minute that one third-party logger (any logger outside dev.debshrew) may write; the"
                    + " rest of the minute is dropped, with one line saying so and one counting them. 0: no limit.");
    public static final ConfigOption<Long> PROGRESS_INTERVAL_S = ConfigOption.integer("progress_interval_s", 10L, 1,
            86_400, "Seconds between two progress lines (height, node tip, lag, blocks/s, messages/s, ETA) while"
                    + " catching up.");
    public static final ConfigOption<Long> PROGRESS_BEHIND_BLOCKS = ConfigOption.integer("progress_behind_blocks", 3L,
            1, 1_000_000, "After the \"caught up\" line, how many blocks the node's tip must be ahead before a \"fell"
                    + " behind\" line (and progress lines again); smaller lags come and go with every new block.");
    public static final ConfigOption<String> PIPELINE = ConfigOption.string("pipeline").defaultText("transform's name")
            .doc("Name of this pipeline in the logs (the 'pipeline' field of JSON lines).").build();

    /** The options above, in documentation order. */
    public static final List<ConfigOption<?>> OPTIONS = List.of(LOG_FORMAT, LOG_LEVELS, LOG_RATE_LIMIT,
            PROGRESS_INTERVAL_S, PROGRESS_BEHIND_BLOCKS, PIPELINE);

    /** The defaults (no config). */
    public static LogOptions defaults() {
        try {
            return read(Map.of(), "defaults");
        } catch (ConfigException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads the options from a flat config map (keys as option names); {@code source} names it in errors. */
    public static LogOptions read(Map<String, Object> flat, String source) throws ConfigException {
        try {
            Map<String, String> levels = new LinkedHashMap<>();
            Map<String, Object> raw = LOG_LEVELS.get(flat, source);
            if (raw != null) {
                for (Map.Entry<String, Object> e : raw.entrySet()) {
                    String level = e.getValue() instanceof String s ? s.toLowerCase(Locale.ROOT) : null;
                    if (e.getKey().isBlank() || !LEVELS.contains(level)) {
                        throw new ConfigException(source + ": option 'log_levels." + e.getKey() + "': expected one of "
                                + String.join(", ", LEVELS) + ", got " + ConfigOption.describe(e.getValue()));
                    }
                    levels.put(e.getKey(), level);
                }
            }
            String pipeline = PIPELINE.get(flat, source);
            if (pipeline != null && pipeline.isBlank()) {
                throw new ConfigException(source + ": option 'pipeline' must not be blank");
            }
            return new LogOptions(LOG_FORMAT.get(flat, source), Collections.unmodifiableMap(levels),
                    LOG_RATE_LIMIT.get(flat, source).intValue(),
                    Duration.ofSeconds(PROGRESS_INTERVAL_S.get(flat, source)),
                    PROGRESS_BEHIND_BLOCKS.get(flat, source), pipeline);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }
}
