package dev.debshrew.journal;

import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.sink.Cursor;
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
     * The block just below the window: the parent of the oldest window entry (after pruning, the
     * newest pruned block). It stays when {@link #revertTip} empties the window, so a store whose
     * window is empty but which has a base holds the state as of its base block and resumes at
     * {@code base + 1}. Empty for a store that never committed a block, or whose only blocks
     * started at height 0 and were all reverted.
     */
    Optional<Cursor> base();

    /**
     * Applies {@code changes} to the state, recording undo information, and appends the block to
     * the journal, atomically: {@link #commit(List)} of one block.
     *
     * @return the journal entry written
     */
    default JournalEntry commit(long height, String hash, String parentHash, List<CdcMessage> messages,
            StateChanges changes) {
        return commit(List.of(new BlockResult(height, hash, parentHash, messages, changes))).get(0);
    }

    /**
     * Applies the state changes of every block of {@code group}, in order, recording each block's
     * undo information, and appends the blocks to the journal, as ONE atomic unit (a group commit:
     * one durable write however many blocks). The blocks must be consecutive and each must extend
     * the previous one; the first must extend the tip ({@code height == tip + 1} and
     * {@code parentHash} equal to the tip's hash) unless the window is empty, where the caller has
     * checked the parent (the {@link #base()} is replaced by the block's parent).
     *
     * <p>Pruning keeps the newest {@link #windowSize()} entries but never an entry of this group, so
     * every block of the last group stays in the journal until the next commit: a sink that has not
     * committed the group yet (a crash between the store's commit and the sinks') receives it from
     * the journal.
     *
     * @return the journal entries written, oldest first
     * @throws IllegalStateException if the group is empty or does not extend the tip
     */
    List<JournalEntry> commit(List<BlockResult> group);

    /** Checks that {@code group} is non-empty, consecutive and extends {@code tip} (null: any start). */
    static void checkExtends(JournalEntry tip, List<BlockResult> group) {
        if (group.isEmpty()) {
            throw new IllegalStateException("empty commit group");
        }
        long height = tip == null ? group.get(0).height() : tip.height() + 1;
        String parent = tip == null ? group.get(0).parentHash() : tip.hash();
        for (BlockResult b : group) {
            if (b.height() != height || !b.parentHash().equals(parent)) {
                throw new IllegalStateException("block " + b.height() + " (parent " + b.parentHash()
                        + ") does not extend " + (b == group.get(0) ? "the tip " : "block ") + (height - 1) + " ("
                        + parent + ")");
            }
            height++;
            parent = b.hash();
        }
    }

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
