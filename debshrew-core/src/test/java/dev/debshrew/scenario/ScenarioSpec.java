package dev.debshrew.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.debshrew.devnet.Fault;
import dev.debshrew.devnet.ReorgStyle;
import dev.debshrew.devnet.ReorgTiming;
import dev.debshrew.metashrew.VersionLine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A golden-output scenario, parsed strictly from {@code scenarios/NAME.json} (format in
 * {@code docs/scenarios.md}). Unknown keys, wrong types and bad values are rejected with their
 * JSON path, so a typo never silently turns a step into a no-op.
 */
record ScenarioSpec(String name, String description, Devnet devnet, Daemon daemon, List<Step> steps) {

    /** The fast default timing of phased reorgs (the devnet's defaults are meant for demos). */
    static final ReorgTiming FAST_PHASED = new ReorgTiming(Duration.ofMillis(30), Duration.ofMillis(30),
            Duration.ofMillis(20));

    record Devnet(long seed, long initialHeight, VersionLine versionLine, ReorgTiming reorgTiming) {
    }

    /** {@code transform} is the example's name: {@code blocks} or {@code txindex}. */
    record Daemon(String transform, int cacheSize, long startHeight, boolean autostart) {
    }

    /** One step; {@link #describe()} is used in failure messages. */
    interface Step {
        String describe();
    }

    /** Mine {@code blocks} blocks; wait until caught up if the daemon runs. */
    record Advance(int blocks) implements Step {
        public String describe() {
            return "advance " + blocks;
        }
    }

    /** {@code await} false: go on at once (a phased reorg keeps running in the devnet). */
    record Reorg(int depth, int newBlocks, ReorgStyle style, boolean await) implements Step {
        public String describe() {
            return "reorg depth " + depth + " -> " + newBlocks + " new block(s) " + style.name().toLowerCase(Locale.ROOT)
                    + (await ? "" : " (no wait)");
        }
    }

    /** SIGTERM (once the cursor reached {@code atHeight}, if given), expect exit 0, start again. */
    record Restart(Long atHeight) implements Step {
        public String describe() {
            return "restart" + (atHeight == null ? "" : " at height " + atHeight);
        }
    }

    /** SIGTERM (once the cursor reached {@code atHeight}, if given), expect exit 0, leave it stopped. */
    record Stop(Long atHeight) implements Step {
        public String describe() {
            return "stop" + (atHeight == null ? "" : " at height " + atHeight);
        }
    }

    record Start(boolean await) implements Step {
        public String describe() {
            return "start" + (await ? "" : " (no wait)");
        }
    }

    /**
     * Start the daemon with the pause point {@code point@height}; optionally wait until caught up
     * and apply {@code trigger} (a devnet action) so that it reaches the point; wait for
     * {@code PAUSED}; SIGKILL; start normally unless {@code restart} is false.
     */
    record Crash(String point, long height, Step trigger, boolean restart) implements Step {
        public String describe() {
            return "crash at " + point + "@" + height + (trigger == null ? "" : " triggered by " + trigger.describe())
                    + (restart ? "" : " (left down)");
        }
    }

    /**
     * {@code times} times: start, wait until the follower runs, sleep a seeded random time in
     * [min, max] ms, SIGKILL; then start normally.
     */
    record CrashRandom(long minMs, long maxMs, long seed, int times) implements Step {
        public String describe() {
            return "crash_random " + times + "x in " + minMs + ".." + maxMs + " ms (seed " + seed + ")";
        }
    }

    /** Wait for the running daemon to exit by itself with {@code status}. */
    record ExpectExit(int status, String stderrContains, boolean outputUnchanged) implements Step {
        public String describe() {
            return "expect exit " + status + (stderrContains == null ? "" : " with '" + stderrContains + "'");
        }
    }

    /** Activates a devnet fault (same keys as the devnet's own scenario files, docs/devnet.md). */
    record FaultStep(Fault fault) implements Step {
        public String describe() {
            return "fault " + fault;
        }
    }

    /** Removes all devnet faults. */
    record ClearFaults() implements Step {
        public String describe() {
            return "clear faults";
        }
    }

