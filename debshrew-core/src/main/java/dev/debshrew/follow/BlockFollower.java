package dev.debshrew.follow;

import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.cdc.Inversion;
import dev.debshrew.journal.ChainStore;
import dev.debshrew.journal.JournalEntry;
import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.metashrew.MetashrewException;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.Sink;
import dev.debshrew.sink.SinkException;
import dev.debshrew.transform.BlockContext;
import dev.debshrew.transform.BlockOutput;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformExecutionException;
import dev.debshrew.util.Backoff;
import dev.debshrew.util.Hex;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Follows the node block by block, strictly in height order, and drives one transform and one
 * sink. The heart of the daemon.
 *
 * <p>Each step: read the node's height; compare the node's hash at our tip (or at the node's
 * height, if that is lower) with the stored one, and on a mismatch undo back to the common
 * ancestor; otherwise, if the node has the next block, process it: hash, transform (views at that
 * height, state from the {@link ChainStore}), re-read height and hash (a block whose hash changed
 * while its views ran is redone), commit state + journal, then deliver messages + cursor to the
 * sink.
 *
 * <p>A reorg walks back through the window comparing hashes to find the common ancestor (never
 * further than the window), emits the inverse messages of the orphaned blocks newest first (each
 * undone block is its own sink commit whose cursor is the block's parent), reverts the state, and
 * continues with the new branch, including the replacement of the old tip height. A reorg deeper
 * than the window stops with {@link DeepReorgException}.
 *
 * <p>Crash order: the store commits before the sinks on the way forward, and the sinks commit
 * before the store on the way back, so the store is never behind a sink's cursor. A sink that is
 * behind the store (a crash between the two commits, or a sink that failed while the others went
 * on) receives the missing blocks from the journal, exactly as they were computed, once the node
 * has confirmed the store's tip; if those blocks were orphaned meanwhile, it receives nothing for
 * them and the other sinks receive their inverse. Each sink has its own cursor (fan-out).
 *
 * <p>Node failures never stop the follower: it backs off (up to {@link FollowerSettings#retryMax()})
 * and tries again, without skipping a block. Transform failures and non-retriable sink failures
 * stop it with a {@link PipelineException} naming the block.
 */
public final class BlockFollower {

    private static final Logger log = LoggerFactory.getLogger(BlockFollower.class);

    /** Parent hash used for block 0. */
    public static final String ZERO_HASH = "0".repeat(64);

    private final MetashrewClient node;
    private final Transform transform;
    private final ChainStore store;
    private final FollowerSettings settings;
    private final FollowerListener listener;
    private final Backoff backoff;
    private final StopSignal stop = new StopSignal();
    private final SinkFanOut fanOut;
    private final StartPosition start;
    private final RecentReorgs recentReorgs = new RecentReorgs(20);

    private volatile long processedBlocks;
    private volatile long next = -1;

    /** A follower writing to one sink. */
    public BlockFollower(MetashrewClient node, Transform transform, ChainStore store, Sink sink,
            FollowerSettings settings) {
        this(node, transform, store, List.of(sink), settings, FollowerListener.NONE);
    }

    /**
     * A follower writing every block to each of {@code sinks} (fan-out). Each sink keeps its own
     * cursor; a sink that is behind the others after a restart catches up from the journal.
     */
    public BlockFollower(MetashrewClient node, Transform transform, ChainStore store, List<Sink> sinks,
            FollowerSettings settings, FollowerListener listener) {
        this.node = node;
        this.transform = transform;
        this.store = store;
        this.settings = settings;
        this.listener = listener;
        this.backoff = new Backoff(settings.retryInitial(), settings.retryMax(), 2.0, 0.25);
        this.fanOut = new SinkFanOut(sinks, settings, listener, stop);
        this.start = new StartPosition(store, node, settings, fanOut.states());
    }

    /** Asks {@link #run()} to return after the block in progress. Safe from any thread. */
    public void stop() {
        stop.stop();
    }

    /** Number of blocks processed (forward) since start. */
    public long processedBlocks() {
        return processedBlocks;
    }

    /** Height of the next block to process, or -1 before start-up finished. */
    public long nextHeight() {
        return next;
    }

    /**
     * A sink's name, the last cursor it committed (null: none yet), whether its last open or commit
     * succeeded, and its last error (null: none since start) with when it happened.
     */
    public record SinkPosition(String sink, Cursor cursor, boolean up, String lastError, Instant lastErrorAt) {
    }

    /** Each sink's last committed cursor and health, in configuration order. Safe from any thread (status pages). */
    public List<SinkPosition> sinkPositions() {
        return fanOut.positions();
    }

    /** The newest block of the reorg window, if any. Safe from any thread (status pages). */
    public Optional<JournalEntry> windowTip() {
        return store.tip();
    }

    /** Number of blocks currently kept in the reorg window. */
    public int windowBlocks() {
        return store.window().size();
    }

    /** The blocks of the reorg window, oldest first. Safe from any thread (status pages). */
    public List<JournalEntry> window() {
        return store.window();
    }

    /** The last 20 reorganisations undone since start, newest first. Safe from any thread (status pages). */
    public List<RecentReorgs.Reorg> recentReorgs() {
        return recentReorgs.list();
    }

    /** Capacity of the reorg window ({@code cache_size}). */
    public int windowSize() {
        return store.windowSize();
    }

    /**
     * Runs until {@link #stop()} or a fatal error. Opens the sink; does not close it.
     *
     * <p>A sink failure after {@link #stop()} (the daemon aborts a sink call that hangs while
     * stopping) ends the run normally: the block is not lost, the sink receives it from the journal
     * at the next start. A node call cancelled for the stop is a transient failure like any other.
     *
     * @throws PipelineException on a transform failure, a sink failure or a deep reorg
     */
    public void run() throws PipelineException {
        try {
            fanOut.open();
            follow();
        } catch (StopRequested e) {
            log.info("stop requested while waiting for a sink; next block would be {}", next);
        } catch (PipelineException e) {
            if (!stop.isStopping() || !(e.getCause() instanceof SinkException)) {
                throw e;
            }
            log.info("follower stopped during a sink call ({}); the sink receives the block again at the next start",
                    e.getMessage());
        }
    }

    private void follow() throws PipelineException, StopRequested {
        int failures = 0;
        while (!stop.isStopping() && next < 0) {
            listener.heartbeat();
            try {
                next = start.resolve();
            } catch (MetashrewException e) {
                pause(backoff.delay(++failures), "start-up", e);
            }
        }
        failures = 0;
        while (!stop.isStopping()) {
            listener.heartbeat();
            try {
                boolean progressed = step();
                failures = 0;
                if (!progressed) {
                    stop.sleep(settings.pollInterval());
                }
            } catch (MetashrewException e) {
                pause(backoff.delay(++failures), "block " + next, e);
            }
        }
        log.info("follower stopped; next block would be {}", next);
    }

    /**
     * Undoes the blocks above {@code toHeight} from the journal — inverse messages to the sinks,
     * then the state — without contacting the node, and returns. The next {@link #run()}
     * processes {@code toHeight + 1} onwards again. Opens the sinks; does not close them.
     *
     * @throws PipelineException if {@code toHeight} is not within the journal window, or a sink
     *                           does not match the store
     */
    public void rewind(long toHeight) throws PipelineException {
        try {
            fanOut.open();
        } catch (StopRequested e) {
            throw new PipelineException("rewind stopped before the sinks could be opened", e, false);
        }
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
                    + oldestParent + " (window " + (oldestParent + 1) + ".." + tip.height() + "); re-sync instead"
                    + " (docs/operations.md)");
        }
        start.checkSinksOnStoreChain(tip);
        log.warn("rewinding from {} to {}: undoing {} block(s)", tip.height(), toHeight, tip.height() - toHeight);
        try {
            undoBlocksAbove(toHeight);
        } catch (StopRequested e) {
            throw new PipelineException("rewind stopped while a sink was down; run it again to finish", e, false);
        }
    }

    // ------------------------------------------------------------------ one step

    /**
     * One poll. Returns whether progress was made (a block processed or undone).
     *
     * <p>Chain linkage: when the node has the next block, its hash is read FIRST and only then is
     * our tip's hash confirmed at the node, so the block's parent is known to be our tip at a
     * moment after the block's hash was read. A mismatch at the tip is the undo path.
     */
    boolean step() throws MetashrewException, PipelineException, StopRequested {
        long nodeHeight = node.height();
        listener.nodeHeight(nodeHeight);
        Optional<JournalEntry> tip = store.tip();
        if (tip.isEmpty()) {
            if (next > nodeHeight) {
                return false;
            }
            String hash = node.blockHash(next);
            String parentHash = next == 0 ? ZERO_HASH : node.blockHash(next - 1);
            checkWindowBase(parentHash);
            return processBlock(next, hash, parentHash, tip);
        }
        JournalEntry t = tip.get();
        if (next != t.height() + 1) {
            throw new IllegalStateException("next block " + next + " does not follow the tip " + t.height());
        }
        // the next block's hash, when the node has it, is read before the tip is confirmed
        String nextHash = nodeHeight >= next ? node.blockHash(next) : null;
        long checkHeight = Math.min(t.height(), nodeHeight);
        Optional<JournalEntry> stored = checkHeight == t.height() ? tip : store.entry(checkHeight);
        if (stored.isEmpty()) {
            log.warn("node height {} is below the reorg window ({}..{}); waiting for the node to re-index",
                    nodeHeight, store.window().get(0).height(), t.height());
            return false;
        }
        String nodeHash = node.blockHash(checkHeight);
        if (!nodeHash.equals(stored.get().hash())) {
            undoToCommonAncestor(nodeHeight, checkHeight, nodeHash);
            return true;
        }
        if (nodeHeight < t.height()) {
            log.info("node height {} dropped below our tip {} (rollback in progress?); waiting", nodeHeight,
                    t.height());
            return false;
        }
        fanOut.catchUp(store, t);
        if (nextHash == null) {
            return false;
        }
        return processBlock(next, nextHash, t.hash(), tip);
    }

    /**
     * With an empty window, the block below {@code next} is the store's base: its state is the
     * state the next block builds on. If the node no longer has it, the reorg is deeper than the
     * window (unless the base is just below {@code start_height}, where nothing was ever emitted).
     */
    private void checkWindowBase(String nodeParentHash) throws DeepReorgException {
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

    /**
     * Runs the transform on block {@code height} (whose hash {@code hash} was read before the node
     * confirmed {@code parentHash} at {@code height - 1}), confirms the linkage again after the
     * views ran, then commits the block to the store and every sink. Returns true when progress
     * was made (the block committed, or a reorg undone); a block that changed while it ran is
     * simply redone on the next step.
     */
    private boolean processBlock(long height, String hash, String parentHash, Optional<JournalEntry> tip)
            throws MetashrewException, PipelineException, StopRequested {
        try (MDC.MDCCloseable ignored = MDC.putCloseable("height", Long.toString(height))) { // log lines name the block
            return processBlockWithMdc(height, hash, parentHash, tip);
        }
    }

    private boolean processBlockWithMdc(long height, String hash, String parentHash, Optional<JournalEntry> tip)
            throws MetashrewException, PipelineException, StopRequested {
        long started = System.nanoTime();
        NodeViews views = new NodeViews(node);
        long transformStarted = System.nanoTime();
        BlockOutput out;
        try {
            out = transform.process(new BlockContext(height, Hex.decode(hash)), views, store);
        } catch (TransformExecutionException e) {
            views.rethrowNodeFailure(e, height, hash);
            throw new PipelineException("transform '" + transform.name() + "' failed on block " + height + " (" + hash
                    + "): " + e.getMessage(), e);
        }
        views.rethrowTransientFailure();
        long transformNanos = System.nanoTime() - transformStarted;

        // after the views: the node still has this block at this height, on our tip
        long heightAfter = node.height();
        String hashAfter = heightAfter >= height ? node.blockHash(height) : null;
        if (!hash.equals(hashAfter)) {
            log.warn("block {} changed while it was processed (hash {} -> {}); redoing it", height, hash,
                    hashAfter == null ? "none, node height " + heightAfter : hashAfter);
            return true;
        }
        if (height > 0) {
            String parentAfter = node.blockHash(height - 1);
            if (!parentAfter.equals(parentHash)) {
                log.warn("the parent of block {} changed while it was processed (height {}: {} -> {})", height,
                        height - 1, parentHash, parentAfter);
                if (tip.isPresent()) {
                    undoToCommonAncestor(heightAfter, height - 1, parentAfter);
                }
                return true;
            }
        }

        CrashPoint.BEFORE_STATE_COMMIT.reached(height);
        store.commit(height, hash, parentHash, out.messages(), out.stateChanges());
        CrashPoint.AFTER_STATE_COMMIT.reached(height);
        fanOut.deliver(out.messages(), new Cursor(height, hash), "block " + height);
        CrashPoint.AFTER_SINK_COMMIT.reached(height);
        next = height + 1;
        processedBlocks++;
        listener.blockCommitted(height, hash, out.messages().size(), transformNanos, System.nanoTime() - started);
        if (log.isDebugEnabled()) {
            log.debug("block {} {}: {} message(s), {} state change(s)", height, hash, out.messages().size(),
                    out.stateChanges().size());
        }
        return true;
    }

    // ------------------------------------------------------------------ reorgs

    private void undoToCommonAncestor(long nodeHeight, long mismatchHeight, String nodeHashThere)
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
        next = ancestorHeight + 1;
        recentReorgs.add(window, ancestorHeight, ancestorHash, inverseMessages);
        listener.reorgUndone(ancestorHeight, depth);
    }

    /**
     * Undoes journal blocks newest first down to {@code ancestorHeight}: for each, the inverse
     * messages go to every sink that received the block (sink commit first), then the store
     * reverts the block's state. Returns the number of inverse messages.
     */
    private long undoBlocksAbove(long ancestorHeight) throws PipelineException, StopRequested {
        long inverseMessages = 0;
        while (store.tip().isPresent() && store.tip().get().height() > ancestorHeight) {
            JournalEntry e = store.tip().get();
            List<CdcMessage> inverse = Inversion.invertBlock(e.messages(), e.parentHash(), System.currentTimeMillis());
            try (MDC.MDCCloseable ignored = MDC.putCloseable("height", Long.toString(e.height()))) {
                fanOut.deliverUndo(e, inverse);
            }
            CrashPoint.AFTER_UNDO_SINK_COMMIT.reached(e.height());
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

    // ------------------------------------------------------------------ waiting

    private void pause(Duration d, String where, MetashrewException e) {
        if (stop.isStopping()) {
            return; // a call cancelled by the stop, or a failure that no longer matters
        }
        listener.nodeError(e.kind().name());
        log.warn("metashrew call failed during {} ({}): {}; retrying in {} ms", where, e.kind(), e.getMessage(),
                d.toMillis());
        listener.heartbeat();
        stop.sleep(d);
    }
}
