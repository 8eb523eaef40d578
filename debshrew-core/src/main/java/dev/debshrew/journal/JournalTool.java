package dev.debshrew.journal;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.rocksdb.RocksDBException;

/**
 * Operator tools over a {@link RocksChainStore} data directory (the CLI wires them to
 * {@code debshrew journal inspect|verify|rewind}).
 *
 * <p>{@link #inspect} and {@link #verify} open the database read-only (no lock is taken, nothing is
 * written), so they can run beside a running daemon; they see the store as of the moment they
 * open it. {@link #rewind} needs exclusive access: it fails with a clear message while a daemon
 * holds the store.
 */
public final class JournalTool {

    /** Exit status of {@link #verify} for a clean journal. */
    public static final int OK = 0;
    /** Exit status of {@link #verify} when at least one problem was found. */
    public static final int CORRUPTED = 1;
    /** Exit status of {@link #verify} when the store could not be opened at all. */
    public static final int UNUSABLE = 2;

    private JournalTool() {
    }

    /**
     * Lists the journal window: one line per record with height, hash, parent hash, message count,
     * state-undo count, the module that produced the block (first 16 hex digits of its SHA-256) and
     * checksum status, then any store-wide problem.
     *
     * @throws StateStoreException if the store cannot be opened read-only
     */
    public static void inspect(Path dataDir, PrintStream out) {
        try (RocksHandles rocks = RocksHandles.open(dataDir, false, true)) {
            JournalScan scan = scan(rocks);
            int stored = storedWindow(rocks);
            out.println("state store " + rocks.dir + " (format " + formatVersion(rocks) + ", window size "
                    + (stored > 0 ? stored : "unknown") + ", " + scan.records.size() + " journal record(s))");
            out.println("base " + describeBase(rocks, scan) + "; module sha256 " + describeModule(rocks));
            out.printf("%-10s  %-64s  %-64s  %8s  %8s  %-16s  %s%n", "height", "hash", "parent_hash", "messages",
                    "undo", "module", "status");
            for (JournalScan.RecordStatus r : scan.records) {
                JournalEntry e = r.entry();
                out.printf("%-10s  %-64s  %-64s  %8s  %8s  %-16s  %s%n",
                        r.height() < 0 ? "?" : Long.toString(r.height()),
                        e == null ? "?" : e.hash(),
                        e == null ? "?" : e.parentHash(),
                        e == null ? "?" : Integer.toString(e.messages().size()),
                        e == null ? "?" : Integer.toString(e.undo().size()),
                        e == null ? "?" : moduleColumn(e.module()),
                        r.ok() ? "ok" : (e == null ? "CORRUPT: " : "BAD LINK: ") + r.problem());
            }
            for (JournalScan.Problem p : scan.problems) {
                if (p.height().isEmpty() || !belongsToRecord(scan, p)) {
                    out.println("PROBLEM: " + p);
                }
            }
        }
    }

    /** The first 16 hex digits of the module that produced a block ({@code -}: not recorded). */
    static String moduleColumn(String module) {
        return module == null ? "-" : module.substring(0, Math.min(16, module.length()));
    }

    /**
     * Verifies every journal record (checksum, decoding, key, contiguity, parent links) and the
     * stored tip, printing one line per problem and a summary.
     *
     * @return {@link #OK} when clean, {@link #CORRUPTED} on any problem, {@link #UNUSABLE} when the
     *         store cannot be opened
     */
    public static int verify(Path dataDir, PrintStream out) {
        RocksHandles rocks;
        try {
            rocks = RocksHandles.open(dataDir, false, true);
        } catch (StateStoreException e) {
            out.println("ERROR: " + e.getMessage());
            return UNUSABLE;
        }
        try (rocks) {
            int format = rocks.formatVersion();
            if (format != RocksHandles.FORMAT_VERSION) {
                out.println("ERROR: " + rocks.dir + (format < 0 ? " has no debshrew format marker"
                        : " has format version " + format + "; this build reads " + RocksHandles.FORMAT_VERSION));
                return UNUSABLE;
            }
            JournalScan scan = JournalScan.run(rocks);
            for (JournalScan.Problem p : scan.problems) {
                out.println("BAD " + p);
            }
            if (scan.clean()) {
                out.println("journal OK: " + scan.records.size() + " record(s)" + range(scan.window) + " in " + rocks.dir);
                return OK;
            }
            out.println("journal CORRUPTED: " + scan.problems.size() + " problem(s) in " + scan.records.size()
                    + " record(s) in " + rocks.dir + "; the daemon will refuse to start on it (docs/state-store.md)");
            return CORRUPTED;
        } catch (RocksDBException e) {
            out.println("ERROR: reading " + rocks.dir + " failed: " + e.getMessage());
            return UNUSABLE;
        }
    }