    /** Fold the output and compare with a fresh uninterrupted run over the current chain. */
    record Verify() implements Step {
        public String describe() {
            return "verify";
        }
    }

    // ------------------------------------------------------------------ parsing

    private static final ObjectMapper MAPPER = new ObjectMapper();
    static final Set<String> CRASH_POINTS = Set.of("before-state-commit", "after-state-commit", "after-sink-commit",
            "after-undo-sink-commit");

    static ScenarioSpec load(Path file) throws IOException {
        String fileName = file.getFileName().toString();
        String name = fileName.substring(0, fileName.length() - ".json".length());
        JsonNode root = MAPPER.readTree(Files.readString(file));
        return parse(name, root);
    }

    static ScenarioSpec parse(String name, JsonNode root) {
        obj(root, "$", "description", "devnet", "daemon", "steps");
        String description = root.has("description") ? str(root.get("description"), "$.description") : "";

        JsonNode d = root.path("devnet");
        if (root.has("devnet")) {
            obj(d, "$.devnet", "seed", "initial_height", "version_line", "reorg_timing");
        }
        long seed = d.has("seed") ? integer(d.get("seed"), "$.devnet.seed", 0, Long.MAX_VALUE) : 1;
        long initial = d.has("initial_height") ? integer(d.get("initial_height"), "$.devnet.initial_height", 1, 10_000)
                : 10;
        VersionLine line = VersionLine.CURRENT;
        if (d.has("version_line")) {
            String v = str(d.get("version_line"), "$.devnet.version_line");
            try {
                line = VersionLine.parse(v);
                if (line == VersionLine.AUTO) {
                    throw new IllegalArgumentException("auto");
                }
            } catch (IllegalArgumentException e) {
                throw bad("$.devnet.version_line", "unknown version line '" + v + "'");
            }
        }
        ReorgTiming timing = FAST_PHASED;
        if (d.has("reorg_timing")) {
            JsonNode t = d.get("reorg_timing");
            String p = "$.devnet.reorg_timing";
            obj(t, p, "notice_delay_ms", "rollback_block_ms", "reindex_interval_ms");
            timing = new ReorgTiming(
                    Duration.ofMillis(t.has("notice_delay_ms") ? integer(t.get("notice_delay_ms"), p + ".notice_delay_ms",
                            0, 60_000) : FAST_PHASED.noticeDelay().toMillis()),
                    Duration.ofMillis(t.has("rollback_block_ms") ? integer(t.get("rollback_block_ms"),
                            p + ".rollback_block_ms", 0, 60_000) : FAST_PHASED.rollbackBlock().toMillis()),
                    Duration.ofMillis(t.has("reindex_interval_ms") ? integer(t.get("reindex_interval_ms"),
                            p + ".reindex_interval_ms", 1, 60_000) : FAST_PHASED.reindexInterval().toMillis()));
        }

        JsonNode m = root.path("daemon");
        if (root.has("daemon")) {
            obj(m, "$.daemon", "transform", "cache_size", "start_height", "autostart");
        }
        String transform = m.has("transform") ? str(m.get("transform"), "$.daemon.transform") : "txindex";
        if (!transform.equals("txindex") && !transform.equals("blocks")) {
            throw bad("$.daemon.transform", "must be 'blocks' or 'txindex', got '" + transform + "'");
        }
        int cache = (int) (m.has("cache_size") ? integer(m.get("cache_size"), "$.daemon.cache_size", 1, 1000) : 6);
        long start = m.has("start_height") ? integer(m.get("start_height"), "$.daemon.start_height", 0, initial) : 0;
        boolean autostart = !m.has("autostart") || bool(m.get("autostart"), "$.daemon.autostart");

        if (!root.path("steps").isArray()) {
            throw bad("$.steps", "must be an array");
        }
        List<Step> steps = new ArrayList<>();
        int i = 0;
        for (JsonNode s : root.get("steps")) {
            steps.add(step(s, "$.steps[" + i++ + "]", true));
        }
        return new ScenarioSpec(name, description, new Devnet(seed, initial, line, timing),
                new Daemon(transform, cache, start, autostart), List.copyOf(steps));
    }

