package dev.debshrew.journal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

/**
 * Every native RocksDB object of one open state store, opened together and released together
 * (in reverse order) by {@link #close()}. Shared by {@link RocksChainStore} and {@link JournalTool}.
 *
 * <p>Memory is bounded whatever the number of keys: one LRU block cache for all column families
 * (index and filter blocks live in it too), small write buffers, a cap on the WAL size and on open
 * files.
 */
final class RocksHandles implements AutoCloseable {

    static final String CF_STATE = "state";
    static final String CF_JOURNAL = "journal";
    static final String CF_META = "meta";
    private static final String CF_DEFAULT = "default";
    private static final Set<String> KNOWN_CFS = Set.of(CF_DEFAULT, CF_STATE, CF_JOURNAL, CF_META);

    static final byte[] META_FORMAT = "format".getBytes(StandardCharsets.US_ASCII);
    static final byte[] META_WINDOW_SIZE = "window_size".getBytes(StandardCharsets.US_ASCII);
    static final byte[] META_TIP = "tip".getBytes(StandardCharsets.US_ASCII);
    /** The window's base (height + hash of the block below the oldest entry); absent in stores of older builds. */
    static final byte[] META_BASE = "base".getBytes(StandardCharsets.US_ASCII);
    /** SHA-256 (hex) of the transform module the state belongs to; absent in stores of older builds. */
    static final byte[] META_MODULE_SHA256 = "module_sha256".getBytes(StandardCharsets.US_ASCII);
    /** Version of the on-disk layout (column families, keys, record format). */
    static final int FORMAT_VERSION = 1;

    static final long BLOCK_CACHE_BYTES = 32L << 20;
    static final long STATE_WRITE_BUFFER_BYTES = 16L << 20;
    static final long SMALL_WRITE_BUFFER_BYTES = 2L << 20;
    static final long MAX_TOTAL_WAL_BYTES = 64L << 20;
    static final int MAX_OPEN_FILES = 512;

    /** Files RocksDB itself creates in its directory. */
    private static final Pattern ROCKS_FILE = Pattern.compile(
            "CURRENT|IDENTITY|LOCK|LOG(\\.old\\.\\d+)?|MANIFEST-\\d+|OPTIONS-\\d+(\\.dbtmp)?|\\d+\\.(log|sst|blob|dbtmp)"
                    + "|.*\\.tmp");

    static {
        RocksDB.loadLibrary(); // once per class loader; idempotent
    }

    final Path dir;
    final boolean readOnly;
    final RocksDB db;
    final ColumnFamilyHandle state;
    final ColumnFamilyHandle journal;
    final ColumnFamilyHandle meta;
    /** Synced writes: a commit is on disk (WAL fsynced) when write() returns. */
    final WriteOptions syncWrite;

    private final List<AutoCloseable> owned; // released in reverse order
    private boolean closed;

    private RocksHandles(Path dir, boolean readOnly, RocksDB db, ColumnFamilyHandle state, ColumnFamilyHandle journal,
            ColumnFamilyHandle meta, WriteOptions syncWrite, List<AutoCloseable> owned) {
        this.dir = dir;
        this.readOnly = readOnly;
        this.db = db;
        this.state = state;
        this.journal = journal;
        this.meta = meta;
        this.syncWrite = syncWrite;
        this.owned = owned;
    }

