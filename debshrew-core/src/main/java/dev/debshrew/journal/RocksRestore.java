package dev.debshrew.journal;

import dev.debshrew.sink.Cursor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Rebuilds a {@link RocksChainStore} from an outside copy of it (a changelog read back in order)
 * with bounded memory: state writes go to RocksDB in batches as they come, and the window, its base
 * and the tip are written at the end ({@link #finish}) in one synced batch.
 *
 * <p>{@link #begin} records a "restore in progress" marker (synced) before the first state write and
 * {@link #finish} removes it in its last batch: a process that dies in between leaves a store that
 * {@link RocksChainStore#open} refuses ({@link #unfinished} tells it; wipe the directory and restore
 * again). A restore may start on an empty directory (a full restore) or on an existing store (a
 * restore of the changes after the position the store corresponds to).
 */
public final class RocksRestore implements AutoCloseable {

    /** Written at begin, removed by finish. */
    static final byte[] META_RESTORING = RocksHandles.bytes("restoring");
    /** State writes per intermediate batch. */
    private static final int BATCH_WRITES = 10_000;
    /** Bytes per intermediate batch. */
    private static final long BATCH_BYTES = 8L << 20;

    private final RocksHandles rocks;
    private final int windowSize;
    private final WriteOptions unsynced = new WriteOptions();
    private WriteBatch batch = new WriteBatch();
    private long batchBytes;
    private long writes;
    private boolean done;

    private RocksRestore(RocksHandles rocks, int windowSize) {
        this.rocks = rocks;
        this.windowSize = windowSize;
    }

    /**
     * Opens (creating) the store in {@code dataDir} for a restore and marks it unfinished.
     *
     * @throws StateStoreException if the directory cannot be used or holds another format
     */
    public static RocksRestore begin(Path dataDir, int windowSize) {
        if (windowSize < 1) {
            throw new IllegalArgumentException("window size must be >= 1, got " + windowSize);
        }
        RocksHandles rocks = RocksHandles.open(dataDir, true, false);
        try {
            int format = rocks.formatVersion();
            if (format != -1 && format != RocksHandles.FORMAT_VERSION) {
                throw new StateStoreException(rocks.dir, "the state store in " + rocks.dir + " has format version "
                        + format + "; this build reads version " + RocksHandles.FORMAT_VERSION);
            }
            try (WriteBatch b = new WriteBatch()) {
                b.put(rocks.meta, RocksHandles.META_FORMAT, RocksHandles.int32(RocksHandles.FORMAT_VERSION));
                b.put(rocks.meta, RocksHandles.META_WINDOW_SIZE, RocksHandles.int32(windowSize));
                b.put(rocks.meta, META_RESTORING, RocksHandles.int32(1));
                rocks.db.write(rocks.syncWrite, b);
            }
            return new RocksRestore(rocks, windowSize);
        } catch (RocksDBException e) {
            rocks.close();
            throw new StateStoreException(rocks.dir, "state store " + rocks.dir + ": cannot begin a restore: "
                    + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            rocks.close();
            throw e;
        }
    }

    /** Whether the store in {@code rocks} is marked as a restore that did not finish. */
    static boolean unfinished(RocksHandles rocks) throws RocksDBException {
        return rocks.db.get(rocks.meta, META_RESTORING) != null;
    }

    /** Sets state {@code key} to {@code value}; null deletes it. Written in batches (not synced: see the marker). */
    public void put(byte[] key, byte[] value) {
        ensureOpen();
        try {
            if (value == null) {
                batch.delete(rocks.state, key);
            } else {
                batch.put(rocks.state, key, value);
            }
            batchBytes += key.length + (value == null ? 0 : value.length);
            writes++;
            if (batch.count() >= BATCH_WRITES || batchBytes >= BATCH_BYTES) {
                rocks.db.write(unsynced, batch);
                batch.close();
                batch = new WriteBatch();
                batchBytes = 0;
            }
        } catch (RocksDBException e) {
            throw new StateStoreException(rocks.dir, "state store " + rocks.dir + ": restoring state failed: "
                    + e.getMessage(), e);
        }
    }

    /** State writes so far. */
    public long writes() {
        return writes;
    }

    /**
     * Writes the remaining state writes, replaces the journal by {@code window} (oldest first, a
     * chain above {@code base}: the caller checked it) with its tip and base, removes the marker in
     * one synced batch, closes and opens the store (which verifies the journal).
     */
    public RocksChainStore finish(List<JournalEntry> window, Cursor base) {
        ensureOpen();
        try {
            List<byte[]> stale = new ArrayList<>();
            try (RocksIterator it = rocks.db.newIterator(rocks.journal)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    stale.add(it.key());
                }
            }
            for (byte[] k : stale) {
                batch.delete(rocks.journal, k);
            }
            for (JournalEntry e : window) {
                batch.put(rocks.journal, JournalRecords.key(e.height()), JournalRecords.encode(e));
            }
            if (window.isEmpty()) {
                batch.delete(rocks.meta, RocksHandles.META_TIP);
            } else {
                JournalEntry tip = window.get(window.size() - 1);
                batch.put(rocks.meta, RocksHandles.META_TIP, RocksHandles.tipValue(tip.height(), tip.hash()));
            }
            Cursor b = window.isEmpty() ? base : window.get(0).parentCursor();
            if (b == null) {
                batch.delete(rocks.meta, RocksHandles.META_BASE);
            } else {
                batch.put(rocks.meta, RocksHandles.META_BASE, RocksHandles.tipValue(b.height(), b.hash()));
            }
            batch.delete(rocks.meta, META_RESTORING);
            rocks.db.write(rocks.syncWrite, batch);
            done = true;
        } catch (RocksDBException e) {
            throw new StateStoreException(rocks.dir, "state store " + rocks.dir + ": finishing the restore failed: "
                    + e.getMessage(), e);
        } finally {
            close();
        }
        return RocksChainStore.open(rocks.dir, windowSize);
    }

    private void ensureOpen() {
        if (done || batch == null) {
            throw new IllegalStateException("the restore of " + rocks.dir + " is finished or closed");
        }
    }

    /** Releases the store; without {@link #finish} it stays marked unfinished. Idempotent. */
    @Override
    public void close() {
        if (batch != null) {
            batch.close();
            batch = null;
            unsynced.close();
            rocks.close();
        }
    }
}