    private static Step step(JsonNode s, String p, boolean topLevel) {
        if (!s.isObject() || s.size() != 1) {
            throw bad(p, "a step is an object with exactly one action, got " + s);
        }
        String action = s.fieldNames().next();
        JsonNode v = s.get(action);
        String q = p + "." + action;
        if (!topLevel && !action.equals("advance") && !action.equals("reorg")) {
            throw bad(q, "a crash trigger must be 'advance' or 'reorg'");
        }
        switch (action) {
            case "advance":
                return new Advance((int) integer(v, q, 0, 10_000));
            case "reorg": {
                obj(v, q, "depth", "new_blocks", "style", "wait");
                if (!v.has("depth")) {
                    throw bad(q, "'depth' is required");
                }
                int depth = (int) integer(v.get("depth"), q + ".depth", 1, 10_000);
                int newBlocks = (int) (v.has("new_blocks") ? integer(v.get("new_blocks"), q + ".new_blocks", 1, 10_000)
                        : depth + 1);
                ReorgStyle style = ReorgStyle.INSTANT;
                if (v.has("style")) {
                    String st = str(v.get("style"), q + ".style");
                    style = switch (st) {
                        case "instant" -> ReorgStyle.INSTANT;
                        case "phased" -> ReorgStyle.PHASED;
                        default -> throw bad(q + ".style", "must be 'instant' or 'phased', got '" + st + "'");
                    };
                }
                boolean await = !v.has("wait") || bool(v.get("wait"), q + ".wait");
                if (!await && !topLevel) {
                    throw bad(q + ".wait", "a crash trigger never waits");
                }
                return new Reorg(depth, newBlocks, style, await);
            }
            case "restart":
                return new Restart(atHeight(v, q));
            case "stop":
                return new Stop(atHeight(v, q));
            case "start":
                if (v.isBoolean()) {
                    requireTrue(v, q);
                    return new Start(true);
                }
                obj(v, q, "wait");
                return new Start(!v.has("wait") || bool(v.get("wait"), q + ".wait"));
            case "crash": {
                obj(v, q, "at", "height", "trigger", "restart");
                if (!v.has("at") || !v.has("height")) {
                    throw bad(q, "'at' and 'height' are required");
                }
                String point = str(v.get("at"), q + ".at");
                if (!CRASH_POINTS.contains(point)) {
                    throw bad(q + ".at", "unknown crash point '" + point + "'; one of " + CRASH_POINTS);
                }
                long height = integer(v.get("height"), q + ".height", 0, 0xFFFF_FFFFL);
                Step trigger = v.has("trigger") ? step(v.get("trigger"), q + ".trigger", false) : null;
                boolean restart = !v.has("restart") || bool(v.get("restart"), q + ".restart");
                return new Crash(point, height, trigger, restart);
            }
            case "crash_random": {
                obj(v, q, "min_ms", "max_ms", "seed", "times");
                if (!v.has("max_ms")) {
                    throw bad(q, "'max_ms' is required");
                }
                long max = integer(v.get("max_ms"), q + ".max_ms", 1, 60_000);
                long min = v.has("min_ms") ? integer(v.get("min_ms"), q + ".min_ms", 0, max) : 0;
                long seed = v.has("seed") ? integer(v.get("seed"), q + ".seed", 0, Long.MAX_VALUE) : 1;
                int times = (int) (v.has("times") ? integer(v.get("times"), q + ".times", 1, 20) : 1);
                return new CrashRandom(min, max, seed, times);
            }
            case "expect_exit": {
                obj(v, q, "status", "stderr_contains", "output_unchanged");
                if (!v.has("status")) {
                    throw bad(q, "'status' is required");
                }
                int status = (int) integer(v.get("status"), q + ".status", 0, 255);
                String contains = v.has("stderr_contains") ? str(v.get("stderr_contains"), q + ".stderr_contains") : null;
                boolean unchanged = !v.has("output_unchanged") || bool(v.get("output_unchanged"), q + ".output_unchanged");
                return new ExpectExit(status, contains, unchanged);
            }
            case "verify":
                requireTrue(v, q);
                return new Verify();
            case "fault":
                return new FaultStep(fault(v, q));
            case "clear_faults":
                requireTrue(v, q);
                return new ClearFaults();
            default:
                throw bad(p, "unknown action '" + action + "'");
        }
    }

