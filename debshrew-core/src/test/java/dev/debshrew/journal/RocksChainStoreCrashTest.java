package dev.debshrew.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 safety: a child JVM commits and reverts blocks as fast as it can; it is killed with
 * SIGKILL at a random moment, the store is reopened and must be exactly at the position after the
 * last event the child reported durable, or after the one it was in the middle of; state and
 * journal must match the script replayed up to that position. Repeated a few times on the same
 * store (each child resumes where the previous one died).
 */
class RocksChainStoreCrashTest {

    private static final int KILLS = 5;

    @TempDir
    Path tmp;

    @Test
    void storeIsConsistentAfterKillMinus9AtRandomMoments() throws Exception {
        Path dir = tmp.resolve("state");
        Random rnd = new Random();
        long seed = rnd.nextLong();
        rnd.setSeed(seed);
        CrashScript.Position pos = CrashScript.Position.EMPTY;
        int totalEvents = 0;
        for (int round = 0; round < KILLS; round++) {
            List<CrashScript.Event> events = new ArrayList<>();
            int delayMs = rnd.nextInt(1500);
            runAndKill(dir, delayMs, events);
            totalEvents += events.size();

            // what the store may hold: the position after the last reported event, or after the next one
            CrashScript.Position reported = pos;
            boolean afterRevert = false;
            for (CrashScript.Event e : events) {
                assertThat(e).as("events follow the script (seed %d)", seed)
                        .isEqualTo(CrashScript.next(reported, afterRevert));
                reported = e.after();
                afterRevert = e.revert();
            }
            CrashScript.Position inFlight = CrashScript.next(reported, afterRevert).after();

            try (RocksChainStore store = RocksChainStore.open(dir, CrashScript.WINDOW)) {
                CrashScript.Position actual = CrashScript.position(store);
                assertThat(actual).as("round %d, killed %d ms after its first step, %d events (seed %d)", round, delayMs,
                        events.size(), seed).isIn(reported, inFlight);
                assertConsistent(store, actual);
                pos = actual;
            }
        }
        assertThat(totalEvents).as("the children made progress").isGreaterThan(KILLS);

        // finally, the journal written across all those crashes undoes the whole window exactly
        try (RocksChainStore store = RocksChainStore.open(dir, CrashScript.WINDOW)) {
            while (store.tip().isPresent()) {
                JournalEntry undone = store.revertTip();
                CrashScript.Position p = undone.height() == 0 ? CrashScript.Position.EMPTY
                        : new CrashScript.Position(undone.height() - 1, CrashScript.finalBranch(undone.height() - 1));
                Map<String, byte[]> model = new HashMap<>();
                CrashScript.replay(p, model);
                StoreTesting.assertStateEquals(store, model, CrashScript.KEYS);
            }
        }
    }

    private static void assertConsistent(RocksChainStore store, CrashScript.Position pos) {
        Map<String, byte[]> model = new HashMap<>();
        CrashScript.replay(pos, model);
        StoreTesting.assertStateEquals(store, model, CrashScript.KEYS);
        List<JournalEntry> window = store.window();
        // full window, or one less right after a revert
        int full = (int) Math.min(CrashScript.WINDOW, pos.height() + 1);
        assertThat(window.size()).isBetween(Math.max(0, full - 1), full);
        for (int i = 0; i < window.size(); i++) {
            assertThat(window.get(i).height()).isEqualTo(pos.height() - window.size() + 1 + i);
        }
        for (JournalEntry e : window) {
            int branch = e.height() == pos.height() ? pos.branch() : CrashScript.finalBranch(e.height());
            assertThat(e.hash()).isEqualTo(CrashScript.hash(e.height(), branch));
            assertThat(e.parentHash()).isEqualTo(CrashScript.parentHash(e.height()));
            assertThat(e.messages()).isEqualTo(CrashScript.messages(e.height(), branch));
            assertThat(e.undo()).hasSize(CrashScript.changes(e.height(), branch).size());
        }
    }

    /**
     * Runs a child until it has made its first durable step, lets it run {@code delayMs} more, then
     * kills it with SIGKILL. The child's stdout goes straight to a file (no pipe, so nothing it
     * printed before dying can be lost on the way), which is parsed afterwards.
     */
    private static void runAndKill(Path dir, int delayMs, List<CrashScript.Event> events) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path stdout = Files.createTempFile(dir.getParent(), "child-", ".out");
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                CrashChild.class.getName(), dir.toString());
        pb.redirectErrorStream(true);
        pb.redirectOutput(stdout.toFile());
        Process child = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (readEvents(stdout).isEmpty()) {
                if (!child.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("child " + (child.isAlive() ? "made no progress within 60 s" : "died")
                            + "; output: " + Files.readString(stdout, StandardCharsets.UTF_8));
                }
                Thread.sleep(10);
            }
            Thread.sleep(delayMs);
            assertThat(child.isAlive()).as("child still running; output: %s",
                    Files.readString(stdout, StandardCharsets.UTF_8)).isTrue();
        } finally {
            child.destroyForcibly(); // SIGKILL on Unix
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child killed").isTrue();
        }
        events.addAll(readEvents(stdout));
    }

    private static List<CrashScript.Event> readEvents(Path stdout) throws IOException {
        List<CrashScript.Event> events = new ArrayList<>();
        for (String line : Files.readAllLines(stdout, StandardCharsets.ISO_8859_1)) {
            CrashScript.Event e = CrashScript.Event.parse(line);
            if (e != null) {
                events.add(e);
            }
        }
        return events;
    }
}
