package dev.debshrew.journal;

import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.sink.Cursor;
import dev.debshrew.transform.StateChanges;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable {@link ChainStore}: transform state and reorg journal in one RocksDB database, with
 * the behaviour of {@link InMemoryChainStore} (the reference) plus durability.
 *
 * <p>Layout (docs/state-store.md): column family {@code state} holds the transform's keys and
 * values as they are; {@code journal} maps each height of the window (8 bytes, big-endian) to a
 * checksummed record (see {@link JournalRecords}); {@code meta} holds the format version, the
 * window size of the last open, the tip and the window's base (height + hash each; see
 * {@link ChainStore#base()}) and the SHA-256 of the transform module that built the state.
 *
 * <p>Atomicity and durability: {@link #commit} and {@link #revertTip} each write ONE
 * {@code WriteBatch} with {@code sync=true}: the state writes, the journal record (written or
 * removed), the tip, the base and the pruning of records that left the window reach the fsynced
 * WAL together or not at all, so a {@code kill -9} or power loss at any instant leaves the store at
 * the last completed call.
 *
 * <p>Memory: no copy of the state is kept; only the window's entries are cached (they are verified
 * and decoded at open), so {@link #window()}, {@link #tip()} and {@link #entry(long)} never touch
 * the disk. RocksDB's own memory is bounded (a 32 MiB block cache, small write buffers).
 *
 * <p>Window size: the size given to {@link #open} wins. A larger size than last time keeps
 * everything; a smaller one prunes the extra oldest entries on the next commit.
 *
 * <p>Thread-safety: all methods may be called from any thread; commits and reverts are serialised;
 * {@link #get} may run concurrently with them and sees either the state before or after a block.
 */
public final class RocksChainStore implements ChainStore {

    private static final Logger log = LoggerFactory.getLogger(RocksChainStore.class);

    /** Keys per batched lookup of previous values. */
    private static final int MULTI_GET_CHUNK = 4096;

    private final RocksHandles rocks;
    private final int windowSize;
    private final ArrayList<JournalEntry> window; // oldest first, contiguous heights
    private Cursor base; // see ChainStore#base(); null when none
    /** Guards the native handles: readers and writers take the read lock, close takes the write lock. */
    private final ReentrantReadWriteLock handleLock = new ReentrantReadWriteLock();
    private boolean closed;

    private RocksChainStore(RocksHandles rocks, int windowSize, List<JournalEntry> window, Cursor base) {
        this.rocks = rocks;
        this.windowSize = windowSize;
        this.window = new ArrayList<>(window);
        this.base = base;
    }

    /**
     * Opens the store in {@code dataDir}, creating it when the directory is missing or empty.
     * Verifies every journal record (checksum, decoding, heights, parent links, stored tip) first.
     *
     * @param dataDir    a directory of its own for the store (the RocksDB directory)
     * @param windowSize number of blocks the journal keeps ({@code >= 1})
     * @throws JournalCorruptedException if the journal is damaged (nothing is changed on disk)
     * @throws StateStoreException       if the directory cannot be used (in use by another
     *                                   process, not a state store, unknown format, I/O error)
     */
    public static RocksChainStore open(Path dataDir, int windowSize) {
        if (windowSize < 1) {
            throw new IllegalArgumentException("window size must be >= 1, got " + windowSize);
        }
        return open(dataDir, windowSize, true);
    }

    /**
     * Opens an existing store with the window size it was last opened with (tools). Never creates.
     */
    static RocksChainStore openExisting(Path dataDir) {
        return open(dataDir, -1, false);
    }

    private static RocksChainStore open(Path dataDir, int requestedWindow, boolean create) {
        RocksHandles rocks = RocksHandles.open(dataDir, create, false);
        try {
            Path dir = rocks.dir;
            int format = rocks.formatVersion();
            JournalScan scan;
            if (format == -1) {
                scan = JournalScan.run(rocks);
                if (!scan.records.isEmpty() || !rocks.stateIsEmpty()) {
                    throw new StateStoreException(dir, dir + " holds data but no debshrew format marker;"
                            + " it is not a debshrew state store");
                }
                if (requestedWindow < 1) {
                    throw new StateStoreException(dir, "no state store in " + dir + " (empty database)");
                }
                try (WriteBatch b = new WriteBatch()) {
                    b.put(rocks.meta, RocksHandles.META_FORMAT, RocksHandles.int32(RocksHandles.FORMAT_VERSION));
                    b.put(rocks.meta, RocksHandles.META_WINDOW_SIZE, RocksHandles.int32(requestedWindow));
                    rocks.db.write(rocks.syncWrite, b);
                }
                log.info("created state store in {} (window {})", dir, requestedWindow);
            } else if (format != RocksHandles.FORMAT_VERSION) {
                throw new StateStoreException(dir, "the state store in " + dir + " has format version " + format
                        + "; this build reads version " + RocksHandles.FORMAT_VERSION);
            } else if (RocksRestore.unfinished(rocks)) {
                throw new StateStoreException(dir, "the state store in " + dir + " is a restore that did not finish;"
                        + " delete the directory and restore it again");
            } else {
                scan = JournalScan.run(rocks);
                if (!scan.clean()) {
                    throw scan.problems.get(0).toException(dir);
                }
            }
            int stored = rocks.storedWindowSize();
            int windowSize = requestedWindow >= 1 ? requestedWindow : Math.max(stored, 1);
            if (stored != windowSize) {
                rocks.db.put(rocks.meta, rocks.syncWrite, RocksHandles.META_WINDOW_SIZE, RocksHandles.int32(windowSize));
                if (stored > 0) {
                    log.info("state store {}: window size changed from {} to {}{}", dir, stored, windowSize,
                            windowSize < scan.window.size() ? "; the oldest entries are pruned on the next commit" : "");
                }
            }
            Cursor base = rocks.base(scan.window);
            RocksChainStore store = new RocksChainStore(rocks, windowSize, scan.window, base);
            if (!scan.window.isEmpty()) {
                log.info("opened state store {}: journal {}..{} (window {})", dir, scan.window.get(0).height(),
                        scan.window.get(scan.window.size() - 1).height(), windowSize);
            } else if (base != null) {
                log.info("opened state store {}: journal empty, state as of its base block {} (window {})", dir, base,
                        windowSize);
            }
            return store;
        } catch (RocksDBException e) {
            rocks.close();
            throw new StateStoreException(rocks.dir, "cannot read the state store in " + rocks.dir + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            rocks.close();
            throw e;
        }
    }

    /** The RocksDB directory of this store. */
    public Path dataDir() {
        return rocks.dir;
    }

    @Override
    public byte[] get(byte[] key) {
        handleLock.readLock().lock();
        try {
            ensureOpen();
            return rocks.db.get(rocks.state, key);
        } catch (RocksDBException e) {
            throw new StateStoreException(rocks.dir, "state store " + rocks.dir + ": reading a key failed: " + e.getMessage(), e);
        } finally {
            handleLock.readLock().unlock();
        }
    }

    @Override
    public int windowSize() {
        return windowSize;
    }

    @Override
    public synchronized List<JournalEntry> window() {
        return new ArrayList<>(window);
    }

    @Override
    public synchronized Optional<JournalEntry> tip() {
        return window.isEmpty() ? Optional.empty() : Optional.of(window.get(window.size() - 1));
    }

    @Override
    public synchronized Optional<JournalEntry> entry(long height) {
        if (window.isEmpty()) {
            return Optional.empty();
        }
        long index = height - window.get(0).height(); // heights are contiguous
        return index < 0 || index >= window.size() ? Optional.empty() : Optional.of(window.get((int) index));
    }

    @Override
    public synchronized Optional<Cursor> base() {
        return Optional.ofNullable(base);
    }

    /** Records {@code newBase} (or removes the record, when null) in {@code batch}. */
    private void putBase(WriteBatch batch, Cursor newBase) throws RocksDBException {
        if (newBase == null) {
            batch.delete(rocks.meta, RocksHandles.META_BASE);
        } else {
            batch.put(rocks.meta, RocksHandles.META_BASE, RocksHandles.tipValue(newBase.height(), newBase.hash()));
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Unlike the in-memory store, refuses (with {@link IllegalArgumentException}, nothing
     * written) a message that would not pass {@link dev.debshrew.cdc.CdcCodec} validation when read
     * back; messages returned by a transform are validated on the way in and always pass.
     *
     * @throws StateStoreException if the write fails (nothing is written)
     */
    @Override
    public synchronized List<JournalEntry> commit(List<BlockResult> group) {
        ChainStore.checkExtends(window.isEmpty() ? null : window.get(window.size() - 1), group);
        BlockResult last = group.get(group.size() - 1);
        handleLock.readLock().lock();
        try (WriteBatch batch = new WriteBatch()) {
            ensureOpen();
            Map<ByteBuffer, byte[]> committed = committedValues(group);
            // values written earlier in this group: the "previous value" of a later write of the same key
            Map<ByteBuffer, byte[]> pending = new HashMap<>();
            List<JournalEntry> written = new ArrayList<>(group.size());
            for (BlockResult b : group) {
                List<StateChanges.Entry> entries = b.changes().entries();
                List<StateUndo> undo = new ArrayList<>(entries.size());
                for (StateChanges.Entry c : entries) {
                    byte[] key = c.key().clone();
                    ByteBuffer k = ByteBuffer.wrap(key);
                    byte[] previous = pending.containsKey(k) ? pending.get(k) : committed.get(k);
                    byte[] value = c.value() == null ? null : c.value().clone();
                    if (value == null) {
                        batch.delete(rocks.state, key);
                    } else {
                        batch.put(rocks.state, key, value);
                    }
                    pending.put(k, value);
                    undo.add(new StateUndo(key.clone(), previous));
                }
                JournalEntry entry = new JournalEntry(b.height(), b.hash(), b.parentHash(), b.messages(), undo, b.module());
                batch.put(rocks.journal, JournalRecords.key(b.height()), JournalRecords.encode(entry));
                written.add(entry);
            }
            batch.put(rocks.meta, RocksHandles.META_TIP, RocksHandles.tipValue(last.height(), last.hash()));
            int prune = Math.max(0, window.size() - Math.max(0, windowSize - group.size()));
            for (int i = 0; i < prune; i++) {
                batch.delete(rocks.journal, JournalRecords.key(window.get(i).height()));
            }
            Cursor newBase = (prune < window.size() ? window.get(prune) : written.get(0)).parentCursor();
            putBase(batch, newBase);
            rocks.db.write(rocks.syncWrite, batch);
            window.subList(0, prune).clear();
            window.addAll(written);
            base = newBase;
            return written;
        } catch (RocksDBException e) {
            throw new StateStoreException(rocks.dir, "state store " + rocks.dir + ": committing "
                    + (group.size() == 1 ? "block " + last.height() : "blocks " + group.get(0).height() + ".."
                    + last.height()) + " (" + last.hash() + ") failed, nothing was written: " + e.getMessage(), e);
        } finally {
            handleLock.readLock().unlock();
        }
    }

    /** Committed values of the distinct keys of {@code entries} (absent keys map to null), batched lookups. */
    private Map<ByteBuffer, byte[]> committedValues(List<BlockResult> group) throws RocksDBException {
        Map<ByteBuffer, byte[]> out = new HashMap<>();
        List<byte[]> keys = new ArrayList<>(MULTI_GET_CHUNK);
        for (StateChanges.Entry c : (Iterable<StateChanges.Entry>) group.stream()
                .flatMap(b -> b.changes().entries().stream())::iterator) {
            ByteBuffer k = ByteBuffer.wrap(c.key().clone());
            if (!out.containsKey(k)) {
                out.put(k, null);
                keys.add(k.array());
                if (keys.size() == MULTI_GET_CHUNK) {
                    lookup(keys, out);
                }
            }
        }
        lookup(keys, out);
        return out;
    }

    private void lookup(List<byte[]> keys, Map<ByteBuffer, byte[]> into) throws RocksDBException {
        if (keys.isEmpty()) {
            return;
        }
        List<byte[]> values = rocks.db.multiGetAsList(Collections.nCopies(keys.size(), rocks.state), keys);
        for (int i = 0; i < keys.size(); i++) {
            into.put(ByteBuffer.wrap(keys.get(i)), values.get(i));
        }
        keys.clear();
    }

    @Override
    public synchronized JournalEntry revertTip() {
        if (window.isEmpty()) {
            throw new IllegalStateException("cannot revert: the journal is empty");
        }
        JournalEntry tip = window.get(window.size() - 1);
        handleLock.readLock().lock();
        try (WriteBatch batch = new WriteBatch()) {
            ensureOpen();
            List<StateUndo> undo = tip.undo();
            for (int i = undo.size() - 1; i >= 0; i--) {
                StateUndo u = undo.get(i);
                if (u.previousValue() == null) {
                    batch.delete(rocks.state, u.key());
                } else {
                    batch.put(rocks.state, u.key(), u.previousValue());
                }
            }
            batch.delete(rocks.journal, JournalRecords.key(tip.height()));
            if (window.size() > 1) {
                JournalEntry below = window.get(window.size() - 2);
                batch.put(rocks.meta, RocksHandles.META_TIP, RocksHandles.tipValue(below.height(), below.hash()));
            } else {
                batch.delete(rocks.meta, RocksHandles.META_TIP);
            }
            Cursor newBase = (window.size() > 1 ? window.get(0) : tip).parentCursor();
            putBase(batch, newBase);
            rocks.db.write(rocks.syncWrite, batch);
            window.remove(window.size() - 1);
            base = newBase;
            return tip;
        } catch (RocksDBException e) {
            throw new StateStoreException(rocks.dir, "state store " + rocks.dir + ": reverting block " + tip.height()
                    + " (" + tip.hash() + ") failed, nothing was written: " + e.getMessage(), e);
        } finally {
            handleLock.readLock().unlock();
        }
    }

    @Override
    public boolean durable() {
        return true;
    }

    /** The SHA-256 (hex) of the transform module recorded with this state, if any (see {@code ModuleIdentity}). */
    public Optional<String> moduleSha256() {
        handleLock.readLock().lock();
        try {
            ensureOpen();
            return Optional.ofNullable(rocks.storedModuleSha256());
        } catch (RocksDBException e) {
            throw new StateStoreException(rocks.dir, "state store " + rocks.dir + ": reading the module hash failed: "
                    + e.getMessage(), e);
        } finally {
            handleLock.readLock().unlock();
        }
    }

    /** Records (synced) the SHA-256 (hex) of the transform module this state belongs to. */
    public void recordModuleSha256(String sha256) {
        handleLock.readLock().lock();
        try {
            ensureOpen();
            rocks.db.put(rocks.meta, rocks.syncWrite, RocksHandles.META_MODULE_SHA256, RocksHandles.bytes(sha256));
        } catch (RocksDBException e) {
            throw new StateStoreException(rocks.dir, "state store " + rocks.dir + ": recording the module hash failed: "
                    + e.getMessage(), e);
        } finally {
            handleLock.readLock().unlock();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("state store " + rocks.dir + " is closed");
        }
    }

    /** Releases every native handle. Idempotent. Calls after close fail with IllegalStateException. */
    @Override
    public void close() {
        handleLock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                rocks.close();
            }
        } finally {
            handleLock.writeLock().unlock();
        }
    }

    @Override
    public synchronized String toString() {
        return "RocksChainStore[" + rocks.dir + ", window " + windowSize + ", "
                + (window.isEmpty() ? (base == null ? "empty" : "empty above base " + base.height())
                        : window.get(0).height() + ".." + window.get(window.size() - 1).height())
                + "]";
    }
}
