package dev.debshrew.follow;

import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.cdc.Inversion;
import dev.debshrew.journal.ChainStore;
import dev.debshrew.journal.JournalEntry;
import dev.debshrew.sink.Cursor;
import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.metashrew.MetashrewException;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The undo path: finds the common ancestor of our window and the node's chain, and undoes every
 * block above it, newest first: the inverse messages go to each sink that received the block (the
 * sinks commit first, each undone block its own commit whose cursor is the block's parent), then
 * the store reverts the block's state. Runs only while the commit stage is idle. A reorg deeper than
 * the window stops with {@link DeepReorgException}, emitting nothing.
 */
final class ReorgUndo {

    private static final Logger log = LoggerFactory.getLogger(ReorgUndo.class);

    private final MetashrewClient node;
    private final ChainStore store;
    private final SinkFanOut fanOut;
    private final FollowerSettings settings;
    private final FollowerListener listener;
    private final RecentReorgs recentReorgs;

    ReorgUndo(MetashrewClient node, ChainStore store, SinkFanOut fanOut, FollowerSettings settings,
            FollowerListener listener, RecentReorgs recentReorgs) {
        this.node = node;
        this.store = store;
        this.fanOut = fanOut;
        this.settings = settings;
        this.listener = listener;
        this.recentReorgs = recentReorgs;
    }

    /**
     * Our block at {@code mismatchHeight} is not the node's ({@code nodeHashThere}): walks back
     * through the window to the newest block the node still has, undoes everything above it and
     * returns the height of that common ancestor (the next block to process is the one above it).
     *
     * @throws DeepReorgException when no block of the window (nor its parent) is on the node's chain
     */
    long undoToCommonAncestor(long nodeHeight, long mismatchHeight, String nodeHashThere)
            throws MetashrewException, PipelineException, StopRequested {
        List<JournalEntry> window = store.window();
        JournalEntry newest = window.get(window.size() - 1);
        long ancestorHeight = -1;
        String ancestorHash = null;
        for (int i = window.size() - 1; i >= 0 && ancestorHash == null; i--) {
            JournalEntry e = window.get(i);
            if (e.height() >= mismatchHeight) {
                continue; // above the node's height, or the mismatch itself
            }
            if (node.blockHash(e.height()).equals(e.hash())) {
                ancestorHeight = e.height();
                ancestorHash = e.hash();
            }
        }
        if (ancestorHash == null) {
            JournalEntry oldest = window.get(0);
            long parentHeight = oldest.height() - 1;
            String nodeParent = parentHeight >= 0 ? node.blockHash(parentHeight) : null;
            if (nodeParent != null && nodeParent.equals(oldest.parentHash())) {
                ancestorHeight = parentHeight;
                ancestorHash = oldest.parentHash();
            } else if (settings.startHeight() != null && oldest.height() == settings.startHeight()) {
                // The journal still holds the very first block this pipeline processed: the fork lies
                // below start_height, where nothing was ever emitted. Undo everything and start again
                // at start_height on the new branch.
                log.warn("chain reorganisation forks below start_height {}: undoing every processed block {}..{}"
                        + " and starting again at {} on the new branch", settings.startHeight(), oldest.height(),
                        newest.height(), settings.startHeight());
                ancestorHeight = parentHeight;
                ancestorHash = oldest.parentHash();
            } else {
                throw new DeepReorgException("chain reorganisation deeper than the reorg window of "
                        + store.windowSize() + " blocks: none of the kept blocks " + oldest.height() + ".."
                        + newest.height() + " is on the node's chain any more (at height " + mismatchHeight
                        + " we have " + hashAt(window, mismatchHeight) + ", the node has " + nodeHashThere + ")"
                        + (parentHeight >= 0 ? ", nor is their parent (height " + parentHeight + ": we have "
                        + oldest.parentHash() + ", the node has " + nodeParent + ")" : "")
                        + ". Stopping without emitting anything for the new branch."
                        + " Recovery: docs/operations.md#deep-reorgs; raise cache_size to survive deeper reorgs",
                        oldest.height(), newest.height());
            }
        }
        long depth = newest.height() - ancestorHeight;
        log.warn("chain reorganisation: node hash at height {} is {}, ours is {}; common ancestor {}:{}; undoing {}"
                + " block(s) {}..{} (node height {})", mismatchHeight, nodeHashThere, hashAt(window, mismatchHeight),
                ancestorHeight, ancestorHash, depth, newest.height(), ancestorHeight + 1, nodeHeight);
        long inverseMessages = undoBlocksAbove(ancestorHeight);
        recentReorgs.add(window, ancestorHeight, ancestorHash, inverseMessages);
        listener.reorgUndone(ancestorHeight, depth);
        return ancestorHeight;
    }

    /**
     * Undoes journal blocks newest first down to {@code ancestorHeight}: for each, the inverse
     * messages go to every sink that received the block (sink commit first), then the store
     * reverts the block's state. Returns the number of inverse messages.
     */
    long undoBlocksAbove(long ancestorHeight) throws PipelineException, StopRequested {
        long inverseMessages = 0;
        while (store.tip().isPresent() && store.tip().get().height() > ancestorHeight) {
            JournalEntry e = store.tip().get();
            List<CdcMessage> inverse = Inversion.invertBlock(e.messages(), e.parentHash(), System.currentTimeMillis());
            try (MDC.MDCCloseable ignored = MDC.putCloseable("height", Long.toString(e.height()))) {
                fanOut.deliverUndo(e, inverse);
            }
            listener.afterUndoSinkCommit(e.height());
            store.revertTip();
            inverseMessages += inverse.size();
        }
        return inverseMessages;
    }

    private static String hashAt(List<JournalEntry> window, long height) {
        for (JournalEntry e : window) {
            if (e.height() == height) {
                return e.hash();
            }
        }
        return "nothing";
    }

    /**
     * Undoes the blocks above {@code toHeight} from the journal (inverse messages to the sinks, then
     * the state) without contacting the node ({@code debshrew rewind}); the sinks are open.
     *
     * @throws PipelineException if {@code toHeight} is not within the journal window, or a sink
     *                           does not match the store
     */
    void rewindTo(long toHeight, StartPosition start) throws PipelineException {
        Optional<Cursor> base = store.base();
        if (store.tip().isEmpty() && base.isPresent() && base.get().height() == toHeight) {
            log.info("the state store is already at {} (its base; the journal is empty): nothing to rewind", base.get());
            return;
        }
        JournalEntry tip = store.tip().orElseThrow(() -> new PipelineException("the state store's journal is empty"
                + base.map(b -> " (it is at its base block " + b + ")").orElse("") + ": nothing to rewind"));
        long oldestParent = store.window().get(0).height() - 1;
        if (toHeight < oldestParent || toHeight > tip.height()) {
            throw new PipelineException("cannot rewind to " + toHeight + ": the journal can undo down to height "
                    + oldestParent + " (window " + (oldestParent + 1) + ".." + tip.height() + ")"
                    + (toHeight < oldestParent ? ". " + ReindexAdvice.belowWindow(
                            fanOut.states().stream().map(st -> st.sink).toList(), toHeight + 1) : ""));
        }
        start.checkSinksOnStoreChain(tip);
        log.warn("rewinding from {} to {}: undoing {} block(s)", tip.height(), toHeight, tip.height() - toHeight);
        try {
            undoBlocksAbove(toHeight);
        } catch (StopRequested e) {
            throw new PipelineException("rewind stopped while a sink was down; run it again to finish", e, false);
        }
    }

    /**
     * With an empty window, the block below {@code next} is the store's base: its state is the
     * state the next block builds on. If the node no longer has it, the reorg is deeper than the
     * window (unless the base is just below {@code start_height}, where nothing was ever emitted).
     */
    void checkWindowBase(long next, String nodeParentHash) throws DeepReorgException {
        Optional<Cursor> base = store.base();
        if (base.isEmpty() || base.get().height() != next - 1 || base.get().hash().equals(nodeParentHash)
                || (settings.startHeight() != null && next == settings.startHeight())) {
            return;
        }
        throw new DeepReorgException("chain reorganisation deeper than the reorg window of " + store.windowSize()
                + " blocks: the reorg window is empty and its base block " + base.get() + " is no longer on the node's"
                + " chain (the node has " + nodeParentHash + " at height " + base.get().height() + ")."
                + " Stopping without emitting anything for the new branch."
                + " Recovery: docs/operations.md#deep-reorgs; raise cache_size to survive deeper reorgs",
                base.get().height() + 1, base.get().height());
    }
}