    private static Fault fault(JsonNode f, String p) {
        obj(f, p, "type", "method", "times", "probability", "delay_ms", "by");
        if (!f.has("type")) {
            throw bad(p, "'type' is required");
        }
        Fault.Type type;
        try {
            type = Fault.Type.parse(str(f.get("type"), p + ".type"));
        } catch (IllegalArgumentException e) {
            throw bad(p + ".type", e.getMessage());
        }
        boolean delayed = type == Fault.Type.LATENCY || type == Fault.Type.TIMEOUT;
        if (delayed != f.has("delay_ms")) {
            throw bad(p, "'delay_ms' is required for latency and timeout faults, and only for them");
        }
        if (f.has("by") && type != Fault.Type.HEIGHT_BACKWARDS) {
            throw bad(p + ".by", "only applies to height_backwards faults");
        }
        Duration delay = Duration.ofMillis(delayed ? integer(f.get("delay_ms"), p + ".delay_ms", 0, 60_000) : 0);
        Fault fault;
        switch (type) {
            case LATENCY -> fault = Fault.latency(delay);
            case TIMEOUT -> fault = Fault.timeout(delay);
            case HTTP_500 -> fault = Fault.http500();
            case MALFORMED_JSON -> fault = Fault.malformedJson();
            case DROP_CONNECTION -> fault = Fault.dropConnection();
            default -> fault = Fault.heightBackwards(f.has("by") ? integer(f.get("by"), p + ".by", 1, 1000) : 1);
        }
        if (f.has("method")) {
            fault = fault.forMethod(str(f.get("method"), p + ".method"));
        }
        if (f.has("times") == f.has("probability")) {
            throw bad(p, "give either 'times' or 'probability'");
        }
        if (f.has("times")) {
            fault = fault.times((int) integer(f.get("times"), p + ".times", 1, 10_000));
        } else {
            JsonNode pr = f.get("probability");
            if (!pr.isNumber() || !(pr.doubleValue() > 0 && pr.doubleValue() <= 1)) {
                throw bad(p + ".probability", "must be a number in (0, 1], got " + pr);
            }
            fault = fault.withProbability(pr.doubleValue());
        }
        return fault;
    }

    private static Long atHeight(JsonNode v, String q) {
        if (v.isBoolean()) {
            requireTrue(v, q);
            return null;
        }
        obj(v, q, "at_height");
        return v.has("at_height") ? integer(v.get("at_height"), q + ".at_height", 0, 0xFFFF_FFFFL) : null;
    }

    private static void requireTrue(JsonNode v, String p) {
        if (!v.isBoolean() || !v.booleanValue()) {
            throw bad(p, "must be true, got " + v);
        }
    }

    private static void obj(JsonNode n, String p, String... allowed) {
        if (!n.isObject()) {
            throw bad(p, "must be an object, got " + n);
        }
        Set<String> ok = Set.of(allowed);
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!ok.contains(k)) {
                throw bad(p, "unknown key '" + k + "'");
            }
        }
    }

    private static String str(JsonNode n, String p) {
        if (!n.isTextual()) {
            throw bad(p, "must be a string, got " + n);
        }
        return n.textValue();
    }

    private static boolean bool(JsonNode n, String p) {
        if (!n.isBoolean()) {
            throw bad(p, "must be true or false, got " + n);
        }
        return n.booleanValue();
    }

    private static long integer(JsonNode n, String p, long min, long max) {
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw bad(p, "must be an integer, got " + n);
        }
        long v = n.longValue();
        if (v < min || v > max) {
            throw bad(p, "must be within " + min + ".." + max + ", got " + v);
        }
        return v;
    }

    private static IllegalArgumentException bad(String path, String message) {
        return new IllegalArgumentException(path + ": " + message);
    }
}