    /** Whether {@code dir} holds a RocksDB database. */
    static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve("CURRENT"));
    }

    /**
     * Opens (creating it if {@code create} and missing) the store in {@code dir}.
     *
     * @throws StateStoreException with a clear message when the directory is missing, not a state
     *                             store, locked by another process, or the open fails
     */
    static RocksHandles open(Path dir, boolean create, boolean readOnly) {
        Path abs = dir.toAbsolutePath();
        checkDirectory(abs, create && !readOnly);
        List<AutoCloseable> owned = new ArrayList<>();
        try {
            LRUCache cache = own(owned, new LRUCache(BLOCK_CACHE_BYTES));
            BloomFilter bloom = own(owned, new BloomFilter(10, false));
            BlockBasedTableConfig stateTable = new BlockBasedTableConfig()
                    .setBlockCache(cache)
                    .setFilterPolicy(bloom)
                    .setCacheIndexAndFilterBlocks(true)
                    .setPinL0FilterAndIndexBlocksInCache(true);
            BlockBasedTableConfig smallTable = new BlockBasedTableConfig()
                    .setBlockCache(cache)
                    .setCacheIndexAndFilterBlocks(true);
            ColumnFamilyOptions stateOpts = own(owned, new ColumnFamilyOptions()
                    .setTableFormatConfig(stateTable)
                    .setWriteBufferSize(STATE_WRITE_BUFFER_BYTES)
                    .setMaxWriteBufferNumber(2)
                    // whole-key bloom in the memtable: cheap misses when looking up previous values
                    .setMemtableWholeKeyFiltering(true)
                    .setMemtablePrefixBloomSizeRatio(0.1)
                    .setCompressionType(CompressionType.LZ4_COMPRESSION)
                    .setLevelCompactionDynamicLevelBytes(true));
            ColumnFamilyOptions smallOpts = own(owned, new ColumnFamilyOptions()
                    .setTableFormatConfig(smallTable)
                    .setWriteBufferSize(SMALL_WRITE_BUFFER_BYTES)
                    .setMaxWriteBufferNumber(2)
                    .setCompressionType(CompressionType.LZ4_COMPRESSION));
            DBOptions dbOpts = own(owned, new DBOptions()
                    .setCreateIfMissing(create && !readOnly)
                    .setCreateMissingColumnFamilies(create && !readOnly)
                    .setParanoidChecks(true)
                    .setMaxOpenFiles(MAX_OPEN_FILES)
                    .setMaxTotalWalSize(MAX_TOTAL_WAL_BYTES)
                    .setMaxBackgroundJobs(2)
                    .setKeepLogFileNum(3)
                    .setMaxLogFileSize(8L << 20));
            WriteOptions syncWrite = own(owned, new WriteOptions().setSync(true));

            List<ColumnFamilyDescriptor> descriptors = List.of(
                    new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, smallOpts),
                    new ColumnFamilyDescriptor(bytes(CF_STATE), stateOpts),
                    new ColumnFamilyDescriptor(bytes(CF_JOURNAL), smallOpts),
                    new ColumnFamilyDescriptor(bytes(CF_META), smallOpts));
            if (exists(abs)) {
                checkColumnFamilies(abs, readOnly);
            }
            List<ColumnFamilyHandle> handles = new ArrayList<>(descriptors.size());
            RocksDB db;
            try {
                db = readOnly
                        ? RocksDB.openReadOnly(dbOpts, abs.toString(), descriptors, handles)
                        : RocksDB.open(dbOpts, abs.toString(), descriptors, handles);
            } catch (RocksDBException e) {
                throw openFailure(abs, readOnly, e);
            }
            // close order (reverse of this list): handles, then the database, then the options
            owned.add(db);
            owned.addAll(handles);
            return new RocksHandles(abs, readOnly, db, handles.get(1), handles.get(2), handles.get(3), syncWrite, owned);
        } catch (RuntimeException | Error e) {
            closeAll(owned, e);
            throw e;
        }
    }

    private static void checkDirectory(Path dir, boolean create) {
        if (exists(dir)) {
            return;
        }
        if (!create) {
            throw new StateStoreException(dir, "no state store in " + dir
                    + (Files.isDirectory(dir) ? " (the directory holds no RocksDB database)" : " (no such directory)"));
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new StateStoreException(dir, "cannot create the state store: " + dir + " is not a directory");
        }
        if (Files.isDirectory(dir)) {
            List<String> foreign = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path p : entries) {
                    String name = p.getFileName().toString();
                    if (!ROCKS_FILE.matcher(name).matches()) {
                        foreign.add(name);
                    }
                }
            } catch (IOException e) {
                throw new StateStoreException(dir, "cannot list the state store directory " + dir + ": " + e, e);
            }
            if (!foreign.isEmpty()) {
                throw new StateStoreException(dir, "refusing to create a state store in " + dir
                        + ": the directory is not empty and holds no state store (found "
                        + String.join(", ", foreign.subList(0, Math.min(5, foreign.size())))
                        + (foreign.size() > 5 ? ", ..." : "") + "); give the state store a directory of its own");
            }
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StateStoreException(dir, "cannot create the state store directory " + dir + ": " + e, e);
        }
    }

    private static void checkColumnFamilies(Path dir, boolean readOnly) {
        List<byte[]> names;
        try (Options o = new Options()) {
            names = RocksDB.listColumnFamilies(o, dir.toString());
        } catch (RocksDBException e) {
            throw openFailure(dir, readOnly, e);
        }
        Set<String> found = new TreeSet<>();
        for (byte[] n : names) {
            found.add(new String(n, StandardCharsets.UTF_8));
        }
        Set<String> unknown = new TreeSet<>(found);
        unknown.removeAll(KNOWN_CFS);
        if (!unknown.isEmpty()) {
            throw new StateStoreException(dir, dir + " is a RocksDB database but not a debshrew state store"
                    + " (unexpected column families " + unknown + ")");
        }
        if (readOnly && !found.containsAll(KNOWN_CFS)) {
            throw new StateStoreException(dir, dir + " is a RocksDB database but not a debshrew state store"
                    + " (column families " + found + ", expected " + new TreeSet<>(KNOWN_CFS) + ")");
        }
    }

    private static StateStoreException openFailure(Path dir, boolean readOnly, RocksDBException e) {
        String status = e.getMessage() == null ? String.valueOf(e.getStatus()) : e.getMessage();
        if (!readOnly && (status.contains("lock") || status.contains("LOCK"))) {
            return new StateStoreException(dir, "the state store in " + dir + " is in use by another process"
                    + " (RocksDB lock held: " + status + "); stop the daemon using it first", e);
        }
        return new StateStoreException(dir, "cannot open the state store in " + dir
                + (readOnly ? " read-only" : "") + ": " + status, e);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static <T extends AutoCloseable> T own(List<AutoCloseable> owned, T resource) {
        owned.add(resource);
        return resource;
    }

    private static void closeAll(List<AutoCloseable> owned, Throwable primary) {
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                if (primary != null) {
                    primary.addSuppressed(e);
                }
            }
        }
        owned.clear();
    }

    // ------------------------------------------------------------------ meta helpers

    /** The stored format version, or -1 when absent. */
    int formatVersion() throws RocksDBException {
        byte[] v = db.get(meta, META_FORMAT);
        return v == null || v.length != 4 ? -1 : java.nio.ByteBuffer.wrap(v).getInt();
    }

    /** The stored window size, or -1 when absent. */
    int storedWindowSize() throws RocksDBException {
        byte[] v = db.get(meta, META_WINDOW_SIZE);
        return v == null || v.length != 4 ? -1 : java.nio.ByteBuffer.wrap(v).getInt();
    }

    static byte[] int32(int v) {
        return java.nio.ByteBuffer.allocate(4).putInt(v).array();
    }

    static byte[] tipValue(long height, String hash) {
        byte[] h = bytes(hash);
        return java.nio.ByteBuffer.allocate(8 + h.length).putLong(height).put(h).array();
    }

    /** A stored height + hash ({@link #tipValue} layout), or null when absent or malformed. */
    dev.debshrew.sink.Cursor storedCursor(byte[] key) throws RocksDBException {
        byte[] v = db.get(meta, key);
        if (v == null || v.length < 9) {
            return null;
        }
        long height = java.nio.ByteBuffer.wrap(v).getLong();
        return height < 0 ? null
                : new dev.debshrew.sink.Cursor(height, new String(v, 8, v.length - 8, StandardCharsets.UTF_8));
    }

    /**
     * The window's base: the parent of the oldest entry when the window is not empty (stores of
     * older builds have no base record), else the stored base record (null when there is none).
     */
    dev.debshrew.sink.Cursor base(List<JournalEntry> window) throws RocksDBException {
        return window.isEmpty() ? storedCursor(META_BASE) : window.get(0).parentCursor();
    }

    /** The recorded module SHA-256, or null when none was recorded. */
    String storedModuleSha256() throws RocksDBException {
        byte[] v = db.get(meta, META_MODULE_SHA256);
        return v == null ? null : new String(v, StandardCharsets.US_ASCII);
    }

    /** Whether the state column family holds at least one key. */
    boolean stateIsEmpty() {
        try (org.rocksdb.RocksIterator it = db.newIterator(state)) {
            it.seekToFirst();
            return !it.isValid();
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            closeAll(owned, null);
        }
    }

    @Override
    public String toString() {
        return "RocksHandles[" + dir + (readOnly ? ", read-only" : "") + "]";
    }

}
