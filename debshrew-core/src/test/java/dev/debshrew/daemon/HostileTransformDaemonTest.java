package dev.debshrew.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.follow.PipelineException;
import dev.debshrew.journal.JournalEntry;
import dev.debshrew.journal.RocksChainStore;
import dev.debshrew.testing.Background;
import dev.debshrew.testing.DaemonThread;
import dev.debshrew.testing.TableFold;
import dev.debshrew.transform.TransformLoadException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 13 item 7, at the daemon level: a transform that behaves for blocks 0..4 and turns hostile
 * at block 5 (trap, infinite loop, deep recursion, memory bomb, state bomb, huge output, invalid
 * JSON, invalid UTF-8, out-of-bounds pointer, thousands of view calls) stops the real daemon with a
 * clear error naming block 5 and the cause; nothing of block 5 is committed (the file sink's
 * output and cursor, the RocksDB store's journal); the JVM is healthy: no thread of the failed
 * daemon is left, and the next daemon run in the same JVM (with the module fixed) resumes at block
 * 5 and ends with every block exactly once. Modules importing WASI or an unknown host function
 * are refused at load, naming the import, before anything is written.
 */
class HostileTransformDaemonTest {

    private static final int HOSTILE_FROM = 5;
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String VIEW_NAME = "\\0c\\00\\00\\00blocktracker";

    @TempDir
    Path dir;

    private DevnetServer devnet;

    @BeforeEach
    void startDevnet() throws Exception {
        devnet = DevnetServer.builder().seed(71).initialHeight(8).build().start(0);
    }

    @AfterEach
    void stopDevnet() {
        devnet.close();
    }

    /** A hostile behaviour from block 5 on and what the error must say about it. */
    record Case(String name, String imports, String data, String body, List<String> says, long blockTimeoutMs) {
        Case(String name, String imports, String data, String body, List<String> says) {
            this(name, imports, data, body, says, 2000);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> runtimeCases() {
        int d = HostileWasm.DATA_AT;
        String invalidUtf8 = HostileWasm.goodMessage('5').replace("\"b5\"", "\"b\u00ff\u00fe\"");
        byte[] badBytes = invalidUtf8.getBytes(StandardCharsets.ISO_8859_1); // 0xff 0xfe: not UTF-8
        return Stream.of(
                new Case("trap", "", "", "unreachable", List.of("unreachable")),
                new Case("infinite-loop", "", "", "(loop $l (br $l)) (i32.const 0)",
                        List.of("blockTimeout")),
                // the default deadline: exhausting a 16 MiB stack takes seconds of compiled guest code
                new Case("deep-recursion", "", "", "(call $recurse (i32.const 0))",
                        List.of("TRAP", "call stack exhausted"), 30_000),
                new Case("memory-bomb", "", "", "(drop (memory.grow (i32.const 30000))) (i32.const 0)",
                        List.of("memory")),
                new Case("state-bomb", "", "  (data (i32.const " + d + ") \"\\04\\00\\00\\00\")\n"
                        + "  (data (i32.const " + (d + 16) + ") \"\\60\\ea\\00\\00\")\n",
                        "(local $i i32) (loop $l (i32.store (i32.const " + (d + 4) + ") (local.get $i))"
                                + " (drop (call $set_state (i32.const " + d + ") (i32.const " + (d + 16) + ")))"
                                + " (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)) (i32.const 0)",
                        List.of("max_state_bytes")),
                new Case("huge-output", "", "", "(drop (memory.grow (i32.const 20)))"
                        + " (i32.store (i32.const " + d + ") (i32.const 1200000)) (i32.const " + d + ")",
                        List.of("1200000", "maxOutputBytes")),
                new Case("invalid-json", "", "  (data (i32.const " + d + ") \""
                        + HostileWasm.lengthPrefixed("[{\"header\":".getBytes(StandardCharsets.UTF_8)) + "\")\n",
                        "(i32.const " + d + ")", List.of("JSON")),
                new Case("invalid-utf8", "", "  (data (i32.const " + d + ") \"" + HostileWasm.lengthPrefixed(badBytes)
                        + "\")\n", "(i32.const " + d + ")", List.of("UTF-8")),
                new Case("out-of-bounds-pointer", "", "", "(i32.const 70000)", List.of("70000")),
                new Case("thousands-of-view-calls", "", "  (data (i32.const " + d + ") \"" + VIEW_NAME + "\")\n"
                        + "  (data (i32.const " + (d + 32) + ") \"\\02\\00\\00\\00\\01\\02\")\n",
                        "(loop $l (drop (call $view (i32.const " + d + ") (i32.const " + (d + 32) + "))) (br $l))"
                                + " (i32.const 0)", List.of("1000", "view")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runtimeCases")
    void aHostileBlockStopsTheDaemonNamingTheBlockAndCauseCommitsNothingOfItAndTheJvmStaysHealthy(Case c)
            throws Exception {
        Path wasm = HostileWasm.compile(dir.resolve("wat"), c.name(),
                HostileWasm.wat(HOSTILE_FROM, c.imports(), c.data(), c.body()));
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        Daemon daemon = Daemon.create(config(wasm, c.blockTimeoutMs()));
        Background runner = Background.start("hostile-daemon-" + c.name(), daemon::run);
        if (!runner.join(WAIT)) {
            daemon.stop(30_000);
            throw new AssertionError(c.name() + ": the daemon did not stop on the hostile block within " + WAIT);
        }
        assertThat(runner.failure()).as("%s: the daemon's failure", c.name()).isInstanceOf(PipelineException.class);
        PipelineException e = (PipelineException) runner.failure();
        assertThat(e.needsOperator()).as("a transform failing on a block needs the operator (exit 3)").isTrue();
        assertThat(e.getMessage()).as("%s: the error names the block", c.name()).contains("block " + HOSTILE_FROM);
        for (String s : c.says()) {
            assertThat(fullMessage(e)).as("%s: the error names the cause", c.name()).contains(s);
        }

        assertCommittedThrough(HOSTILE_FROM - 1, c.name());
        try (RocksChainStore store = RocksChainStore.open(files().stateDir(), 6)) {
            assertThat(store.tip().map(JournalEntry::height)).as("%s: the store's tip", c.name())
                    .contains((long) HOSTILE_FROM - 1);
        }
        awaitNoThreadLeftBeyond(before, c.name());

        // the same JVM runs the next daemon (the module fixed) from block 5 to the tip
        Path fixed = HostileWasm.compile(dir.resolve("wat"), c.name() + "-fixed",
                HostileWasm.wat(100, c.imports(), c.data(), c.body()));
        try (DaemonThread next = DaemonThread.start(Daemon.create(config(fixed, c.blockTimeoutMs()), true), "fixed-" + c.name())) {
            awaitCursor(devnet.height(), next);
        }
        assertCommittedThrough(devnet.height(), c.name());
    }

    static Stream<Case> loadCases() {
        return Stream.of(
                new Case("wasi-import", "  (import \"wasi_snapshot_preview1\" \"fd_write\""
                        + " (func $fd_write (param i32 i32 i32 i32) (result i32)))\n", "", "(i32.const 0)",
                        List.of("wasi_snapshot_preview1", "fd_write")),
                new Case("unknown-import", "  (import \"env\" \"__secret_rng\" (func $rng (result i64)))\n", "",
                        "(i32.const 0)", List.of("__secret_rng")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("loadCases")
    void aModuleWithAForbiddenImportIsRefusedAtLoadNamingItBeforeAnythingIsWritten(Case c) throws Exception {
        Path wasm = HostileWasm.compile(dir.resolve("wat"), c.name(),
                HostileWasm.wat(HOSTILE_FROM, c.imports(), c.data(), c.body()));
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        assertThatThrownBy(() -> Daemon.create(config(wasm, 2000)))
                .isInstanceOf(TransformLoadException.class)
                .hasMessageContaining(wasm.getFileName().toString())
                .satisfies(e -> c.says().forEach(s -> assertThat(fullMessage(e)).contains(s)));
        assertThat(files().out()).as("no sink output").doesNotExist();
        assertThat(files().stateDir()).as("no state store").doesNotExist();
        assertThat(devnet.requestCount()).as("the node was not contacted").isZero();
        awaitNoThreadLeftBeyond(before, c.name());
    }

    private DaemonFiles files() {
        return new DaemonFiles(dir);
    }

    private DebshrewConfig config(Path wasm, long blockTimeoutMs) throws Exception {
        ObjectNode cfg = DebshrewConfig.emptyTree();
        cfg.putObject("metashrew").put("url", devnet.url()).put("timeout", 10);
        cfg.putObject("transform").put("path", wasm.toString()).put("compile_cache_dir", "")
                .put("block_timeout_ms", blockTimeoutMs).put("max_output_bytes", 1_000_000)
                .put("max_state_bytes", 1_000_000).put("max_view_calls", 1000);
        cfg.putObject("sink").put("type", "file").put("path", files().out().toString());
        cfg.put("cache_size", 6).put("start_height", 0).put("data_dir", dir.resolve("data").toString())
                .put("poll_interval_ms", 50);
        return DebshrewConfig.fromJson(cfg, "test");
    }

    /** The file sink holds blocks 0..{@code height} exactly once each (keys b0..), its cursor names the block. */
    private void assertCommittedThrough(long height, String what) throws Exception {
        JsonNode cursor = CdcCodec.mapper().readTree(cursorFile().toFile());
        assertThat(cursor.path("height").asLong()).as("%s: sink cursor", what).isEqualTo(height);
        assertThat(cursor.path("hash").asText()).isEqualTo(devnet.blockHash(height));
        List<CdcMessage> out = TableFold.readFile(files().out());
        assertThat(out.stream().map(m -> m.payload().key()).toList()).as("%s: every block's message exactly once",
                what).isEqualTo(IntStream.rangeClosed(0, (int) height).mapToObj(h -> "b" + h).toList());
    }

    private Path cursorFile() {
        return files().out().resolveSibling(files().out().getFileName() + ".cursor");
    }

    private void awaitCursor(long height, DaemonThread d) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            if (Files.exists(cursorFile())) {
                try {
                    if (CdcCodec.mapper().readTree(cursorFile().toFile()).path("height").asLong() == height) {
                        return;
                    }
                } catch (java.io.IOException ignored) {
                    // replaced while reading
                }
            }
            if (d.failure() != null) {
                throw new AssertionError("the fixed daemon failed", d.failure());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the fixed daemon did not reach " + height + " within " + WAIT);
            }
            Thread.sleep(20);
        }
    }

    /** Every thread the daemon started ends (bounded wait); lists the survivors otherwise. */
    private static void awaitNoThreadLeftBeyond(Set<Thread> before, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Set<String> left;
        do {
            left = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.isAlive() && !before.contains(t) && !jvmShared(t.getName()))
                    .map(Thread::getName).collect(Collectors.toCollection(java.util.TreeSet::new));
            if (left.isEmpty()) {
                return;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError(what + ": threads left behind by the failed daemon: " + left);
    }

    /**
     * Threads that are not the daemon's: the test's devnet server, and JVM- or library-wide ones
     * shared by every user that end by themselves when idle (OkHttp's task runner and Okio's
     * watchdog, after the daemon's client shut its dispatcher down and evicted its connections).
     */
    private static boolean jvmShared(String name) {
        return name.startsWith("devnet-") || name.startsWith("ForkJoinPool.commonPool")
                || name.startsWith("process reaper") || name.startsWith("Common-Cleaner")
                || name.startsWith("Attach Listener") || name.equals("OkHttp TaskRunner")
                || name.equals("Okio Watchdog");
    }

    private static String fullMessage(Throwable e) {
        StringBuilder s = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            s.append(t.getMessage()).append(" | ");
        }
        return s.toString();
    }
}
