package dev.debshrew.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.sink.SinkFactory;
import dev.debshrew.transform.TransformLimits;
import dev.debshrew.util.Secrets;
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
            "http://127.0.0.1:8080", "URL of the metashrew JSON-RPC endpoint, used exactly as given (gateway paths kept)."
                    + " Credentials in it (`http://user:password@host/`) are sent as basic auth, like metashrew.username"
                    + " and metashrew.password (which win when both are given). Logs and /status show it without"
                    + " credentials, path or query.");
    public static final ConfigOption<Long> METASHREW_TIMEOUT = ConfigOption.integer("metashrew.timeout", 60L, 1,
            86_400, "Read timeout of one metashrew call, in seconds. Metadata calls can block during a node rollback:"
                    + " keep it generous.");
    public static final ConfigOption<Long> METASHREW_CONNECT_TIMEOUT = ConfigOption.integer("metashrew.connect_timeout",
            10L, 1, 3_600, "Connect timeout of one metashrew call, in seconds.");
    public static final ConfigOption<Long> METASHREW_MAX_RETRIES = ConfigOption.integer("metashrew.max_retries", 5L, 0,
            1_000, "Retries of one call on transport errors, HTTP 5xx and timeouts (exponential backoff with jitter)."
                    + " Past them the follower keeps backing off by itself: the daemon never gives up on the node.");
    public static final ConfigOption<Long> METASHREW_RETRY_DELAY = ConfigOption.integer("metashrew.retry_delay", 200L,
            1, 600_000, "First wait, in milliseconds, before the client retries a failed call (the original's key);"
                    + " each further wait doubles, with jitter, up to 10 s.");
    public static final ConfigOption<String> METASHREW_VERSION_LINE = ConfigOption.choice("metashrew.version_line",
            "auto", "metashrew release line, which decides the height encoding of views and the meaning of"
                    + " metashrew_height. 'auto' detects it at start with side-effect-free probes.",
            "auto", "v8", "rc", "rc11", "current");
    public static final ConfigOption<String> METASHREW_USERNAME = ConfigOption.string("metashrew.username", null,
            "Basic-auth user for a gateway in front of metashrew (with metashrew.password).");
    public static final ConfigOption<String> METASHREW_PASSWORD = ConfigOption.string("metashrew.password").secret()
            .doc("Basic-auth password (never logged).").build();
    public static final ConfigOption<Long> METASHREW_MAX_RESPONSE_BYTES = ConfigOption.integer(
            "metashrew.max_response_bytes", 32L * 1024 * 1024, 1024, 1L << 30, "Largest metashrew response body, in"
                    + " bytes (32 MiB: a 4 MB block as hex is 8 MB). A larger response, such as a huge view result,"
                    + " fails the block with an error naming the view, the height and this limit; it is not retried.");
    public static final ConfigOption<String> TRANSFORM_PATH = ConfigOption.string("transform.path", null,
            "Path of the transform's .wasm module (required).");
    public static final ConfigOption<Long> TRANSFORM_MEMORY_PAGES = ConfigOption.integer("transform.max_memory_pages",
            1024L, 1, 32_767, "Cap on the transform's linear memory in 64 KiB pages (1024 = 64 MiB). A module declaring"
                    + " a larger initial memory keeps its declared size.");
    public static final ConfigOption<Long> TRANSFORM_BLOCK_TIMEOUT_MS = ConfigOption.integer(
            "transform.block_timeout_ms", 30_000L, 10, 3_600_000, "Deadline for one block (instantiate, run, decode"
                    + " output), in milliseconds. Time spent waiting for the node inside views does not count (a slow"
                    + " node is a node failure: backoff and redo). Past it the block fails and the daemon stops.");
    public static final ConfigOption<Long> TRANSFORM_MAX_OUTPUT_BYTES = ConfigOption.integer(
            "transform.max_output_bytes", 64L * 1024 * 1024, 1024, Integer.MAX_VALUE - 8,
            "Largest output (JSON) of one block, in bytes. Larger output fails the block loudly (never dropped).");
    public static final ConfigOption<Long> TRANSFORM_MAX_STATE_BYTES = ConfigOption.integer(
            "transform.max_state_bytes", 64L * 1024 * 1024, 1, Long.MAX_VALUE, "Most bytes of state (written keys"
                    + " plus values) one block may write. More fails the block loudly (STATE_LIMIT) before the heap runs"
                    + " out.");
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
            SinkFactory.typeNames().toArray(String[]::new));
    public static final ConfigOption<Long> CACHE_SIZE = ConfigOption.integer("cache_size", 6L, 1, 100_000,
            "Reorg window: how many recent blocks are kept to undo a reorganisation. A deeper reorg stops the daemon.");
    public static final ConfigOption<Long> START_HEIGHT = ConfigOption.integer("start_height", null, 0,
            0xFFFF_FFFFL, "First block to process when the sink has no cursor yet (a fresh output). Once a cursor"
                    + " exists the daemon resumes after it; a start_height above that is refused (and -b other than it)."
                    + " Absent: start at the node's current tip.");
    public static final ConfigOption<Long> CONFIRMATIONS = ConfigOption.integer("confirmations", 1L, 0, 10_000,
            "Confirmed-only mode: a block is processed only once it is this many blocks deep (the node's tip >="
                    + " height + confirmations - 1), so a reorg of fewer blocks never produces an inverse message."
                    + " 0 and 1: process the tip at once. Costs confirmations - 1 blocks of latency (docs/operations.md).");
    public static final ConfigOption<String> LOG_LEVEL = ConfigOption.choice("log_level", "info",
            "Log level of debshrew's own loggers (logs go to stderr).", "error", "warn", "info", "debug", "trace");
    public static final ConfigOption<Long> POLL_INTERVAL_MS = ConfigOption.integer("poll_interval_ms", 1000L, 10,
            600_000, "Wait between polls of the node once caught up, in milliseconds.");
    public static final ConfigOption<Long> SINK_RETRY_MAX = ConfigOption.integer("sink_retry_max", null, 1,
            31_536_000, "How long, in seconds, a sink may keep failing with retriable errors (broker or database"
                    + " down, lock held by another instance), at open or at a commit, before the daemon gives up"
                    + " with exit status 1. Absent: retry until stopped, with the sink reported down meanwhile.");
    public static final ConfigOption<Long> RETRY_MAX_DELAY_MS = ConfigOption.integer("retry_max_delay_ms", 30_000L,
            100, 3_600_000, "Longest wait, in milliseconds, between two attempts of the follower when the node or a"
                    + " sink is down (the wait starts at 500 ms, or this if smaller, and doubles with jitter up to it).");

    private static final dev.debshrew.follow.EngineSettings ENGINE_DEFAULTS = dev.debshrew.follow.EngineSettings.defaults();
    public static final ConfigOption<Boolean> ENGINE_SEQUENTIAL = ConfigOption.bool("engine.sequential", ENGINE_DEFAULTS.sequential(),
            "Strictly sequential engine: one block at a time, one node call at a time, one commit per block, no"
                    + " speculation (the baseline of bin/debshrew bench). The output is the same either way.");
    public static final ConfigOption<Long> ENGINE_FETCH_CONCURRENCY = ConfigOption.integer(
            "engine.fetch_concurrency", (long) ENGINE_DEFAULTS.fetchConcurrency(), 1, 256, "Node calls in flight at once while prefetching block hashes"
                    + " (kept-alive connections to the node).");
    public static final ConfigOption<Long> ENGINE_BATCH_BLOCKS = ConfigOption.integer("engine.batch_blocks", (long) ENGINE_DEFAULTS.batchBlocks(), 1,
            10_000, "Blocks fetched ahead of the transform in one batch during catch-up (within the reorg window"
                    + " below the node's tip: one block at a time). Halved after each failed node call down to one block,"
                    + " doubled back after each batch that got through.");
    public static final ConfigOption<Long> ENGINE_SPECULATION = ConfigOption.integer("engine.speculation", (long) ENGINE_DEFAULTS.speculation(), 1, 64,
            "Blocks the transform runs at once during catch-up: later blocks run ahead on the current state while"
                    + " earlier ones wait for their views, their state reads are checked in order and a block is run"
                    + " again when an earlier block wrote what it read. 1 = off.");
    public static final ConfigOption<Long> ENGINE_GROUP_MAX_BLOCKS = ConfigOption.integer("engine.group_max_blocks",
            (long) ENGINE_DEFAULTS.groupMaxBlocks(), 1, 1_000_000, "Most blocks committed in one group (one state store write and one sink transaction)."
                    + " Only blocks deeper than the reorg window below the node's tip are grouped.");
    public static final ConfigOption<Long> ENGINE_GROUP_MAX_MESSAGES = ConfigOption.integer(
            "engine.group_max_messages", (long) ENGINE_DEFAULTS.groupMaxMessages(), 1, 10_000_000, "Most CDC messages in one commit group.");
    public static final ConfigOption<Long> ENGINE_GROUP_MAX_BYTES = ConfigOption.integer("engine.group_max_bytes",
            ENGINE_DEFAULTS.groupMaxBytes(), 1024, 1L << 34, "Most bytes of CDC messages (JSON) in one commit group.");
    public static final ConfigOption<Long> ENGINE_GROUP_MAX_MS = ConfigOption.integer("engine.group_max_ms", ENGINE_DEFAULTS.groupMaxTime().toMillis(), 0,
            600_000, "Longest time, in milliseconds, a group collects blocks before it is committed.");

    public static final ConfigOption<String> DATA_DIR = ConfigOption.string("data_dir", "data",
            "Directory of the durable state store and reorg journal (RocksDB). One per pipeline: it belongs to the"
                    + " sink output it was built with.");
    public static final ConfigOption<String> STATE_STORE = ConfigOption.choice("state_store", "rocksdb",
            "Where transform state and the reorg window live: 'rocksdb' (durable, crash-safe) or 'memory' (lost on"
                    + " restart; for demos and tests).", "rocksdb", "memory");
    public static final ConfigOption<Long> ADMIN_PORT = ConfigOption.integer("admin.port", null, 0, 65_535,
            "Port of the admin HTTP server (GET /metrics, /health, /status; docs/operations.md#metrics-and-health)."
                    + " Absent: no admin server. 0: any free port (logged at start).");
    public static final ConfigOption<String> ADMIN_BIND = ConfigOption.string("admin.bind", "127.0.0.1",
            "Address the admin server binds to. Without admin.token it has no authentication: keep it on loopback"
                    + " or a private network (0.0.0.0 for every interface, e.g. in a container).");
    public static final ConfigOption<Long> ADMIN_NODE_STALE_AFTER = ConfigOption.integer("admin.node_stale_after",
            60L, 1, 86_400, "GET /ready answers 503 (node down) when no metashrew call has succeeded for this many"
                    + " seconds. GET /health does not depend on the node.");
    public static final ConfigOption<Long> ADMIN_READY_MAX_LAG = ConfigOption.integer("admin.ready_max_lag", 3L, 0,
            1_000_000, "GET /ready answers 200 only when the last processed block is at most this many blocks"
                    + " behind the node's tip (and the node and every sink are up).");
    public static final ConfigOption<Long> ADMIN_STALL_AFTER = ConfigOption.integer("admin.stall_after", null, 1,
            86_400, "GET /health (liveness) answers 503 when the follower showed no progress and no known wait for"
                    + " this many seconds. Absent: max(120, 2 x the longest known wait), see docs/operations.md.");
    public static final ConfigOption<String> ADMIN_TOKEN = ConfigOption.string("admin.token").secret()
            .doc("Bearer token the admin server requires on every endpoint except GET /health (header"
                    + " 'Authorization: Bearer TOKEN'; 401 otherwise). Absent: no authentication.").build();
    public static final ConfigOption<String> ADMIN_TOKEN_FILE = ConfigOption.string("admin.token_file", null,
            "File holding admin.token (its first line; surrounding whitespace ignored), e.g. a Docker or"
                    + " Kubernetes secret. Not together with admin.token.");
    public static final ConfigOption<Boolean> STANDBY_ENABLED = ConfigOption.bool("standby.enabled", false,
            "When another daemon holds data_dir's lock (data_dir/debshrew.lock): true waits as its standby and takes"
                    + " over when it dies (docs/operations.md#standby-pair); false exits with status 2 naming the lock"
                    + " file and the holder's pid.");
    public static final ConfigOption<Long> STANDBY_POLL_MS = ConfigOption.integer("standby.poll_ms", 1000L, 10,
            600_000, "How often a standby tries to take data_dir's lock, in milliseconds: the takeover starts at"
                    + " most this long after the active daemon died.");

    /** Every option, in documentation order. */
    public static final List<ConfigOption<?>> OPTIONS = List.of(METASHREW_URL, METASHREW_TIMEOUT,
            METASHREW_CONNECT_TIMEOUT, METASHREW_MAX_RETRIES, METASHREW_RETRY_DELAY, METASHREW_VERSION_LINE, METASHREW_USERNAME,
            METASHREW_PASSWORD, METASHREW_MAX_RESPONSE_BYTES, TRANSFORM_PATH,
            TRANSFORM_MEMORY_PAGES, TRANSFORM_BLOCK_TIMEOUT_MS, TRANSFORM_MAX_OUTPUT_BYTES, TRANSFORM_MAX_STATE_BYTES,
            TRANSFORM_MAX_VIEW_CALLS,
            TRANSFORM_MAX_LOG_BYTES, TRANSFORM_INTERPRETER, TRANSFORM_COMPILE_CACHE,
            SINK_TYPE, CACHE_SIZE, START_HEIGHT, CONFIRMATIONS, DATA_DIR, STATE_STORE, LOG_LEVEL, POLL_INTERVAL_MS,
            SINK_RETRY_MAX, RETRY_MAX_DELAY_MS, ENGINE_SEQUENTIAL, ENGINE_FETCH_CONCURRENCY, ENGINE_BATCH_BLOCKS,
            ENGINE_SPECULATION,
            ENGINE_GROUP_MAX_BLOCKS, ENGINE_GROUP_MAX_MESSAGES, ENGINE_GROUP_MAX_BYTES, ENGINE_GROUP_MAX_MS,
            ADMIN_PORT, ADMIN_BIND, ADMIN_NODE_STALE_AFTER,
            ADMIN_READY_MAX_LAG, ADMIN_STALL_AFTER, ADMIN_TOKEN, ADMIN_TOKEN_FILE, STANDBY_ENABLED, STANDBY_POLL_MS,
            LogOptions.LOG_FORMAT,
            LogOptions.LOG_LEVELS, LogOptions.LOG_RATE_LIMIT, LogOptions.PROGRESS_INTERVAL_S,
            LogOptions.PROGRESS_BEHIND_BLOCKS, LogOptions.PIPELINE);

    private final String metashrewUrl;
    private final Duration metashrewTimeout;
    private final Duration metashrewConnectTimeout;
    private final int metashrewMaxRetries;
    private final Duration metashrewRetryDelay;
    private final String metashrewVersionLine;
    private final String metashrewUsername;
    private final String metashrewPassword;
    private final long metashrewMaxResponseBytes;
    private final Map<String, String> metashrewHeaders;
    private final Path transformPath;
    private final List<SinkSpec> sinks;
    private final int cacheSize;
    private final Long startHeight;
    private final int confirmations;
    private final String logLevel;
    private final Duration pollInterval;
    private final dev.debshrew.follow.EngineSettings engine;
    private final Duration sinkRetryMax;
    private final Duration retryMaxDelay;
    private final Path dataDir;
    private final TransformLimits transformLimits;
    private final String stateStore;
    private final Integer adminPort;
    private final String adminBind;
    private final Duration adminNodeStaleAfter;
    private final LogOptions logOptions;
    private final long adminReadyMaxLag;
    private final Duration adminStallAfter;
    private final boolean standbyEnabled;
    private final Duration standbyPoll;
    private final String adminToken;

    private DebshrewConfig(JsonNode root, String source) throws ConfigException {
        if (!root.isObject()) {
            throw new ConfigException(source + ": the configuration must be a JSON object");
        }
        Map<String, Object> flat = flatten(root);
        ConfigRedaction.registerSecrets(root);
        try {
            ConfigOptions.checkKnown(flat, OPTIONS, List.of(), source);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        metashrewUrl = read(METASHREW_URL, flat, source);
        metashrewTimeout = Duration.ofSeconds(read(METASHREW_TIMEOUT, flat, source));
        metashrewConnectTimeout = Duration.ofSeconds(read(METASHREW_CONNECT_TIMEOUT, flat, source));
        metashrewMaxRetries = read(METASHREW_MAX_RETRIES, flat, source).intValue();
        metashrewRetryDelay = Duration.ofMillis(read(METASHREW_RETRY_DELAY, flat, source));
        metashrewVersionLine = read(METASHREW_VERSION_LINE, flat, source);
        metashrewUsername = read(METASHREW_USERNAME, flat, source);
        metashrewPassword = read(METASHREW_PASSWORD, flat, source);
        metashrewMaxResponseBytes = read(METASHREW_MAX_RESPONSE_BYTES, flat, source);
        if ((metashrewUsername == null) != (metashrewPassword == null)) {
            throw new ConfigException(source + ": options 'metashrew.username' and 'metashrew.password' go together");
        }
        metashrewHeaders = new LinkedHashMap<>();
        JsonNode headers = root.path("metashrew").get("headers");
        if (headers != null && !headers.isNull()) {
            if (!headers.isObject()) {
                throw new ConfigException(source + ": option 'metashrew.headers' must be an object of header name to value");
            }
            for (var it = headers.fields(); it.hasNext(); ) {
                var e = it.next();
                if (!e.getValue().isTextual()) {
                    throw new ConfigException(source + ": option 'metashrew.headers." + e.getKey() + "' must be a string");
                }
                metashrewHeaders.put(e.getKey(), e.getValue().textValue());
            }
        }
        String path = read(TRANSFORM_PATH, flat, source);
        if (path == null || path.isBlank()) {
            throw new ConfigException(source + ": option 'transform.path' is required (path of the transform .wasm)");
        }
        transformPath = Path.of(path);
        sinks = readSinks(root, source);
        cacheSize = read(CACHE_SIZE, flat, source).intValue();
        startHeight = read(START_HEIGHT, flat, source);
        confirmations = read(CONFIRMATIONS, flat, source).intValue();
        logLevel = read(LOG_LEVEL, flat, source);
        pollInterval = Duration.ofMillis(read(POLL_INTERVAL_MS, flat, source));
        engine = new dev.debshrew.follow.EngineSettings(read(ENGINE_SEQUENTIAL, flat, source),
                read(ENGINE_FETCH_CONCURRENCY, flat, source).intValue(), read(ENGINE_BATCH_BLOCKS, flat, source).intValue(),
                read(ENGINE_SPECULATION, flat, source).intValue(), read(ENGINE_GROUP_MAX_BLOCKS, flat, source).intValue(),
                read(ENGINE_GROUP_MAX_MESSAGES, flat, source).intValue(), read(ENGINE_GROUP_MAX_BYTES, flat, source),
                Duration.ofMillis(read(ENGINE_GROUP_MAX_MS, flat, source)));
        Long retryMax = read(SINK_RETRY_MAX, flat, source);
        sinkRetryMax = retryMax == null ? null : Duration.ofSeconds(retryMax);
        retryMaxDelay = Duration.ofMillis(read(RETRY_MAX_DELAY_MS, flat, source));
        dataDir = Path.of(read(DATA_DIR, flat, source));
        stateStore = read(STATE_STORE, flat, source);
        Long port = read(ADMIN_PORT, flat, source);
        adminPort = port == null ? null : port.intValue();
        adminBind = read(ADMIN_BIND, flat, source);
        if (adminBind == null || adminBind.isBlank()) {
            throw new ConfigException(source + ": option 'admin.bind' must be a host name or IP address");
        }
        adminNodeStaleAfter = Duration.ofSeconds(read(ADMIN_NODE_STALE_AFTER, flat, source));
        logOptions = LogOptions.read(flat, source);
        adminReadyMaxLag = read(ADMIN_READY_MAX_LAG, flat, source);
        Long stall = read(ADMIN_STALL_AFTER, flat, source);
        adminStallAfter = stall == null ? null : Duration.ofSeconds(stall);
        standbyEnabled = read(STANDBY_ENABLED, flat, source);
        standbyPoll = Duration.ofMillis(read(STANDBY_POLL_MS, flat, source));
        adminToken = AdminTokens.read(read(ADMIN_TOKEN, flat, source), read(ADMIN_TOKEN_FILE, flat, source), source);
        String cache = read(TRANSFORM_COMPILE_CACHE, flat, source);
        transformLimits = TransformLimits.builder()
                .maxMemoryPages(read(TRANSFORM_MEMORY_PAGES, flat, source).intValue())
                .blockTimeout(Duration.ofMillis(read(TRANSFORM_BLOCK_TIMEOUT_MS, flat, source)))
                .maxOutputBytes(read(TRANSFORM_MAX_OUTPUT_BYTES, flat, source).intValue())
                .maxStateBytes(read(TRANSFORM_MAX_STATE_BYTES, flat, source))
                .maxViewCallsPerBlock(read(TRANSFORM_MAX_VIEW_CALLS, flat, source).intValue())
                .maxLogBytesPerBlock(read(TRANSFORM_MAX_LOG_BYTES, flat, source).intValue())
                .useInterpreter(read(TRANSFORM_INTERPRETER, flat, source))
                .compileCacheDir(cache == null ? dataDir.resolve("compile-cache") : cache.isEmpty() ? null : Path.of(cache))
                .build();
        if (!metashrewUrl.startsWith("http://") && !metashrewUrl.startsWith("https://")) {
            throw new ConfigException(source + ": option 'metashrew.url' must be an http:// or https:// URL, got "
                    + Secrets.scrub(metashrewUrl));
        }
    }

    /**
     * One sink: its type and its own options.
     *
     * @param type    console, file, kafka or postgres
     * @param options every key of the sink's object except {@code type}
     */
    public record SinkSpec(String type, Map<String, Object> options) {
        /** The type and option names; values of secret-named options masked, the others scrubbed. */
        @Override
        public String toString() {
            Map<String, String> shown = new LinkedHashMap<>();
            options.forEach((k, v) -> shown.put(k, Secrets.isSecretKey(k) ? Secrets.MASK : Secrets.scrub(String.valueOf(v))));
            return "SinkSpec[type=" + type + ", options=" + shown + "]";
        }
    }

    /** {@code sink} (one object, the original's key) or {@code sinks} (an array: fan-out). */
    /** Sections whose keys are options named {@code section.key}; everything else is top-level. */
    private static final List<String> SECTIONS = List.of("metashrew", "transform", "admin", "engine", "standby");

    /**
     * The config as a flat map keyed by option name ({@code metashrew.url}, {@code cache_size});
     * the sink objects and {@code metashrew.headers} are read separately and left out.
     */
    static Map<String, Object> flatten(JsonNode root) {
        Map<String, Object> flat = new LinkedHashMap<>();
        for (var it = root.fields(); it.hasNext(); ) {
            var e = it.next();
            String key = e.getKey();
            if (key.equals("sink") || key.equals("sinks")) {
                continue;
            }
            if (SECTIONS.contains(key) && e.getValue().isObject()) {
                for (var sub = e.getValue().fields(); sub.hasNext(); ) {
                    var s = sub.next();
                    if (!(key.equals("metashrew") && s.getKey().equals("headers"))) {
                        flat.put(key + "." + s.getKey(), CdcCodec.mapper().convertValue(s.getValue(), Object.class));
                    }
                }
            } else {
                flat.put(key, CdcCodec.mapper().convertValue(e.getValue(), Object.class));
            }
        }
        return flat;
    }

    private static <T> T read(ConfigOption<T> option, Map<String, Object> flat, String source) throws ConfigException {
        try {
            return option.get(flat, source);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    private static List<SinkSpec> readSinks(JsonNode root, String source) throws ConfigException {
        JsonNode many = root.get("sinks");
        if (many == null || many.isNull()) {
            return List.of(sinkSpec(root.get("sink"), source, "sink."));
        }
        if (root.hasNonNull("sink")) {
            throw new ConfigException(source + ": give either 'sink' (one sink) or 'sinks' (a list), not both");
        }
        if (!many.isArray() || many.isEmpty()) {
            throw new ConfigException(source + ": option 'sinks' must be a non-empty array of sink objects");
        }
        List<SinkSpec> out = new java.util.ArrayList<>();
        for (int i = 0; i < many.size(); i++) {
            JsonNode one = many.get(i);
            if (!one.isObject()) {
                throw new ConfigException(source + ": sinks[" + i + "] must be an object with a 'type'");
            }
            out.add(sinkSpec(one, source, "sinks[" + i + "]."));
        }
        return List.copyOf(out);
    }

    /** One sink object, its options validated through its type's declarations; errors name {@code path}. */
    static SinkSpec sinkSpec(JsonNode sink, String source, String path) throws ConfigException {
        if (sink != null && !sink.isNull() && !sink.isObject()) {
            throw new ConfigException(source + ": option 'sink' must be an object with a 'type' and the sink's options");
        }
        Map<String, Object> typeOnly = new LinkedHashMap<>();
        if (sink != null && sink.hasNonNull("type")) {
            typeOnly.put(SINK_TYPE.name(), CdcCodec.mapper().convertValue(sink.get("type"), Object.class));
        }
        String type;
        try {
            type = SINK_TYPE.get(typeOnly, source);
        } catch (IllegalArgumentException e) { // named by its place: sink.type or sinks[i].type
            throw new ConfigException(e.getMessage().replace("'" + SINK_TYPE.name() + "'", "'" + path + "type'"));
        }
        Map<String, Object> map = new LinkedHashMap<>();
        if (sink != null && sink.isObject()) {
            Map<?, ?> all = CdcCodec.mapper().convertValue(sink, Map.class);
            all.forEach((k, v) -> {
                if (!"type".equals(k)) {
                    map.put(String.valueOf(k), v);
                }
            });
        }
        try {
            SinkFactory.type(type).validate(map);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source + ": " + ConfigOptions.qualify(e.getMessage(), path));
        }
        return new SinkSpec(type, map);
    }

    /**
     * Reads a config file (JSON, or YAML for {@code .yaml}/{@code .yml}) with {@code ${VAR}}
     * substitution, {@code DEBSHREW_*} overrides and {@code *_file} secrets from the process
     * environment ({@link ConfigLoader}).
     */
    public static DebshrewConfig load(Path file) throws ConfigException {
        return ConfigLoader.load(file, System.getenv());
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

    public Duration metashrewConnectTimeout() {
        return metashrewConnectTimeout;
    }

    public int metashrewMaxRetries() {
        return metashrewMaxRetries;
    }

    /** First wait before the client retries a failed call ({@code metashrew.retry_delay}). */
    public Duration metashrewRetryDelay() {
        return metashrewRetryDelay;
    }

    /** auto, v8, rc, rc11 or current. */
    public String metashrewVersionLine() {
        return metashrewVersionLine;
    }

    /** Basic-auth user, or null. */
    public String metashrewUsername() {
        return metashrewUsername;
    }

    /** Basic-auth password, or null. */
    public String metashrewPassword() {
        return metashrewPassword;
    }

    /** Largest metashrew response body, in bytes ({@code metashrew.max_response_bytes}). */
    public long metashrewMaxResponseBytes() {
        return metashrewMaxResponseBytes;
    }

    /** Extra HTTP headers for every metashrew request ({@code metashrew.headers}, e.g. an API key). */
    public Map<String, String> metashrewHeaders() {
        return metashrewHeaders;
    }

    public Path transformPath() {
        return transformPath;
    }

    /** The sinks, in order (one for {@code sink}, several for {@code sinks}). */
    public List<SinkSpec> sinks() {
        return sinks;
    }

    public int cacheSize() {
        return cacheSize;
    }

    /** {@code null} when absent. */
    public Long startHeight() {
        return startHeight;
    }

    /** {@code confirmations}: how deep a block must be before it is processed (0 and 1: at once). */
    public int confirmations() {
        return confirmations;
    }

    public String logLevel() {
        return logLevel;
    }

    public Duration pollInterval() {
        return pollInterval;
    }

    /** How the engine overlaps its stages (the engine.* options). */
    public dev.debshrew.follow.EngineSettings engine() {
        return engine;
    }

    /** How long a sink may fail with retriable errors before the daemon gives up; null: never. */
    public Duration sinkRetryMax() {
        return sinkRetryMax;
    }

    /** Longest wait between two attempts of the follower while the node or a sink is down. */
    public Duration retryMaxDelay() {
        return retryMaxDelay;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The RocksDB state store and journal: {@code <data_dir>/state}. */
    public Path stateDir() {
        return dataDir.resolve("state");
    }

    /** Limits and compilation options of the transform host. */
    public TransformLimits transformLimits() {
        return transformLimits;
    }

    /** {@code rocksdb} or {@code memory}. */
    public String stateStore() {
        return stateStore;
    }

    /** Port of the admin HTTP server; null when disabled, 0 for any free port. */
    public Integer adminPort() {
        return adminPort;
    }

    /** Address the admin server binds to. */
    public String adminBind() {
        return adminBind;
    }

    /** How long without a successful metashrew call before {@code /health} answers 503. */
    public Duration adminNodeStaleAfter() {
        return adminNodeStaleAfter;
    }

    /** Log format, per-logger levels, rate limit and progress lines ({@code log_format}, {@code log_levels}...). */
    public LogOptions logOptions() {
        return logOptions;
    }

    /** Blocks behind the node's tip within which GET /ready answers 200. */
    public long adminReadyMaxLag() {
        return adminReadyMaxLag;
    }

    /** admin.stall_after, or null: computed from the known waits. */
    public Duration adminStallAfter() {
        return adminStallAfter;
    }

    /** standby.enabled: wait as a standby when data_dir's lock is held. */
    public boolean standbyEnabled() {
        return standbyEnabled;
    }

    /** standby.poll_ms: how often a standby tries to take data_dir's lock. */
    public Duration standbyPoll() {
        return standbyPoll;
    }

    /** The admin bearer token (admin.token or the content of admin.token_file), or null: none. */
    public String adminToken() {
        return adminToken;
    }

    /** Markdown table of every option (source of {@code docs/configuration.md}). */
    public static String markdownTable() {
        StringBuilder sb = new StringBuilder(ConfigOptions.markdownTable(OPTIONS));
        sb.append("| `metashrew.headers` | object | — | Extra HTTP headers sent with every metashrew request"
                + " (gateway API keys), e.g. `{\"X-Api-Key\": \"...\"}`. Their values are never logged or shown. |\n");
        sb.append("| `sink` / `sinks` | object / array | console | One sink (`{\"type\": ..., options}`) or a list of"
                + " them (fan-out, each with its own cursor); options per type in docs/sinks.md. |\n");
        sb.append("| `pipelines` | array | — | Several pipelines in one daemon: each entry a `name` ([A-Za-z0-9_.-]+)"
                + " and the per-pipeline options above, merged over the top level; `metashrew`, `admin`, `standby`"
                + " and the log options are daemon-wide (see \"Several pipelines\" below). |\n");
        return sb.toString();
    }
}
