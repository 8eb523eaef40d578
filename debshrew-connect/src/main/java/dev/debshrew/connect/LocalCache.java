package dev.debshrew.connect;

import dev.debshrew.journal.JournalEntry;
import dev.debshrew.journal.RocksChainStore;
import dev.debshrew.journal.RocksRestore;
import dev.debshrew.sink.Cursor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.kafka.connect.errors.ConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task's local RocksDB cache of the changelog ({@code state.cache=rocksdb}), in a directory of
 * its own on the worker ({@code state.cache.dir}), as Kafka Streams keeps a state store: the store
 * in {@code rocksdb/}, and a {@code checkpoint} file naming the changelog topic (name and id) and
 * the offset the store corresponds to.
 *
 * <ul>
 *   <li>The checkpoint is written only by a clean stop ({@link #checkpoint}: the last group
 *       committed, nothing pending; its offset is the end of the task's own last committed record,
 *       {@link #committed}) and deleted as soon as a task starts using the directory: while
 *       a task runs, the store may be ahead of the committed transactions, and a crash leaves it so.</li>
 *   <li>At start ({@link #open}): with a checkpoint of the same topic within its offsets and younger
 *       than half the topic's {@code delete.retention.ms} ({@link Checkpoint#fits}), only the
 *       changelog's tail (from the checkpoint) is read into the store; without one the store is
 *       wiped and the whole changelog is read. Either way state writes stream into the store in
 *       batches ({@link RocksRestore}); a restore that does not finish is wiped by the next start.</li>
 *   <li>One task at a time per directory: a lock within the worker (a task that stops releases it
 *       once its engine thread has closed the store) and an OS file lock against other processes
 *       (workers on one host sharing {@code java.io.tmpdir}); a start waits for both, bounded.</li>
 * </ul>
 */
final class LocalCache implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalCache.class);
    static final String STORE_DIR = "rocksdb";
    static final String CHECKPOINT = "checkpoint";
    private static final String LOCK = "lock";
    private static final Map<Path, Semaphore> IN_PROCESS = new ConcurrentHashMap<>();
    /** How often a start retries the OS lock another process holds. */
    private static final long LOCK_RETRY_MS = 100;

    /**
     * Where the changelog is at: its name and topic id, first offset, last stable offset (exclusive
     * end), and how long the topic keeps a tombstone once compacted ({@code delete.retention.ms}).
     */
    record Position(String topic, String topicId, long begin, long end, long tombstoneRetentionMs) {
    }

    /** What a clean stop recorded: the store holds the changelog {@code topic} (id) up to {@code offset}. */
    record Checkpoint(String topic, String topicId, long offset, long writtenAtMs) {

        /**
         * Whether the tail from {@code offset} brings the store to {@code now}: same topic and id, the
         * offset within the topic, and younger than half the tombstone retention (older, compaction
         * may have removed a tombstone of the tail, and reading the tail would miss that delete).
         */
        boolean fits(Position now, long nowMs) {
            long age = nowMs - writtenAtMs;
            return topic.equals(now.topic()) && topicId.equals(now.topicId()) && offset >= now.begin()
                    && offset <= now.end() && age >= 0 && age < now.tombstoneRetentionMs() / 2;
        }
    }

    /** The changelog topic as the cache reads it ({@link ChangelogTopic#source}). */
    interface Source {
        Position position();

        /** Applies the committed records of offsets {@code from} (inclusive) to {@code to} (exclusive) to {@code replay}. */
        void read(long from, long to, StateChangelog.Replay replay);
    }

    /** How the last {@link #open} restored the store: the tail after a checkpoint or all, offsets read, state writes. */
    record Restored(boolean tail, long from, long to, long stateWrites) {
    }

    private final Path dir;
    private final Semaphore inProcess;
    private final FileChannel lockFile;
    private final FileLock lock;
    private Restored restored;
    /** Where the changelog was when the store was restored (topic, id). */
    private Position restoredAt;
    /** The offset after the last changelog record of this task the worker committed (or the restore's end). */
    private final AtomicLong committedEnd = new AtomicLong(-1);

    private LocalCache(Path dir, Semaphore inProcess, FileChannel lockFile, FileLock lock) {
        this.dir = dir;
        this.inProcess = inProcess;
        this.lockFile = lockFile;
        this.lock = lock;
    }

    /**
     * Takes the directory {@code dir} for this task, waiting up to {@code timeout} for a task of this
     * worker, or of another process, that still holds it (one stopping) to release it.
     *
     * @throws ConnectException naming the directory and {@code state.cache.dir} when it stays taken or cannot be used
     */
    static LocalCache acquire(Path dir, Duration timeout) {
        Path abs = dir.toAbsolutePath().normalize();
        long deadline = System.nanoTime() + timeout.toNanos();
        Semaphore s = IN_PROCESS.computeIfAbsent(abs, k -> new Semaphore(1));
        try {
            if (!s.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new ConnectException("local state cache " + abs + " (" + DebshrewConnectorConfig.STATE_CACHE_DIR
                        + ") is still used by a task of this worker after " + timeout.toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException("interrupted while waiting for the local state cache " + abs, e);
        }
        FileChannel ch = null;
        try {
            Files.createDirectories(abs);
            ch = FileChannel.open(abs.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l = ch.tryLock();
            while (l == null && System.nanoTime() < deadline) { // a task of another worker on this host stopping
                Thread.sleep(LOCK_RETRY_MS);
                l = ch.tryLock();
            }
            if (l == null) {
                throw new ConnectException("local state cache " + abs + " (" + DebshrewConnectorConfig.STATE_CACHE_DIR
                        + ") is still locked by another process after " + timeout.toMillis() + " ms");
            }
            return new LocalCache(abs, s, ch, l);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(ch);
            s.release();
            throw new ConnectException("interrupted while waiting for the local state cache " + abs, e);
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            s.release();
            if (e instanceof ConnectException c) {
                throw c;
            }
            throw new ConnectException("local state cache " + abs + " (" + DebshrewConnectorConfig.STATE_CACHE_DIR
                    + "): cannot use the directory: " + e, e);
        }
    }

    Path storeDir() {
        return dir.resolve(STORE_DIR);
    }

    /** How the last {@link #open} restored the store. */
    Restored restored() {
        return restored;
    }

    /**
     * Deletes the checkpoint (the store is about to change), then restores the store from
     * {@code source}: the tail when the checkpoint fits the topic, else everything into a wiped
     * store. The replay's chain check refuses a window that is not a chain above its base.
     */
    KafkaChainStore open(Source source, int windowSize) {
        Optional<Checkpoint> checkpoint = takeCheckpoint();
        Position now = source.position();
        Optional<Checkpoint> usable = checkpoint.filter(c -> c.fits(now, System.currentTimeMillis()));
        List<JournalEntry> window = List.of();
        Cursor base = null;
        boolean tail = false;
        if (usable.isPresent() && Files.isRegularFile(storeDir().resolve("CURRENT"))) {
            try (RocksChainStore s = RocksChainStore.open(storeDir(), windowSize)) {
                window = s.window();
                base = s.base().orElse(null);
                tail = true;
            } catch (RuntimeException e) {
                log.warn("local state cache {}: cannot reopen it ({}); restoring it from the whole changelog", dir,
                        e.getMessage());
            }
        }
        if (!tail) {
            if (checkpoint.isPresent() && usable.isEmpty()) {
                log.info("local state cache {}: its checkpoint {} does not fit topic '{}' (id {}, offsets {}..{},"
                        + " delete.retention.ms {}); restoring from the whole changelog", dir, checkpoint.get(),
                        now.topic(), now.topicId(), now.begin(), now.end(), now.tombstoneRetentionMs());
            }
            window = List.of();
            base = null;
            wipe(storeDir());
        }
        long from = tail ? usable.get().offset() : now.begin();
        try (RocksRestore r = RocksRestore.begin(storeDir(), windowSize)) {
            StateChangelog.Replay replay = new StateChangelog.Replay(now.topic(), r::put, window, base);
            source.read(from, now.end(), replay);
            StateChangelog.Snapshot s;
            try {
                s = replay.snapshot();
            } catch (IllegalStateException e) {
                throw new ConnectException(e.getMessage(), e);
            }
            RocksChainStore store = r.finish(s.window(), s.base());
            restored = new Restored(tail, from, now.end(), r.writes());
            restoredAt = now;
            committedEnd.set(now.end());
            return KafkaChainStore.over(store);
        }
    }

    /** Reads and deletes the checkpoint (empty when there is none or it cannot be read). */
    private Optional<Checkpoint> takeCheckpoint() {
        Path f = dir.resolve(CHECKPOINT);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        Optional<Checkpoint> p;
        try {
            String[] parts = Files.readString(f, StandardCharsets.UTF_8).trim().split("\n");
            p = Optional.of(new Checkpoint(parts[0], parts[1], Long.parseLong(parts[2]), Long.parseLong(parts[3])));
        } catch (IOException | RuntimeException e) {
            log.warn("local state cache {}: unreadable checkpoint ({}); restoring from the whole changelog", dir,
                    e.toString());
            p = Optional.empty();
        }
        try {
            Files.delete(f);
            fsyncDir(dir);
        } catch (IOException e) {
            throw new ConnectException("local state cache " + dir + ": cannot delete its checkpoint " + f + ": " + e, e);
        }
        return p;
    }

    /** The worker committed this task's changelog record at {@code offset} (its transaction is committed). */
    void committed(long offset) {
        committedEnd.accumulateAndGet(offset + 1, Math::max);
    }

    /**
     * Records that the (closed) store holds the changelog up to the end of this task's last committed
     * record (or the restore's end): written on a clean stop only. Not the topic's end at the stop: a
     * task started meanwhile on another worker may have written after it, and the next start here
     * must read those records.
     */
    void checkpoint() {
        if (restoredAt == null) {
            throw new IllegalStateException("local state cache " + dir + ": nothing restored, nothing to checkpoint");
        }
        Path tmp = dir.resolve(CHECKPOINT + ".tmp");
        try {
            Files.writeString(tmp, restoredAt.topic() + "\n" + restoredAt.topicId() + "\n" + committedEnd.get() + "\n"
                    + System.currentTimeMillis() + "\n", StandardCharsets.UTF_8);
            try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                c.force(true);
            }
            Files.move(tmp, dir.resolve(CHECKPOINT), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            fsyncDir(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("local state cache " + dir + ": cannot write its checkpoint: " + e, e);
        }
    }

    /** The offset a {@link #checkpoint} now would record. */
    long checkpointOffset() {
        return committedEnd.get();
    }

    private static void wipe(Path store) {
        if (!Files.exists(store)) {
            return;
        }
        try (Stream<Path> all = Files.walk(store)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new ConnectException("local state cache: cannot wipe " + store + ": " + e, e);
        }
    }

    private static void fsyncDir(Path dir) throws IOException {
        try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
            c.force(true);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                log.debug("closing {}: {}", c, e.toString());
            }
        }
    }

    /** Releases the directory (the store must be closed first). Idempotent. */
    @Override
    public void close() {
        if (lockFile.isOpen()) {
            closeQuietly(lock);
            closeQuietly(lockFile);
            inProcess.release();
        }
    }
}
