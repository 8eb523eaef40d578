package dev.debshrew.follow;

import dev.debshrew.journal.JournalEntry;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The last few reorganisations the follower undid, newest first, for status pages. Thread-safe:
 * written by the follower, read by the admin server.
 */
public final class RecentReorgs {

    /**
     * One undone reorganisation.
     *
     * @param at              when the undo finished
     * @param ancestorHeight  height of the common ancestor (the new tip of the window)
     * @param ancestorHash    its hash
     * @param depth           number of blocks undone
     * @param undoneHashes    hashes of the undone blocks, newest (height {@code ancestorHeight + depth}) first
     * @param inverseMessages number of inverse messages emitted (to each sink that had the blocks)
     */
    public record Reorg(Instant at, long ancestorHeight, String ancestorHash, long depth, List<String> undoneHashes,
            long inverseMessages) {

        /** Copies the hash list. */
        public Reorg {
            undoneHashes = List.copyOf(undoneHashes);
        }
    }

    private final int capacity;
    private final Deque<Reorg> reorgs = new ArrayDeque<>();

    /** Keeps at most {@code capacity} reorganisations. */
    public RecentReorgs(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * Records that the blocks of {@code window} (the reorg window before the undo, oldest first)
     * above {@code ancestorHeight} were undone, now, with {@code inverseMessages} inverse messages.
     */
    void add(List<JournalEntry> window, long ancestorHeight, String ancestorHash, long inverseMessages) {
        List<String> undone = new ArrayList<>();
        for (JournalEntry e : window) {
            if (e.height() > ancestorHeight) {
                undone.add(0, e.hash());
            }
        }
        add(new Reorg(Instant.now(), ancestorHeight, ancestorHash, undone.size(), undone, inverseMessages));
    }

    /** Records a reorganisation, dropping the oldest beyond the capacity. */
    public synchronized void add(Reorg reorg) {
        reorgs.addFirst(reorg);
        while (reorgs.size() > capacity) {
            reorgs.removeLast();
        }
    }

    /** The recorded reorganisations, newest first. */
    public synchronized List<Reorg> list() {
        return List.copyOf(reorgs);
    }
}
