package dev.debshrew.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcHeader;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.ReorgTiming;
import dev.debshrew.journal.InMemoryChainStore;
import dev.debshrew.sink.file.FileSink;
import dev.debshrew.sink.file.FileSinkConfig;
import dev.debshrew.testing.DaemonProcess;
import dev.debshrew.testing.Examples;
import dev.debshrew.testing.Pipeline;
import dev.debshrew.testing.TableFold;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Shared pieces of the end-to-end suites: daemon configs, reference runs and the exactly-once checks. */
final class E2e {

    static final Duration WAIT = Duration.ofSeconds(90);
    static final ReorgTiming FAST = new ReorgTiming(Duration.ofMillis(30), Duration.ofMillis(30),
            Duration.ofMillis(20));
    static final CdcCodec CODEC = new CdcCodec();

    private static final Pattern SINK_DOWN_ATTEMPT =
            Pattern.compile("sink \\S+ is down: could not .*? \\(attempt (\\d+),");

    private E2e() {
    }

    /**
     * A daemon config (JSON file) following {@code devnet} with the example {@code transform},
     * writing to {@code sinks} ({@code sink} for one, {@code sinks} for several).
     */
    static Path writeConfig(Path file, DevnetServer devnet, String transform, Path dataDir, Path compileCache,
            String stateStore, ObjectNode... sinks) throws IOException {
        ObjectNode cfg = DebshrewConfig.emptyTree();
        cfg.putObject("metashrew").put("url", devnet.url()).put("timeout", 10);
        cfg.putObject("transform").put("path", Examples.assemblyScript(transform).toString())
                .put("compile_cache_dir", compileCache.toString());
        if (sinks.length == 1) {
            cfg.set("sink", sinks[0]);
        } else {
            ArrayNode a = cfg.putArray("sinks");
            for (ObjectNode s : sinks) {
                a.add(s);
            }
        }
        cfg.put("cache_size", 6).put("start_height", 0).put("data_dir", dataDir.toString())
                .put("state_store", stateStore).put("poll_interval_ms", 50);
        // catch-up in many small commit groups (speculation on, as by default), so the kills of the
        // crash scenarios land before, inside and between groups
        cfg.putObject("engine").put("group_max_blocks", 5).put("speculation", 4);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, cfg.toPrettyString());
        return file;
    }

    /**
     * Makes the daemon of {@code config} retry its sinks fast ({@code retry_max_delay_ms} =
     * {@code maxDelayMs}, so many retry cycles stand for minutes at the default cap) and log every
     * failed attempt (the DEBUG line {@link #sinkDownAttempts} counts).
     */
    static Path fastSinkRetries(Path config, int maxDelayMs) throws IOException {
        ObjectNode cfg = (ObjectNode) CdcCodec.mapper().readTree(config.toFile());
        cfg.put("retry_max_delay_ms", maxDelayMs);
        cfg.putObject("log_levels").put("dev.debshrew.follow.SinkFanOut", "debug");
        Files.writeString(config, cfg.toPrettyString());
        return config;
    }

    /** The highest attempt number of the sink's "is down" lines in a daemon's log (see {@link #fastSinkRetries}). */
    static int sinkDownAttempts(String log) {
        Matcher m = SINK_DOWN_ATTEMPT.matcher(log);
        int max = 0;
        while (m.find()) {
            max = Math.max(max, Integer.parseInt(m.group(1)));
        }
        return max;
    }

    static ObjectNode sink(String type) {
        return CdcCodec.mapper().createObjectNode().put("type", type);
    }

    /** The messages of an uninterrupted in-process run over the devnet's current (final) chain. */
    static List<CdcMessage> reference(DevnetServer devnet, Transform transform, Path dir) throws Exception {
        Path ref = Files.createTempFile(dir, "reference-", ".jsonl");
        Files.delete(ref);
        try (Pipeline p = new Pipeline(devnet, transform, new InMemoryChainStore(6),
                new FileSink(new FileSinkConfig(ref, true, false)), 0L)) {
            p.awaitCaughtUp(WAIT);
        }
        List<CdcMessage> out = TableFold.readFile(ref);
        assertThat(out).as("the reference run has no reorg").noneMatch(m -> m.header().inverse());
        return out;
    }

    /** {@link #reference(DevnetServer, Transform, Path)} with the AssemblyScript example {@code example}. */
    static List<CdcMessage> reference(DevnetServer devnet, String example, Path dir) throws Exception {
        try (Transform t = Transform.load(Examples.assemblyScript(example), TransformLimits.builder().build())) {
            return reference(devnet, t, dir);
        }
    }

    /** The message with the timestamp of an inverse message zeroed (it is the time of the undo). */
    static CdcMessage normalise(CdcMessage m) {
        if (!m.header().inverse()) {
            return m;
        }
        CdcHeader h = m.header();
        return new CdcMessage(new CdcHeader(h.source(), 0, h.blockHeight(), h.blockHash(), h.transactionId(), true),
                m.payload());
    }

    static TableFold fold(List<CdcMessage> messages) {
        TableFold f = new TableFold();
        messages.forEach(f::apply);
        return f;
    }

    /** What {@link #assertExactlyOnce} checked. */
    record Checked(int delivered, int canonical, int inverse) {
        @Override
        public String toString() {
            return delivered + " delivered (" + inverse + " inverse), " + canonical + " canonical each exactly once";
        }
    }

    /**
     * The delivered stream, folded, equals the fold of the canonical chain; every canonical message
     * is in it exactly once; no message (inverse ones with their timestamp normalised) is in it twice.
     */
    static Checked assertExactlyOnce(String what, List<CdcMessage> delivered, List<CdcMessage> canonical) {
        // keyed by JSON tree: field order does not matter (PostgreSQL jsonb reorders object fields)
        Map<JsonNode, Integer> counts = new HashMap<>();
        int inverse = 0;
        for (CdcMessage m : delivered) {
            counts.merge(identity(m), 1, Integer::sum);
            if (m.header().inverse()) {
                inverse++;
            }
        }
        List<String> duplicated = counts.entrySet().stream().filter(e -> e.getValue() > 1)
                .map(e -> e.getValue() + "x " + e.getKey()).limit(5).toList();
        assertThat(duplicated).as("%s: messages delivered more than once", what).isEmpty();
        List<String> missing = canonical.stream().filter(m -> !counts.containsKey(identity(m))).map(CODEC::encode)
                .limit(5).toList();
        assertThat(missing).as("%s: canonical messages missing", what).isEmpty();
        TableFold actual;
        try {
            actual = fold(delivered);
        } catch (IllegalStateException e) {
            throw new AssertionError(what + ": the delivered stream does not fold: " + e.getMessage(), e);
        }
        assertThat(actual.tables()).as("%s: folded table state", what).isEqualTo(fold(canonical).tables());
        return new Checked(delivered.size(), canonical.size(), inverse);
    }

    /** A message as a JSON tree, with the timestamp of an inverse message zeroed. */
    static JsonNode identity(CdcMessage m) {
        return reparse(CODEC.encode(normalise(m)));
    }

    /** Table state as JSON trees re-parsed from their text, so numbers compare by value and kind alike. */
    static Map<String, Map<String, JsonNode>> normaliseTables(Map<String, Map<String, JsonNode>> tables) {
        Map<String, Map<String, JsonNode>> out = new TreeMap<>();
        tables.forEach((t, rows) -> {
            Map<String, JsonNode> m = new TreeMap<>();
            rows.forEach((k, v) -> m.put(k, reparse(v.toString())));
            out.put(t, m);
        });
        return out;
    }

    static JsonNode reparse(String json) {
        try {
            return CdcCodec.mapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until {@code condition} holds; fails early (with the daemon's stderr) when the daemon
     * exits, and after {@code timeout}. Exceptions of the condition count as "not yet".
     */
    static void await(String what, DaemonProcess daemon, Duration timeout, Callable<Boolean> condition)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (Boolean.TRUE.equals(condition.call())) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            if (daemon != null && !daemon.isAlive()) {
                throw new AssertionError("daemon exited before " + what + ":\n" + tail(daemon.stderr()));
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out after " + timeout + " waiting for " + what
                + (last == null ? "" : " (last error: " + last + ")")
                + (daemon == null ? "" : ":\n" + tail(daemon.stderr())));
    }

    /** How many times {@code what} occurs in {@code text} (e.g. a log line in a daemon's stderr). */
    static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    static String tail(String s) {
        return s.length() <= 6000 ? s : "..." + s.substring(s.length() - 6000);
    }
}
