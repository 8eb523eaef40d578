package dev.debshrew.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.debshrew.journal.BlockResult;
import dev.debshrew.journal.InMemoryChainStore;
import dev.debshrew.journal.RocksChainStore;
import dev.debshrew.journal.RocksRestore;
import dev.debshrew.transform.StateChanges;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.connect.errors.ConnectException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkpoint rules of the RocksDB cache: a clean stop (checkpoint) makes the next start read only
 * the tail; no checkpoint means a full restore into a wiped store, whatever the directory holds (a
 * store ahead of the changelog after a crash, a restore that did not finish); a checkpoint of another
 * topic (id), beyond the topic's end, older than half the tombstone retention or unreadable is not
 * trusted; one task at a time per directory.
 */
class LocalCacheTest {

    private static final int WINDOW = 3;
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private final ListChangelog changelog = new ListChangelog("p.debshrew-state", "id-1");
    /** The store that writes the changelog (a task's, on the heap) and the reference of what it holds. */
    private final KafkaChainStore writer = KafkaChainStore.restore(WINDOW, StateChangelog.Snapshot.empty());
    private final InMemoryChainStore reference = new InMemoryChainStore(WINDOW);

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String hash(long h) {
        return String.format("%064x", h * 7919 + 13);
    }

    private static BlockResult block(long h) {
        StateChanges c = new StateChanges();
        c.put(b("k" + h), b("v" + h));
        c.put(b("last"), b(Long.toString(h)));
        c.delete(b("k" + (h - 2)));
        return new BlockResult(h, hash(h), h == 0 ? "0".repeat(64) : hash(h - 1), List.of(), c, "m");
    }

    /** Blocks from..to committed to the writer and published to the changelog (committed transactions). */
    private void publish(long from, long to) {
        for (long h = from; h <= to; h++) {
            writer.commit(List.of(block(h)));
            reference.commit(List.of(block(h)));
        }
        changelog.records.addAll(writer.drain());
    }

    private void assertEqualsReference(KafkaChainStore s, long upTo) {
        assertThat(s.tip().map(e -> e.hash())).isEqualTo(reference.tip().map(e -> e.hash()));
        assertThat(s.base()).isEqualTo(reference.base());
        for (long h = 0; h <= upTo + 2; h++) {
            assertThat(s.get(b("k" + h))).as("k%d", h).isEqualTo(reference.get(b("k" + h)));
        }
        assertThat(s.get(b("last"))).isEqualTo(reference.get(b("last")));
    }

    /** Opens the cache, checks the store, closes it; checkpoints when {@code clean}. */
    private LocalCache.Restored startAndStop(Path cacheDir, long upTo, boolean clean) {
        try (LocalCache cache = LocalCache.acquire(cacheDir, WAIT)) {
            try (KafkaChainStore s = cache.open(changelog, WINDOW)) {
                assertThat(cacheDir.resolve(LocalCache.CHECKPOINT)).as("deleted once the task uses the dir")
                        .doesNotExist();
                assertEqualsReference(s, upTo);
            }
            if (clean) {
                cache.checkpoint();
            }
            return cache.restored();
        }
    }

    @Test
    void aCleanStopMakesTheNextStartReadOnlyTheTail() {
        Path cacheDir = dir.resolve("c");
        publish(0, 5);
        LocalCache.Restored first = startAndStop(cacheDir, 5, true);
        assertThat(first.tail()).isFalse();
        assertThat(cacheDir.resolve(LocalCache.CHECKPOINT)).exists();
        long checkpointed = changelog.records.size();
        publish(6, 9);
        LocalCache.Restored second = startAndStop(cacheDir, 9, true);
        assertThat(second.tail()).isTrue();
        assertThat(changelog.readsFrom).containsExactly(0L, checkpointed);
        long tailStateRecords = changelog.records.subList((int) checkpointed, changelog.records.size()).stream()
                .filter(c -> c.key().startsWith("s:")).count();
        assertThat(second.stateWrites()).as("only the tail's state records").isEqualTo(tailStateRecords)
                .isLessThan(changelog.records.stream().filter(c -> c.key().startsWith("s:")).count());
    }

    /**
     * The checkpoint is the end of the task's own last committed record: records a task started
     * meanwhile on another worker wrote after it are read at the next start here.
     */
    @Test
    void theCheckpointIsTheEndOfTheTasksOwnCommittedWrites() {
        Path cacheDir = dir.resolve("c");
        publish(0, 5);
        long own;
        try (LocalCache cache = LocalCache.acquire(cacheDir, WAIT)) {
            try (KafkaChainStore s = cache.open(changelog, WINDOW)) {
                s.commit(List.of(block(6))); // this task's block 6, committed by the worker
                writer.commit(List.of(block(6)));
                reference.commit(List.of(block(6)));
                writer.drain();
                changelog.records.addAll(s.drain());
                cache.committed(changelog.records.size() - 1);
                own = changelog.records.size();
                publish(7, 8); // a newer task on another worker, before this one's stop completes
                assertThat(cache.checkpointOffset()).isEqualTo(own);
            }
            cache.checkpoint();
        }
        LocalCache.Restored r = startAndStop(cacheDir, 8, true); // blocks 7 and 8 read from the tail
        assertThat(r.tail()).isTrue();
        assertThat(r.from()).isEqualTo(own).isLessThan(changelog.records.size());
    }

    @Test
    void withoutACheckpointTheStoreIsRestoredWhole() {
        Path cacheDir = dir.resolve("c");
        publish(0, 5);
        startAndStop(cacheDir, 5, false); // no clean stop
        publish(6, 7);
        LocalCache.Restored again = startAndStop(cacheDir, 7, true);
        assertThat(again.tail()).isFalse();
        assertThat(changelog.readsFrom).containsExactly(0L, 0L);
    }

