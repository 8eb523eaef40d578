package dev.debshrew.journal;

import dev.debshrew.sink.Cursor;
import java.nio.file.Path;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * Moves a durable state store to a block below its journal window ({@code debshrew reindex}):
 * empties the journal and records the block as the store's base, so the next run resumes right
 * after it. Only a store without transform state can be moved: the state as of a block below the
 * window cannot be rebuilt from the journal (it keeps the undo records of the window only), so a
 * transform that keeps state must be re-indexed from its {@code start_height} instead.
 */
public final class StoreRebase {

    private StoreRebase() {
    }

    /** The number of transform state keys in the store at {@code dataDir} (0: the transform is stateless). */
    public static long stateKeys(Path dataDir) {
        try (RocksHandles rocks = RocksHandles.open(dataDir, false, true);
                RocksIterator it = rocks.db.newIterator(rocks.state)) {
            long n = 0;
            for (it.seekToFirst(); it.isValid(); it.next()) {
                n++;
            }
            return n;
        }
    }

    /**
     * Empties the journal and sets the base to {@code base} (the store must not hold transform state).
     *
     * @throws StateStoreException when the store cannot be opened (a daemon holds it), holds state,
     *                             or the write fails (nothing is written then)
     */
    public static void rebase(Path dataDir, Cursor base) {
        try (RocksHandles rocks = RocksHandles.open(dataDir, false, false);
                RocksIterator state = rocks.db.newIterator(rocks.state);
                RocksIterator journal = rocks.db.newIterator(rocks.journal);
                WriteBatch batch = new WriteBatch()) {
            state.seekToFirst();
            if (state.isValid()) {
                throw new StateStoreException(rocks.dir, "state store " + rocks.dir + " holds transform state: the"
                        + " state as of block " + base.height() + " cannot be rebuilt from the journal window;"
                        + " re-index from start_height with a fresh data directory (docs/operations.md)");
            }
            for (journal.seekToFirst(); journal.isValid(); journal.next()) {
                batch.delete(rocks.journal, journal.key());
            }
            batch.delete(rocks.meta, RocksHandles.META_TIP);
            batch.put(rocks.meta, RocksHandles.META_BASE, RocksHandles.tipValue(base.height(), base.hash()));
            rocks.db.write(rocks.syncWrite, batch);
        } catch (RocksDBException e) {
            throw new StateStoreException(dataDir, "state store " + dataDir + ": moving it to block " + base
                    + " failed, nothing was written: " + e.getMessage(), e);
        }
    }
}
