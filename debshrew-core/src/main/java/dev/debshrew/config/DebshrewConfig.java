package dev.debshrew.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.transform.TransformLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The daemon's configuration: the original debshrew's JSON keys plus debshrew-java's additions,
 * each declared once in {@link #OPTIONS}. Built from a JSON file ({@link #load}) and/or command-line
 * flags, validated at start-up with errors naming the option and its source.
 *
 * <pre>
 * {
 *   "metashrew": {"url": "http://127.0.0.1:8080", "timeout": 60},
 *   "transform": {"path": "transform.wasm"},
 *   "sink": {"type": "file", "path": "out.jsonl"},
 *   "cache_size": 6,
 *   "start_height": 840000,
 *   "log_level": "info"
 * }
 * </pre>
 */
public final class DebshrewConfig {

    public static final ConfigOption<String> METASHREW_URL = ConfigOption.string("metashrew.url",
            "http://127.0.0.1:8080", "URL of the metashrew JSON-RPC endpoint, used exactly as given (gateway paths kept).");
    public static final ConfigOption<Long> METASHREW_TIMEOUT = ConfigOption.integer("metashrew.timeout", 60L, 1,
            86_400, "Read timeout of one metashrew call, in seconds. Metadata calls can block during a node rollback:"
                    + " keep it generous.");
    public static final ConfigOption<String> TRANSFORM_PATH = ConfigOption.string("transform.path", null,
            "Path of the transform's .wasm module (required).");
    public static final ConfigOption<Long> TRANSFORM_MEMORY_PAGES = ConfigOption.integer("transform.max_memory_pages",
            1024L, 1, 32_767, "Cap on the transform's linear memory in 64 KiB pages (1024 = 64 MiB). A module declaring"
                    + " a larger initial memory keeps its declared size.");
    public static final ConfigOption<Long> TRANSFORM_BLOCK_TIMEOUT_MS = ConfigOption.integer(
            "transform.block_timeout_ms", 30_000L, 10, 3_600_000, "Wall-clock deadline for one block (instantiate,"
                    + " run, decode output), in milliseconds. Past it the block fails and the daemon stops.");
    public static final ConfigOption<Long> TRANSFORM_MAX_OUTPUT_BYTES = ConfigOption.integer(
            "transform.max_output_bytes", 64L * 1024 * 1024, 1024, Integer.MAX_VALUE - 8,
            "Largest output (JSON) of one block, in bytes. Larger output fails the block loudly (never dropped).");
    public static final ConfigOption<Long> TRANSFORM_MAX_VIEW_CALLS = ConfigOption.integer("transform.max_view_calls",
            10_000L, 0, Integer.MAX_VALUE, "Most metashrew view calls one block may make.");
    public static final ConfigOption<Long> TRANSFORM_MAX_LOG_BYTES = ConfigOption.integer("transform.max_log_bytes",
            1024L * 1024, 0, Integer.MAX_VALUE, "Guest stdout/stderr volume logged per block; the rest is dropped"
                    + " with one warning.");
    public static final ConfigOption<Boolean> TRANSFORM_INTERPRETER = ConfigOption.bool("transform.interpreter", false,
            "Run the module in Chicory's interpreter instead of compiling it to JVM bytecode (slower; for debugging).");
    public static final ConfigOption<String> TRANSFORM_COMPILE_CACHE = ConfigOption.string("transform.compile_cache_dir",
            null, "Directory caching compiled modules by SHA-256 so restarts skip compilation. Default:"
                    + " <data_dir>/compile-cache; \"\" disables it.");
    public static final ConfigOption<String> SINK_TYPE = ConfigOption.choice("sink.type", "console",
            "Sink to write to; its other options sit beside 'type' in the 'sink' object (docs/sinks.md).",
            "console", "file", "kafka", "postgres");
    public static final ConfigOption<Long> CACHE_SIZE = ConfigOption.integer("cache_size", 6L, 1, 100_000,
            "Reorg window: how many recent blocks are kept to undo a reorganisation. A deeper reorg stops the daemon.");
    public static final ConfigOption<Long> START_HEIGHT = ConfigOption.integer("start_height", null, 0,
            0xFFFF_FFFFL, "First block to process when the sink has no cursor yet (a fresh output). Ignored once a"
                    + " cursor exists: the daemon then resumes after the cursor. Absent: start at the node's current tip.");
    public static final ConfigOption<String> LOG_LEVEL = ConfigOption.choice("log_level", "info",
            "Log level of debshrew's own loggers (logs go to stderr).", "error", "warn", "info", "debug", "trace");
    public static final ConfigOption<Long> POLL_INTERVAL_MS = ConfigOption.integer("poll_interval_ms", 1000L, 10,
            600_000, "Wait between polls of the node once caught up, in milliseconds.");

    public static final ConfigOption<String> DATA_DIR = ConfigOption.string("data_dir", "data",
            "Directory of the durable state store and reorg journal (RocksDB). One per pipeline: it belongs to the"
                    + " sink output it was built with.");
    public static final ConfigOption<String> STATE_STORE = ConfigOption.choice("state_store", "rocksdb",
            "Where transform state and the reorg window live: 'rocksdb' (durable, crash-safe) or 'memory' (lost on"
                    + " restart; for demos and tests).", "rocksdb", "memory");

    /** Every option, in documentation order. */
    public static final List<ConfigOption<?>> OPTIONS = List.of(METASHREW_URL, METASHREW_TIMEOUT, TRANSFORM_PATH,
            TRANSFORM_MEMORY_PAGES, TRANSFORM_BLOCK_TIMEOUT_MS, TRANSFORM_MAX_OUTPUT_BYTES, TRANSFORM_MAX_VIEW_CALLS,
            TRANSFORM_MAX_LOG_BYTES, TRANSFORM_INTERPRETER, TRANSFORM_COMPILE_CACHE,
            SINK_TYPE, CACHE_SIZE, START_HEIGHT, DATA_DIR, STATE_STORE, LOG_LEVEL, POLL_INTERVAL_MS);

    private final String metashrewUrl;
    private final Duration metashrewTimeout;
    private final Path transformPath;
    private final String sinkType;
    private final Map<String, Object> sinkOptions;
    private final int cacheSize;
    private final Long startHeight;
    private final String logLevel;
    private final Duration pollInterval;
    private final Path dataDir;
    private final TransformLimits transformLimits;
    private final String stateStore;

    private DebshrewConfig(JsonNode root, String source) throws ConfigException {
        if (!root.isObject()) {
            throw new ConfigException(source + ": the configuration must be a JSON object");
        }
        metashrewUrl = METASHREW_URL.read(root, source);
        metashrewTimeout = Duration.ofSeconds(METASHREW_TIMEOUT.read(root, source));
        String path = TRANSFORM_PATH.read(root, source);
        if (path == null || path.isBlank()) {
            throw new ConfigException(source + ": option 'transform.path' is required (path of the transform .wasm)");
        }
        transformPath = Path.of(path);
        sinkType = SINK_TYPE.read(root, source);
        sinkOptions = sinkOptions(root.get("sink"));
        cacheSize = CACHE_SIZE.read(root, source).intValue();
        startHeight = START_HEIGHT.read(root, source);
        logLevel = LOG_LEVEL.read(root, source);
        pollInterval = Duration.ofMillis(POLL_INTERVAL_MS.read(root, source));
        dataDir = Path.of(DATA_DIR.read(root, source));
        stateStore = STATE_STORE.read(root, source);
        String cache = TRANSFORM_COMPILE_CACHE.read(root, source);
        transformLimits = TransformLimits.builder()
                .maxMemoryPages(TRANSFORM_MEMORY_PAGES.read(root, source).intValue())
                .blockTimeout(Duration.ofMillis(TRANSFORM_BLOCK_TIMEOUT_MS.read(root, source)))
                .maxOutputBytes(TRANSFORM_MAX_OUTPUT_BYTES.read(root, source).intValue())
                .maxViewCallsPerBlock(TRANSFORM_MAX_VIEW_CALLS.read(root, source).intValue())
                .maxLogBytesPerBlock(TRANSFORM_MAX_LOG_BYTES.read(root, source).intValue())
                .useInterpreter(TRANSFORM_INTERPRETER.read(root, source))
                .compileCacheDir(cache == null ? dataDir.resolve("compile-cache") : cache.isEmpty() ? null : Path.of(cache))
                .build();
        if (!metashrewUrl.startsWith("http://") && !metashrewUrl.startsWith("https://")) {
            throw new ConfigException(source + ": option 'metashrew.url' must be an http:// or https:// URL, got "
                    + metashrewUrl);
        }
    }

    private static Map<String, Object> sinkOptions(JsonNode sink) {
        Map<String, Object> map = new LinkedHashMap<>();
        if (sink != null && sink.isObject()) {
            Map<?, ?> all = CdcCodec.mapper().convertValue(sink, Map.class);
            all.forEach((k, v) -> {
                if (!"type".equals(k)) {
                    map.put(String.valueOf(k), v);
                }
            });
        }
        return map;
    }

    /** Parses a JSON config file. */
    public static DebshrewConfig load(Path file) throws ConfigException {
        try {
            return fromJson(CdcCodec.mapper().readTree(Files.readAllBytes(file)), file.toString());
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + file + " does not exist");
        } catch (JsonProcessingException e) {
            throw new ConfigException("config file " + file + " is not valid JSON: " + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr());
        } catch (IOException e) {
            throw new ConfigException("config file " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** Builds the config from a JSON tree; {@code source} names it in errors. */
    public static DebshrewConfig fromJson(JsonNode root, String source) throws ConfigException {
        return new DebshrewConfig(root == null ? CdcCodec.mapper().createObjectNode() : root, source);
    }

    /** An empty JSON config tree to fill from flags. */
    public static ObjectNode emptyTree() {
        return CdcCodec.mapper().createObjectNode();
    }

    public String metashrewUrl() {
        return metashrewUrl;
    }

    public Duration metashrewTimeout() {
        return metashrewTimeout;
    }

    public Path transformPath() {
        return transformPath;
    }

    public String sinkType() {
        return sinkType;
    }

    /** The sink's own options: every key of the {@code sink} object except {@code type}. */
    public Map<String, Object> sinkOptions() {
        return sinkOptions;
    }

    public int cacheSize() {
        return cacheSize;
    }

    /** {@code null} when absent. */
    public Long startHeight() {
        return startHeight;
    }

    public String logLevel() {
        return logLevel;
    }

    public Duration pollInterval() {
        return pollInterval;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Limits and compilation options of the transform host. */
    public TransformLimits transformLimits() {
        return transformLimits;
    }

    /** {@code rocksdb} or {@code memory}. */
    public String stateStore() {
        return stateStore;
    }

    /** Markdown table of every option (source of {@code docs/configuration.md}). */
    public static String markdownTable() {
        StringBuilder sb = new StringBuilder("| Option | Type | Default | Meaning |\n|---|---|---|---|\n");
        for (ConfigOption<?> o : OPTIONS) {
            sb.append("| `").append(o.name()).append("` | ").append(o.type()).append(" | ")
                    .append(o.defaultValue() == null ? "—" : "`" + o.defaultValue() + "`").append(" | ")
                    .append(o.doc()).append(" |\n");
        }
        return sb.toString();
    }
}
