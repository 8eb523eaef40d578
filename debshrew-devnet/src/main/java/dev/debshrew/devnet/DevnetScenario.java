package dev.debshrew.devnet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.debshrew.metashrew.VersionLine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A devnet scenario: the initial chain and a timeline of mining, reorgs and faults, parsed from JSON
 * (format documented in {@code docs/devnet.md}):
 *
 * <pre>{@code
 * {"version_line":"current","seed":1,"initial_height":10,"block_interval_ms":1000,"latency_ms":20,
 *  "steps":[{"at_ms":15000,"reorg":{"depth":3,"new_blocks":4,"style":"phased"}},
 *           {"at_ms":20000,"fault":{"type":"http_500","method":"metashrew_height","times":3}}]}
 * }</pre>
 *
 * Parsing is strict: unknown keys and bad values are rejected with a message naming their path.
 * Immutable; {@link #start(DevnetServer)} plays it against a server.
 */
public final class DevnetScenario {

    private static final Logger LOG = LoggerFactory.getLogger(DevnetScenario.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final VersionLine versionLine;
    private final long seed;
    private final long initialHeight;
    private final long blockIntervalMs;
    private final long maxHeight;
    private final long latencyMs;
    private final ReorgTiming reorgTiming;
    private final List<Step> steps;

    /** One timed action. */
    private record Step(long atMs, String description, Action action) {
    }

    @FunctionalInterface
    private interface Action {
        void run(DevnetServer server, AtomicBoolean mining);
    }

    private DevnetScenario(VersionLine versionLine, long seed, long initialHeight, long blockIntervalMs, long maxHeight,
            long latencyMs, ReorgTiming reorgTiming, List<Step> steps) {
        this.versionLine = versionLine;
        this.seed = seed;
        this.initialHeight = initialHeight;
        this.blockIntervalMs = blockIntervalMs;
        this.maxHeight = maxHeight;
        this.latencyMs = latencyMs;
        this.reorgTiming = reorgTiming;
        List<Step> sorted = new ArrayList<>(steps);
        sorted.sort(Comparator.comparingLong(Step::atMs)); // stable: equal times keep file order
        this.steps = Collections.unmodifiableList(sorted);
    }

    /** Parses a scenario from JSON text. */
    public static DevnetScenario parse(String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("devnet scenario is not valid JSON: " + e.getOriginalMessage(), e);
        }
        return parse(root);
    }

    /** Reads and parses a scenario file. */
    public static DevnetScenario load(Path file) throws IOException {
        try {
            return parse(Files.readString(file));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Parses a scenario from a JSON tree. */
    public static DevnetScenario parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("devnet scenario must be a JSON object");
        }
        checkKeys(root, "scenario", Set.of("version_line", "seed", "initial_height", "block_interval_ms", "max_height",
                "latency_ms", "reorg_timing", "steps"));
        VersionLine line = root.has("version_line") ? VersionLine.parse(text(root, "version_line", "scenario")) : VersionLine.CURRENT;
        if (line == VersionLine.AUTO) {
            throw new IllegalArgumentException("scenario.version_line must be v8, rc, rc11 or current");
        }
        long seed = root.has("seed") ? integer(root, "seed", "scenario", Long.MIN_VALUE) : 1;
        long initial = root.has("initial_height") ? integer(root, "initial_height", "scenario", 0) : 10;
        long interval = root.has("block_interval_ms") ? integer(root, "block_interval_ms", "scenario", 0) : 0;
        long max = root.has("max_height") ? integer(root, "max_height", "scenario", 0) : Long.MAX_VALUE;
        long latency = root.has("latency_ms") ? integer(root, "latency_ms", "scenario", 0) : 0;
        if (latency > RpcLatency.MAX_MS) {
            throw new IllegalArgumentException("scenario.latency_ms must be <= " + RpcLatency.MAX_MS + ", got " + latency);
        }
        ReorgTiming timing = ReorgTiming.defaults();
        if (root.has("reorg_timing")) {
            JsonNode t = root.get("reorg_timing");
            if (!t.isObject()) {
                throw new IllegalArgumentException("scenario.reorg_timing must be an object");
            }
            checkKeys(t, "scenario.reorg_timing", Set.of("notice_delay_ms", "rollback_block_ms", "reindex_interval_ms"));
            timing = timing(t, "scenario.reorg_timing", timing);
        }
        List<Step> steps = new ArrayList<>();
        JsonNode arr = root.get("steps");
        if (arr != null) {
            if (!arr.isArray()) {
                throw new IllegalArgumentException("scenario.steps must be an array");
            }
            for (int i = 0; i < arr.size(); i++) {
                steps.add(step(arr.get(i), "steps[" + i + "]", timing));
            }
        }
        return new DevnetScenario(line, seed, initial, interval, max, latency, timing, steps);
    }

    private static Step step(JsonNode s, String path, ReorgTiming defaults) {
        if (!s.isObject()) {
            throw new IllegalArgumentException(path + " must be an object");
        }
        checkKeys(s, path, Set.of("at_ms", "mine", "reorg", "fault", "clear_faults", "mining"));
        long at = s.has("at_ms") ? integer(s, "at_ms", path, 0) : 0;
        List<String> actions = new ArrayList<>();
        s.fieldNames().forEachRemaining(f -> {
            if (!f.equals("at_ms")) {
                actions.add(f);
            }
        });
        if (actions.size() != 1) {
            throw new IllegalArgumentException(path + " must have exactly one of mine, reorg, fault, clear_faults, mining; got " + actions);
        }
        String kind = actions.get(0);
        switch (kind) {
            case "mine": {
                int n = (int) integer(s, "mine", path, 1);
                return new Step(at, "mine " + n, (server, mining) -> server.mine(n));
            }
            case "clear_faults": {
                if (!s.get("clear_faults").isBoolean()) {
                    throw new IllegalArgumentException(path + ".clear_faults must be true or false");
                }
                boolean clear = s.get("clear_faults").asBoolean();
                return new Step(at, "clear faults", (server, mining) -> {
                    if (clear) {
                        server.clearFaults();
                    }
                });
            }
            case "mining": {
                if (!s.get("mining").isBoolean()) {
                    throw new IllegalArgumentException(path + ".mining must be true or false");
                }
                boolean on = s.get("mining").asBoolean();
                return new Step(at, on ? "resume mining" : "pause mining", (server, mining) -> mining.set(on));
            }
            case "reorg": {
                JsonNode r = s.get("reorg");
                String p = path + ".reorg";
                if (!r.isObject()) {
                    throw new IllegalArgumentException(p + " must be an object");
                }
                checkKeys(r, p, Set.of("depth", "new_blocks", "style", "notice_delay_ms", "rollback_block_ms", "reindex_interval_ms"));
                int depth = (int) required(r, "depth", p, 1);
                int newBlocks = r.has("new_blocks") ? (int) integer(r, "new_blocks", p, 1) : depth + 1;
                ReorgStyle style = ReorgStyle.PHASED;
                if (r.has("style")) {
                    String st = text(r, "style", p).toUpperCase(Locale.ROOT);
                    try {
                        style = ReorgStyle.valueOf(st);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(p + ".style must be \"instant\" or \"phased\", got \"" + r.get("style").asText() + "\"");
                    }
                }
                ReorgTiming t = timing(r, p, defaults);
                ReorgStyle fstyle = style;
                return new Step(at, "reorg depth " + depth + " new " + newBlocks + " " + style.name().toLowerCase(Locale.ROOT),
                        (server, mining) -> server.reorg(depth, newBlocks, fstyle, t));
            }
            case "fault": {
                Fault f = fault(s.get("fault"), path + ".fault");
                return new Step(at, "inject " + f, (server, mining) -> server.inject(f));
            }
            default:
                throw new IllegalStateException(kind);
        }
    }

    private static Fault fault(JsonNode f, String p) {
        if (!f.isObject()) {
            throw new IllegalArgumentException(p + " must be an object");
        }
        checkKeys(f, p, Set.of("type", "method", "times", "probability", "delay_ms", "by", "depth", "new_blocks",
                "height", "bytes", "result"));
        Fault.Type type;
        try {
            type = Fault.Type.parse(text(f, "type", p));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(p + ".type: " + e.getMessage(), e);
        }
        boolean needsDelay = type == Fault.Type.LATENCY || type == Fault.Type.TIMEOUT;
        if (f.has("delay_ms") && !needsDelay) {
            throw new IllegalArgumentException(p + ".delay_ms only applies to latency and timeout faults");
        }
        if (f.has("by") && type != Fault.Type.HEIGHT_BACKWARDS) {
            throw new IllegalArgumentException(p + ".by only applies to height_backwards faults");
        }
        if ((f.has("depth") || f.has("new_blocks")) && type != Fault.Type.REORG) {
            throw new IllegalArgumentException(p + ".depth and .new_blocks only apply to reorg faults");
        }
        if (f.has("bytes") && type != Fault.Type.OVERSIZED_RESULT) {
            throw new IllegalArgumentException(p + ".bytes only applies to oversized_result faults");
        }
        if (f.has("result") && type != Fault.Type.BAD_RESULT) {
            throw new IllegalArgumentException(p + ".result only applies to bad_result faults");
        }
        Duration delay = Duration.ofMillis(f.has("delay_ms") ? integer(f, "delay_ms", p, 0)
                : type == Fault.Type.TIMEOUT ? 120_000 : 0);
        if (type == Fault.Type.LATENCY && !f.has("delay_ms")) {
            throw new IllegalArgumentException(p + ".delay_ms is required for latency faults");
        }
        Fault fault = switch (type) {
            case LATENCY -> Fault.latency(delay);
            case TIMEOUT -> Fault.timeout(delay);
            case HTTP_500 -> Fault.http500();
            case MALFORMED_JSON -> Fault.malformedJson();
            case DROP_CONNECTION -> Fault.dropConnection();
            case RPC_ERROR -> Fault.rpcError();
            case HEIGHT_BACKWARDS -> Fault.heightBackwards(f.has("by") ? integer(f, "by", p, 1) : 1);
            case REORG -> Fault.reorg((int) integer(f, "depth", p, 1),
                    f.has("new_blocks") ? (int) integer(f, "new_blocks", p, 1) : (int) integer(f, "depth", p, 1) + 1);
            case OVERSIZED_RESULT -> Fault.oversizedResult(f.has("bytes") ? integer(f, "bytes", p, 1) : 40L << 20);
            case BAD_RESULT -> Fault.badResult(f.has("result") ? f.get("result").toString() : "null");
        };
        if (f.has("height")) {
            fault = fault.atHeight(integer(f, "height", p, 0));
        }
        if (f.has("method")) {
            fault = fault.forMethod(text(f, "method", p));
        }
        if (f.has("times") && f.has("probability")) {
            throw new IllegalArgumentException(p + ": give either times or probability, not both");
        }
        if (f.has("times")) {
            fault = fault.times((int) integer(f, "times", p, 1));
        }
        if (f.has("probability")) {
            JsonNode pr = f.get("probability");
            if (!pr.isNumber()) {
                throw new IllegalArgumentException(p + ".probability must be a number in (0, 1]");
            }
            try {
                fault = fault.withProbability(pr.asDouble());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(p + ".probability: " + e.getMessage(), e);
            }
        }
        return fault;
    }

    private static ReorgTiming timing(JsonNode n, String p, ReorgTiming d) {
        return new ReorgTiming(
                n.has("notice_delay_ms") ? Duration.ofMillis(integer(n, "notice_delay_ms", p, 0)) : d.noticeDelay(),
                n.has("rollback_block_ms") ? Duration.ofMillis(integer(n, "rollback_block_ms", p, 0)) : d.rollbackBlock(),
                n.has("reindex_interval_ms") ? Duration.ofMillis(integer(n, "reindex_interval_ms", p, 0)) : d.reindexInterval());
    }

    private static void checkKeys(JsonNode n, String path, Set<String> allowed) {
        Iterator<String> it = n.fieldNames();
        while (it.hasNext()) {
            String k = it.next();
            if (!allowed.contains(k)) {
                throw new IllegalArgumentException(path + ": unknown key '" + k + "' (allowed: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String text(JsonNode n, String key, String path) {
        JsonNode v = n.get(key);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException(path + "." + key + " must be a string");
        }
        return v.asText();
    }

    private static long required(JsonNode n, String key, String path, long min) {
        if (!n.has(key)) {
            throw new IllegalArgumentException(path + "." + key + " is required");
        }
        return integer(n, key, path, min);
    }

    private static long integer(JsonNode n, String key, String path, long min) {
        JsonNode v = n.get(key);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min) {
            throw new IllegalArgumentException(path + "." + key + " must be an integer" + (min == Long.MIN_VALUE ? "" : " >= " + min)
                    + ", got " + v);
        }
        return v.asLong();
    }

    /** The simulated version line (default current). */
    public VersionLine versionLine() {
        return versionLine;
    }

    /** The chain seed (default 1). */
    public long seed() {
        return seed;
    }

    /** The initial tip height (default 10). */
    public long initialHeight() {
        return initialHeight;
    }

    /** Automatic mining interval in ms; 0 (the default) = no automatic mining. */
    public long blockIntervalMs() {
        return blockIntervalMs;
    }

    /** Automatic mining stops at this canonical height ({@link Long#MAX_VALUE} = never). */
    public long maxHeight() {
        return maxHeight;
    }

    /** Base latency added to every request, in ms (default 0 = none). */
    public long latencyMs() {
        return latencyMs;
    }

    /** Default timing of phased reorgs. */
    public ReorgTiming reorgTiming() {
        return reorgTiming;
    }

    /** Number of timed steps. */
    public int stepCount() {
        return steps.size();
    }

    /** A server builder configured with this scenario's line, seed, initial height and reorg timing. */
    public DevnetServer.Builder serverBuilder() {
        return DevnetServer.builder().versionLine(versionLine).seed(seed).initialHeight(initialHeight).reorgTiming(reorgTiming)
                .latency(Duration.ofMillis(latencyMs));
    }

    /** Plays the scenario against {@code server}, from now on: automatic mining plus the timed steps. */
    public Run start(DevnetServer server) {
        return new Run(server);
    }

    /** A scenario being played. Close it to stop mining and cancel the remaining steps. */
    public final class Run implements AutoCloseable {
        private final ScheduledExecutorService exec;
        private final AtomicBoolean mining = new AtomicBoolean(true);
        private final CountDownLatch remaining = new CountDownLatch(steps.size());
        private final AtomicInteger failures = new AtomicInteger();

        private Run(DevnetServer server) {
            AtomicInteger n = new AtomicInteger();
            exec = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "devnet-scenario-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            if (blockIntervalMs > 0) {
                exec.scheduleAtFixedRate(() -> {
                    if (mining.get() && server.canonicalHeight() < maxHeight) {
                        long h = server.mine(1);
                        LOG.debug("devnet scenario: mined block {}", h);
                    }
                }, blockIntervalMs, blockIntervalMs, TimeUnit.MILLISECONDS);
            }
            for (Step s : steps) {
                exec.schedule(() -> {
                    try {
                        LOG.info("devnet scenario at {} ms: {}", s.atMs(), s.description());
                        s.action().run(server, mining);
                    } catch (RuntimeException e) {
                        failures.incrementAndGet();
                        LOG.warn("devnet scenario step at {} ms ({}) failed: {}", s.atMs(), s.description(), e.getMessage());
                    } finally {
                        remaining.countDown();
                    }
                }, s.atMs(), TimeUnit.MILLISECONDS);
            }
        }

        /** Waits until every step has run; false on timeout. */
        public boolean awaitSteps(Duration timeout) throws InterruptedException {
            return remaining.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** Steps that threw (for example a reorg while a phased reorg was still running); they are logged and skipped. */
        public int failedSteps() {
            return failures.get();
        }

        @Override
        public void close() {
            exec.shutdownNow();
        }
    }
}
