package dev.debshrew.follow;

import dev.debshrew.sink.Cursor;
import java.util.List;

/**
 * The chain check of a batch, after its views ran: which of the blocks the prefetcher handed over
 * may be committed. A block is committed only on its parent: its hash was read before the batch
 * ran, and afterwards the node gave the same hash for it AND for its parent (our tip, or the
 * previous block of the batch). Reading every height again after the earlier reads is what makes
 * each block's parent known at a moment after the block itself was read.
 */
final class ChainCheck {

    private ChainCheck() {
    }

    /** What to do with a batch. */
    sealed interface Verdict {
    }

    /** Commit the first {@code blocks} blocks of the batch (0: the first block changed; run it again). */
    record Advance(int blocks) implements Verdict {
    }

    /** Our tip is no longer the node's block at its height: undo to the common ancestor. */
    record Undo(long height, String nodeHash) implements Verdict {
    }

    /**
     * Decides on a batch of blocks {@code from..} read as {@code before}.
     *
     * @param tip          our tip (the last block handed to the commit stage, or the store's base), null
     *                     when nothing was ever committed (the first block's parent is taken from the node)
     * @param from         height of the batch's first block ({@code tip.height() + 1} when there is a tip)
     * @param before       the hashes the batch ran with, index 0 = {@code from}
     * @param tipHashAfter the node's hash at the tip's height, read after the batch ran (null without a tip)
     * @param after        the node's hashes at {@code from..}, read after the batch ran (may be shorter than
     *                     {@code before} when the node's height dropped meanwhile)
     */
    static Verdict confirm(Cursor tip, long from, List<String> before, String tipHashAfter, List<String> after) {
        if (tip != null) {
            if (tip.height() != from - 1) {
                throw new IllegalArgumentException("batch at " + from + " does not follow the tip " + tip);
            }
            if (!tip.hash().equals(tipHashAfter)) {
                return new Undo(tip.height(), tipHashAfter);
            }
        }
        int n = Math.min(before.size(), after.size());
        int same = 0;
        while (same < n && before.get(same).equals(after.get(same))) {
            same++;
        }
        return new Advance(same);
    }
}
