package dev.debshrew.journal;

import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.transform.StateChanges;
import dev.debshrew.transform.StateReader;
import java.util.List;
import java.util.Optional;

/**
 * The transform's key/value state together with the journal of the last N processed blocks (the
 * reorg window). Committing a block applies its state changes and appends its journal entry as
 * ONE atomic unit; reverting the tip restores the state the block overwrote and removes the entry,
 * again atomically. Entries older than the window are pruned on commit.
 *
 * <p>The store may be AHEAD of a sink's cursor after a crash (state is committed before the sink),
 * never behind it: the follower then delivers the missing blocks to the sink from the journal.
 */
public interface ChainStore extends StateReader, AutoCloseable {

    /** Number of blocks the window keeps ({@code cache_size}). */
    int windowSize();

    /** The window, oldest first. */
    List<JournalEntry> window();

    /** The newest committed block, if any. */
    Optional<JournalEntry> tip();

    /** The window entry at {@code height}, if it is in the window. */
    Optional<JournalEntry> entry(long height);

    /**
     * Applies {@code changes} to the state, recording undo information, and appends the block to
     * the journal, atomically. The block must extend the tip ({@code height == tip + 1} and
     * {@code parentHash} equal to the tip's hash) unless the store is empty.
     *
     * @return the journal entry written
     */
    JournalEntry commit(long height, String hash, String parentHash, List<CdcMessage> messages, StateChanges changes);

    /**
     * Undoes the tip block: restores every key it wrote to its previous value and removes its
     * journal entry, atomically.
     *
     * @return the removed entry
     * @throws IllegalStateException if the store is empty
     */
    JournalEntry revertTip();

    /** Whether the store survives a restart (false for the in-memory store). */
    boolean durable();

    @Override
    void close();
}