    /**
     * Reverts the tip block by block until the tip is {@code toHeight}, each step one atomic,
     * synced write (an interruption leaves a consistent store at some height in between).
     *
     * @throws IllegalArgumentException if {@code toHeight} is not in the journal window (the
     *                                  message names the oldest and newest heights)
     * @throws StateStoreException      if the store cannot be opened (missing, in use by a running
     *                                  daemon, corrupted)
     */
    public static void rewind(Path dataDir, long toHeight, PrintStream out) {
        try (RocksChainStore store = RocksChainStore.openExisting(dataDir)) {
            List<JournalEntry> window = store.window();
            if (window.isEmpty()) {
                throw new IllegalArgumentException("cannot rewind the state store in " + store.dataDir()
                        + ": its journal is empty" + store.base().map(b -> " (it is at its base block " + b + ")")
                        .orElse(""));
            }
            long oldest = window.get(0).height();
            long tip = window.get(window.size() - 1).height();
            if (toHeight > tip) {
                throw new IllegalArgumentException("cannot rewind the state store in " + store.dataDir() + " to height "
                        + toHeight + ": its tip is already " + tip);
            }
            if (toHeight < oldest - 1) {
                throw new IllegalArgumentException("cannot rewind the state store in " + store.dataDir() + " to height "
                        + toHeight + ": the oldest block in the journal window is " + oldest + " (window " + oldest
                        + ".." + tip + "), so it can go back to " + (oldest - 1) + " at most; blocks below cannot be"
                        + " undone. Re-sync instead (docs/state-store.md)");
            }
            if (toHeight == tip) {
                out.println("state store " + store.dataDir() + " is already at height " + tip);
                return;
            }
            while (store.tip().isPresent() && store.tip().get().height() > toHeight) {
                JournalEntry undone = store.revertTip();
                out.println("reverted block " + undone.height() + " " + undone.hash() + " (" + undone.undo().size()
                        + " state write(s) undone)");
            }
            out.println("state store " + store.dataDir() + " is now at " + store.tip().map(t -> "height " + t.height()
                    + " " + t.hash()).orElse(store.base().map(b -> "height " + b.height() + " " + b.hash()
                    + " (its base; the journal is empty)").orElse("no block")));
        }
    }

    private static JournalScan scan(RocksHandles rocks) {
        try {
            return JournalScan.run(rocks);
        } catch (RocksDBException e) {
            throw new StateStoreException(rocks.dir, "reading the journal in " + rocks.dir + " failed: " + e.getMessage(), e);
        }
    }

    private static String describeBase(RocksHandles rocks, JournalScan scan) {
        try {
            var base = rocks.base(scan.window);
            return base == null ? "none" : base + (scan.window.isEmpty() ? " (journal empty: state as of this block)" : "");
        } catch (RocksDBException e) {
            return "unreadable";
        }
    }

    private static String describeModule(RocksHandles rocks) {
        try {
            String sha = rocks.storedModuleSha256();
            return sha == null ? "not recorded" : sha;
        } catch (RocksDBException e) {
            return "unreadable";
        }
    }

    private static String formatVersion(RocksHandles rocks) {
        try {
            int v = rocks.formatVersion();
            return v < 0 ? "none" : Integer.toString(v);
        } catch (RocksDBException e) {
            return "unreadable";
        }
    }

    private static int storedWindow(RocksHandles rocks) {
        try {
            return rocks.storedWindowSize();
        } catch (RocksDBException e) {
            return -1;
        }
    }

    private static boolean belongsToRecord(JournalScan scan, JournalScan.Problem p) {
        long h = p.height().getAsLong();
        for (JournalScan.RecordStatus r : scan.records) {
            if (r.height() == h && !r.ok() && p.what().equals(r.problem())) {
                return true;
            }
        }
        return false;
    }

    private static String range(List<JournalEntry> window) {
        return window.isEmpty() ? "" : ", heights " + window.get(0).height() + ".." + window.get(window.size() - 1).height();
    }
}