    @Test
    void aStoreLeftAheadByACrashIsWiped() {
        Path cacheDir = dir.resolve("c");
        publish(0, 5);
        long own;
        try (LocalCache cache = LocalCache.acquire(cacheDir, WAIT)) {
            try (KafkaChainStore s = cache.open(changelog, WINDOW)) {
                s.commit(List.of(block(6))); // committed locally, never in the changelog: the crash comes first
                assertThat(s.get(b("k6"))).isNotNull();
            }
        } // no checkpoint
        LocalCache.Restored r = startAndStop(cacheDir, 5, false); // k6 absent, tip 5
        assertThat(r.tail()).isFalse();
        try (LocalCache cache = LocalCache.acquire(cacheDir, WAIT); KafkaChainStore s = cache.open(changelog, WINDOW)) {
            assertThat(s.get(b("k6"))).isNull();
            assertThat(s.tip().orElseThrow().height()).isEqualTo(5);
        }
    }

    @Test
    void aRestoreThatDidNotFinishIsWipedEvenUnderAStaleCheckpoint() throws Exception {
        Path cacheDir = dir.resolve("c");
        publish(0, 3);
        startAndStop(cacheDir, 3, true);
        try (RocksRestore r = RocksRestore.begin(cacheDir.resolve(LocalCache.STORE_DIR), WINDOW)) {
            r.put(b("k1"), b("garbage")); // a crash mid-restore (after the checkpoint's store)
        }
        assertThatThrownBy(() -> RocksChainStore.open(cacheDir.resolve(LocalCache.STORE_DIR), WINDOW))
                .hasMessageContaining("did not finish");
        LocalCache.Restored r = startAndStop(cacheDir, 3, true); // the checkpoint is there, the store unusable
        assertThat(r.tail()).isFalse();
    }

    @Test
    void aCheckpointThatDoesNotFitIsNotTrusted() throws Exception {
        Path cacheDir = dir.resolve("c");
        publish(0, 3);
        startAndStop(cacheDir, 3, true);
        Path cp = cacheDir.resolve(LocalCache.CHECKPOINT);
        Files.writeString(cp, Files.readString(cp).replace("id-1", "id-0")); // the topic was deleted and created again
        LocalCache.Restored r = startAndStop(cacheDir, 3, true);
        assertThat(r.tail()).isFalse();
        long now = System.currentTimeMillis();
        Files.writeString(cp, "p.debshrew-state\nid-1\n999999\n" + now + "\n"); // beyond the topic's end
        assertThat(startAndStop(cacheDir, 3, true).tail()).isFalse();
        String[] good = Files.readString(cp).split("\n");
        long old = now - ListChangelog.TOMBSTONE_RETENTION_MS / 2 - 1;
        Files.writeString(cp, good[0] + "\n" + good[1] + "\n" + good[2] + "\n" + old + "\n"); // a tombstone may be gone
        assertThat(startAndStop(cacheDir, 3, true).tail()).isFalse();
        Files.writeString(cp, "p.debshrew-state\nid-1\n"); // unreadable
        assertThat(startAndStop(cacheDir, 3, true).tail()).isFalse();
        assertThat(startAndStop(cacheDir, 3, true).tail()).as("the checkpoint as written fits").isTrue();
        assertThat(changelog.readsFrom).containsExactly(0L, 0L, 0L, 0L, 0L, Long.parseLong(good[2]));
    }

    @Test
    void oneTaskAtATimePerDirectory() {
        Path cacheDir = dir.resolve("c");
        try (LocalCache held = LocalCache.acquire(cacheDir, WAIT)) {
            assertThatThrownBy(() -> LocalCache.acquire(cacheDir, Duration.ofMillis(50)))
                    .isInstanceOf(ConnectException.class).hasMessageContaining(DebshrewConnectorConfig.STATE_CACHE_DIR)
                    .hasMessageContaining(cacheDir.toAbsolutePath().toString());
        }
        List<LocalCache> again = new ArrayList<>();
        again.add(LocalCache.acquire(cacheDir, WAIT)); // released by close
        again.forEach(LocalCache::close);
    }

    /** A worker of another JVM on this host holds the directory: a start waits for it, bounded. */
    @Test
    void aTaskOfAnotherProcessIsWaitedFor() throws Exception {
        Path cacheDir = Files.createDirectories(dir.resolve("c"));
        Path locker = Files.writeString(dir.resolve("Locker.java"), """
                import java.nio.channels.FileChannel;
                import java.nio.file.*;
                public class Locker {
                    public static void main(String[] a) throws Exception {
                        try (FileChannel c = FileChannel.open(Path.of(a[0]), StandardOpenOption.CREATE,
                                StandardOpenOption.WRITE); var l = c.lock()) {
                            System.out.println("locked");
                            System.out.flush();
                            System.in.read(); // holds the lock until its stdin closes
                        }
                    }
                }
                """);
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(javaBin.toString(), locker.toString(), cacheDir.resolve("lock").toString())
                .redirectErrorStream(true).start();
        try {
            var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("locked");
            assertThatThrownBy(() -> LocalCache.acquire(cacheDir, Duration.ofMillis(300)))
                    .isInstanceOf(ConnectException.class).hasMessageContaining("locked by another process")
                    .hasMessageContaining(DebshrewConnectorConfig.STATE_CACHE_DIR);
            p.getOutputStream().close(); // the other task stops
            try (LocalCache taken = LocalCache.acquire(cacheDir, Duration.ofSeconds(60))) {
                assertThat(taken.storeDir()).isEqualTo(cacheDir.toAbsolutePath().resolve(LocalCache.STORE_DIR));
            }
            assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
    }
}
