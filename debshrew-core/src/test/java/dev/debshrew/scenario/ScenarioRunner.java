package dev.debshrew.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.ReorgStyle;
import dev.debshrew.journal.InMemoryChainStore;
import dev.debshrew.scenario.ScenarioSpec.Advance;
import dev.debshrew.scenario.ScenarioSpec.Crash;
import dev.debshrew.scenario.ScenarioSpec.CrashRandom;
import dev.debshrew.scenario.ScenarioSpec.ExpectExit;
import dev.debshrew.scenario.ScenarioSpec.Reorg;
import dev.debshrew.scenario.ScenarioSpec.Restart;
import dev.debshrew.scenario.ScenarioSpec.Start;
import dev.debshrew.scenario.ScenarioSpec.Step;
import dev.debshrew.scenario.ScenarioSpec.Stop;
import dev.debshrew.scenario.ScenarioSpec.Verify;
import dev.debshrew.sink.file.FileSink;
import dev.debshrew.sink.file.FileSinkConfig;
import dev.debshrew.testing.DaemonProcess;
import dev.debshrew.testing.Examples;
import dev.debshrew.testing.Pipeline;
import dev.debshrew.testing.TableFold;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Runs one {@link ScenarioSpec}: a devnet in this JVM, the daemon as a real child process
 * ({@link DaemonProcess}) with the file sink and the RocksDB store in {@code workDir}, then the
 * checks that do not depend on the golden file:
 * <ul>
 *   <li>the whole output decodes and folds strictly ({@link TableFold}: no create of an existing
 *       row, no update/delete whose before-image is not the current row);</li>
 *   <li>no line occurs twice (inverse timestamps normalised);</li>
 *   <li>inverse messages come newest first;</li>
 *   <li>at every {@code verify} step and at the end (unless the daemon was left halted by an
 *       error), the folded table state equals that of a fresh uninterrupted in-process run over
 *       the devnet's current chain.</li>
 * </ul>
 * {@link #run()} returns the normalised output for the golden comparison.
 */
final class ScenarioRunner implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(60);
    /** Logged by the daemon once its signal handler is installed and the follower starts. */
    static final String RUNNING = "debshrew following";
    private static final Map<String, Transform> REFERENCE_TRANSFORMS = new ConcurrentHashMap<>();

    private final ScenarioSpec spec;
    private final Path workDir;
    private final Path compileCache;
    private final Path out;
    private final Path cursorFile;
    private final Path config;
    private final List<String> trail = new ArrayList<>();
    private final List<DaemonProcess> processes = new ArrayList<>();
    private DevnetServer devnet;
    private DaemonProcess daemon;
    /** The daemon stopped with an error status (a deep reorg): the output no longer follows the chain. */
    private boolean halted;
    private byte[] snapshotOutput;
    private byte[] snapshotCursor;
    private int verifications;

    ScenarioRunner(ScenarioSpec spec, Path workDir, Path compileCache) {
        this.spec = spec;
        this.workDir = workDir;
        this.compileCache = compileCache;
        this.out = workDir.resolve("out.jsonl");
        this.cursorFile = workDir.resolve("out.jsonl.cursor");
        this.config = workDir.resolve("config.json");
    }

    /** The steps done so far, for failure messages. */
    List<String> trail() {
        return trail;
    }

    int verifications() {
        return verifications;
    }

    /** Runs every step and the independent checks; returns the normalised output lines. */
    List<String> run() throws Exception {
        ScenarioSpec.Devnet d = spec.devnet();
        devnet = DevnetServer.builder().seed(d.seed()).initialHeight(d.initialHeight()).versionLine(d.versionLine())
                .reorgTiming(d.reorgTiming()).build().start(0);
        writeConfig();
        if (spec.daemon().autostart()) {
            note("autostart");
            start(null);
            if (!spec.steps().isEmpty() && spec.steps().get(0) instanceof ExpectExit) {
                note("(not waiting: an exit is expected next)");
            } else {
                awaitCaughtUp();
            }
        }
        List<Step> steps = spec.steps();
        for (int i = 0; i < steps.size(); i++) {
            Step step = steps.get(i);
            boolean exitExpectedNext = i + 1 < steps.size() && steps.get(i + 1) instanceof ExpectExit;
            note("step " + (i + 1) + ": " + step.describe());
            execute(step, !exitExpectedNext);
        }
        note("end");
        if (daemon != null) {
            awaitCaughtUp();
            terminate();
        }
        if (!halted) {
            verify();
        }
        return checkStream();
    }

    // ------------------------------------------------------------------ steps

    private void execute(Step step, boolean await) throws Exception {
        if (step instanceof Advance a) {
            devnet.mine(a.blocks());
            if (daemon != null && await) {
                awaitCaughtUp();
            }
        } else if (step instanceof Reorg r) {
            reorg(r);
            if (r.await()) {
                assertThat(devnet.awaitReorg(WAIT)).as("devnet reorg finished").isTrue();
                if (daemon != null && await) {
                    awaitCaughtUp();
                }
            }
        } else if (step instanceof Restart r) {
            requireRunning(step);
            if (r.atHeight() != null) {
                awaitCursorAtLeast(r.atHeight());
            }
            terminate();
            start(null);
            if (await) {
                awaitCaughtUp();
            }
        } else if (step instanceof Stop s) {
            requireRunning(step);
            if (s.atHeight() != null) {
                awaitCursorAtLeast(s.atHeight());
            }
            terminate();
        } else if (step instanceof Start s) {
            if (daemon != null) {
                throw new IllegalStateException(step.describe() + ": the daemon is already running");
            }
            start(null);
            if (s.await() && await) {
                awaitCaughtUp();
            }
        } else if (step instanceof Crash c) {
            crash(c, await);
        } else if (step instanceof CrashRandom c) {
            crashRandom(c, await);
        } else if (step instanceof ExpectExit e) {
            expectExit(e);
        } else if (step instanceof ScenarioSpec.FaultStep f) {
            devnet.inject(f.fault());
        } else if (step instanceof ScenarioSpec.ClearFaults) {
            devnet.clearFaults();
        } else if (step instanceof Verify) {
            if (daemon != null) {
                awaitCaughtUp();
            }
            verify();
        } else {
            throw new IllegalStateException("unknown step " + step);
        }
    }

    private void reorg(Reorg r) throws Exception {
        assertThat(devnet.awaitReorg(WAIT)).as("previous devnet reorg finished").isTrue();
        devnet.reorg(r.depth(), r.newBlocks(), r.style());
        if (r.style() == ReorgStyle.INSTANT) {
            assertThat(devnet.awaitReorg(WAIT)).isTrue();
        }
    }

    private void crash(Crash c, boolean await) throws Exception {
        if (daemon != null) {
            terminate();
        }
        DaemonProcess d = start(c.point() + "@" + c.height());
        if (c.trigger() != null) {
            awaitCaughtUp();
            if (c.trigger() instanceof Advance a) {
                devnet.mine(a.blocks());
            } else if (c.trigger() instanceof Reorg r) {
                reorg(r);
            } else {
                throw new IllegalStateException("bad trigger " + c.trigger());
            }
        }
        d.awaitPaused(WAIT);
        note("paused at " + c.point() + "@" + c.height() + " (cursor " + cursorText() + "); SIGKILL");
        d.kill();
        daemon = null;
        assertThat(devnet.awaitReorg(WAIT)).isTrue();
        if (c.restart()) {
            start(null);
            if (await) {
                awaitCaughtUp();
            }
        }
    }

    private void crashRandom(CrashRandom c, boolean await) throws Exception {
        if (daemon != null) {
            terminate();
        }
        Random rnd = new Random(c.seed());
        for (int i = 0; i < c.times(); i++) {
            long delay = c.minMs() + (long) (rnd.nextDouble() * (c.maxMs() - c.minMs() + 1));
            DaemonProcess d = start(null);
            // the delay counts from the start of the follower, so that JVM start-up time (which
            // varies a lot with the machine's load) does not decide where the kill lands
            awaitRunning(d);
            Thread.sleep(delay);
            if (!d.isAlive()) {
                throw new AssertionError("the daemon exited by itself before the random kill:\n" + d.stderr());
            }
            d.kill();
            daemon = null;
            note("random SIGKILL " + (i + 1) + " " + delay + " ms after the follower started (cursor " + cursorText() + ")");
        }
        start(null);
        if (await) {
            awaitCaughtUp();
        }
    }

    private void expectExit(ExpectExit e) throws Exception {
        requireRunning(e);
        DaemonProcess d = daemon;
        int status = d.awaitExit(WAIT);
        daemon = null;
        String stderr = d.stderr();
        assertThat(status).as("exit status; stderr:\n%s", stderr).isEqualTo(e.status());
        if (e.stderrContains() != null) {
            assertThat(stderr).contains(e.stderrContains());
        }
        if (e.outputUnchanged()) {
            assertThat(snapshotOutput).as("no caught-up snapshot to compare with").isNotNull();
            Golden.assertSame("output after the daemon exited with " + status + " vs. the last caught-up output",
                    Golden.lines(snapshotOutput), Golden.lines(Files.readAllBytes(out)));
            assertThat(Files.readAllBytes(cursorFile)).as("cursor file after exit %d", status)
                    .isEqualTo(snapshotCursor);
        }
        halted = status != 0;
        note("exited with " + status);
    }

    private void requireRunning(Step step) {
        if (daemon == null) {
            throw new IllegalStateException(step.describe() + ": the daemon is not running");
        }
    }

    // ------------------------------------------------------------------ daemon process

    private void writeConfig() throws IOException {
        ScenarioSpec.Daemon d = spec.daemon();
        ObjectNode cfg = DebshrewConfig.emptyTree();
        cfg.putObject("metashrew").put("url", devnet.url()).put("timeout", 10);
        cfg.putObject("transform").put("path", Examples.assemblyScript(d.transform()).toString())
                .put("compile_cache_dir", compileCache.toString());
        cfg.putObject("sink").put("type", "file").put("path", out.toString());
        cfg.put("cache_size", d.cacheSize()).put("start_height", d.startHeight())
                .put("data_dir", workDir.resolve("data").toString()).put("poll_interval_ms", 20);
        Files.writeString(config, cfg.toPrettyString());
    }

    private DaemonProcess start(String pauseAt) throws IOException {
        halted = false;
        daemon = DaemonProcess.start(config, pauseAt, workDir.resolve("logs"));
        processes.add(daemon);
        return daemon;
    }

    /**
     * Waits until the daemon logged that it runs the follower: its SIGTERM handler is installed by
     * then (a SIGTERM during JVM start-up ends the process with 143 before the handler exists), and
     * a cursor that already names the tip is not mistaken for a caught-up process.
     */
    private static void awaitRunning(DaemonProcess d) throws Exception {
        d.awaitStderr(RUNNING, WAIT);
    }

    private void terminate() throws Exception {
        DaemonProcess d = daemon;
        daemon = null;
        awaitRunning(d);
        int status = d.terminate(WAIT);
        assertThat(status).as("exit status after SIGTERM; stderr:\n%s", d.stderr()).isZero();
        assertThat(d.stderr()).as("SIGTERM handled by the daemon").contains("stop requested");
    }

    /** Waits until the daemon's cursor names the devnet's tip (after any phased reorg finished). */
    private void awaitCaughtUp() throws Exception {
        assertThat(devnet.awaitReorg(WAIT)).as("devnet reorg finished").isTrue();
        long h = devnet.height();
        String hash = devnet.blockHash(h);
        DaemonProcess d = daemon;
        awaitRunning(d);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            JsonNode c = readCursor();
            if (c != null && c.path("height").asLong() == h && hash.equals(c.path("hash").asText())) {
                break;
            }
            if (!d.isAlive()) {
                throw new AssertionError("the daemon exited with " + d.awaitExit(WAIT) + " before catching up with "
                        + h + " (cursor " + cursorText() + "):\n" + d.stderr());
            }
            if (d.stderr().contains("PAUSED ")) {
                throw new AssertionError("the daemon reached its pause point before catching up with " + h
                        + ": the crash height must lie beyond the tip, or drop the trigger:\n" + d.stderr());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the daemon did not catch up with " + h + ":" + hash + " within " + WAIT
                        + " (cursor " + cursorText() + "):\n" + d.stderr());
            }
            Thread.sleep(15);
        }
        snapshotOutput = Files.readAllBytes(out);
        snapshotCursor = Files.readAllBytes(cursorFile);
    }

    private void awaitCursorAtLeast(long height) throws Exception {
        DaemonProcess d = daemon;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            JsonNode c = readCursor();
            if (c != null && c.path("height").asLong() >= height) {
                return;
            }
            if (!d.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("the cursor did not reach " + height + " (cursor " + cursorText() + "):\n"
                        + d.stderr());
            }
            Thread.sleep(5);
        }
    }

    private JsonNode readCursor() {
        try {
            return Files.exists(cursorFile) ? CdcCodec.mapper().readTree(Files.readAllBytes(cursorFile)) : null;
        } catch (IOException e) {
            return null; // replaced while reading
        }
    }

    private String cursorText() {
        JsonNode c = readCursor();
        return c == null ? "none" : c.path("height").asText() + ":" + c.path("hash").asText();
    }

    private void note(String s) {
        trail.add(s);
    }

    // ------------------------------------------------------------------ checks

    /** The fold of the output equals the fold of a fresh uninterrupted run over the current chain. */
    private void verify() throws Exception {
        if (!devnet.activeFaults().isEmpty()) {
            note("clearing faults " + devnet.activeFaults() + " for the reference run");
            devnet.clearFaults();
        }
        long h = devnet.height();
        JsonNode c = readCursor();
        assertThat(c != null && c.path("height").asLong() == h && devnet.blockHash(h).equals(c.path("hash").asText()))
                .as("verify needs the daemon caught up with the devnet tip %d; cursor %s", h, cursorText()).isTrue();
        verifications++;
        Path ref = workDir.resolve("reference-" + verifications + ".jsonl");
        Transform t = referenceTransform(spec.daemon().transform(), compileCache);
        try (Pipeline p = new Pipeline(devnet, t, new InMemoryChainStore(spec.daemon().cacheSize()),
                new FileSink(new FileSinkConfig(ref, false, false)), spec.daemon().startHeight())) {
            p.awaitCaughtUp(WAIT);
        }
        List<CdcMessage> reference = TableFold.readFile(ref);
        assertThat(reference).as("reference run").noneMatch(m -> m.header().inverse()).isNotEmpty();
        TableFold expected = TableFold.ofFile(ref);
        TableFold actual = TableFold.ofFile(out);
        assertThat(actual.tables()).as("table state folded from the output vs. a fresh run over the chain at %d", h)
                .isEqualTo(expected.tables());
        // stronger: replaying the stream block by block, the forward messages of the blocks that were
        // not undone are exactly the messages of the uninterrupted run
        StreamModel model = new StreamModel();
        model.replay(Golden.lines(Files.readAllBytes(out)));
        List<String> canonical = new ArrayList<>();
        for (long k = spec.daemon().startHeight(); k <= h; k++) {
            canonical.add(k + ":" + devnet.blockHash(k));
        }
        assertThat(model.survivingBlocks()).as("blocks delivered and not undone vs. the chain at %d", h)
                .isEqualTo(canonical);
        Golden.assertSame("forward messages of the surviving blocks vs. a fresh run over the chain at " + h,
                Golden.lines(Files.readAllBytes(ref)), model.survivors());
        note("verified at " + h + ": " + rowCounts(expected));
    }

    private static String rowCounts(TableFold f) {
        Map<String, Integer> counts = new HashMap<>();
        f.tables().forEach((t, rows) -> counts.put(t, rows.size()));
        return counts.toString();
    }

    /** Checks of the whole stream; returns its normalised lines. */
    private List<String> checkStream() throws Exception {
        List<String> lines = Golden.lines(Files.readAllBytes(out));
        List<String> normalised = Golden.normalise(lines);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < normalised.size(); i++) {
            if (!seen.add(normalised.get(i))) {
                throw new AssertionError("line " + (i + 1) + " duplicates an earlier line: " + normalised.get(i));
            }
        }
        List<CdcMessage> messages = TableFold.readFile(out);
        TableFold.ofFile(out); // strict fold of the whole stream: throws on an inconsistent message
        StreamModel model = new StreamModel();
        model.replay(lines); // every inverse block undoes exactly the last delivered block
        note(model.undoneBlocks() + " block(s) undone in the stream");
        for (int i = 1; i < messages.size(); i++) {
            CdcMessage prev = messages.get(i - 1);
            CdcMessage m = messages.get(i);
            if (m.header().inverse() && prev.header().inverse()) {
                assertThat(m.header().blockHeight()).as("inverse messages newest first (line %d)", i + 1)
                        .isLessThanOrEqualTo(prev.header().blockHeight());
            } else if (!m.header().inverse() && !prev.header().inverse()) {
                assertThat(m.header().blockHeight()).as("forward messages in height order (line %d)", i + 1)
                        .isGreaterThanOrEqualTo(prev.header().blockHeight());
            }
        }
        return normalised;
    }

    /** A transform for in-process reference runs, loaded once per example and JVM. */
    static Transform referenceTransform(String name, Path compileCache) {
        return REFERENCE_TRANSFORMS.computeIfAbsent(name, n -> {
            try {
                return Transform.load(Examples.assemblyScript(n),
                        TransformLimits.builder().compileCacheDir(compileCache).build());
            } catch (Exception e) {
                throw new IllegalStateException("cannot load example " + n, e);
            }
        });
    }

    /** The stderr of every daemon process of this scenario (for failure reports). */
    String daemonLogs() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < processes.size(); i++) {
            try {
                String s = processes.get(i).stderr();
                String[] lines = s.split("\n");
                sb.append("--- daemon process ").append(i + 1).append(" (last lines) ---\n");
                sb.append(String.join("\n", Arrays.asList(lines).subList(Math.max(0, lines.length - 15), lines.length)))
                        .append('\n');
            } catch (IOException e) {
                sb.append("--- daemon process ").append(i + 1).append(": ").append(e).append('\n');
            }
        }
        return sb.toString();
    }

    @Override
    public void close() throws Exception {
        for (DaemonProcess p : processes) {
            p.close();
        }
        if (devnet != null) {
            devnet.close();
        }
    }

    /** Deletes a directory tree (the previous run of a scenario). */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
