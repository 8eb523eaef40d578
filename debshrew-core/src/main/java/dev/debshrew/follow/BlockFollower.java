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
import dev.debshrew.transform.ViewSource;
import dev.debshrew.util.Hex;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>Crash order: the store commits before the sink on the way forward, and the sink commits
 * before the store on the way back, so the store is never behind the sink's cursor;
 * {@link #run()} reverts a store that is ahead.
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
    private final Sink sink;
    private final FollowerSettings settings;
    private final LongSupplier clock;
    private final Object wakeup = new Object();

    private volatile boolean stopping;
    private volatile long processedBlocks;
    private long next = -1;

    public BlockFollower(MetashrewClient node, Transform transform, ChainStore store, Sink sink,
            FollowerSettings settings) {
        this(node, transform, store, sink, settings, System::currentTimeMillis);
    }

    BlockFollower(MetashrewClient node, Transform transform, ChainStore store, Sink sink, FollowerSettings settings,
            LongSupplier clock) {
        this.node = node;
        this.transform = transform;
        this.store = store;
        this.sink = sink;
        this.settings = settings;
        this.clock = clock;
    }

    /** Asks {@link #run()} to return after the block in progress. Safe from any thread. */
    public void stop() {
        stopping = true;
        synchronized (wakeup) {
            wakeup.notifyAll();
        }
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
     * Runs until {@link #stop()} or a fatal error. Opens the sink; does not close it.
     *
     * @throws PipelineException on a transform failure, a sink failure or a deep reorg
     */
    public void run() throws PipelineException {
        Optional<Cursor> cursor;
        try {
            cursor = sink.open();
        } catch (SinkException e) {
            throw new PipelineException("sink " + sink.name() + " could not be opened: " + e.getMessage(), e);
        }
        Backoff backoff = new Backoff(settings.retryInitial(), settings.retryMax());
        while (!stopping && next < 0) {
            try {
                next = startHeight(cursor);
            } catch (MetashrewException e) {
                pause(backoff.next(), "start-up", e);
            }
        }
        while (!stopping) {
            try {
                boolean progressed = step();
                backoff.reset();
                if (!progressed) {
                    sleep(settings.pollInterval());
                }
            } catch (MetashrewException e) {
                pause(backoff.next(), next < 0 ? "start-up" : "block " + next, e);
            }
        }
        log.info("follower stopped; next block would be {}", next);
    }

    // ------------------------------------------------------------------ start-up

    /** Brings the store in line with the sink's cursor and returns the first height to process. */
    private long startHeight(Optional<Cursor> cursor) throws MetashrewException, PipelineException {
        if (cursor.isPresent()) {
            Cursor c = cursor.get();
            while (store.tip().isPresent() && store.tip().get().height() > c.height()) {
                JournalEntry undone = store.revertTip();
                log.info("state store was ahead of the sink cursor {}: reverted block {} ({})", c, undone.height(),
                        undone.hash());
            }
            Optional<JournalEntry> tip = store.tip();
            if (tip.isPresent()) {
                JournalEntry t = tip.get();
                if (t.height() != c.height() || !t.hash().equals(c.hash())) {
                    throw new PipelineException("the state store (tip " + t.height() + ":" + t.hash()
                            + ") is behind or diverges from the sink " + sink.name() + " cursor " + c
                            + "; the data directory does not belong to this sink's output."
                            + " Point the daemon at the matching data directory, or re-sync (docs/operations.md)");
                }
            } else {
                if (store.durable()) {
                    throw new PipelineException("the sink " + sink.name() + " has committed up to " + c
                            + " but the state store is empty; continuing would run the transform without its state."
                            + " Restore the data directory, or re-sync (docs/operations.md)");
                }
                String nodeHash = node.blockHash(c.height());
                if (!nodeHash.equals(c.hash())) {
                    throw new DeepReorgException("the chain changed below the sink cursor " + c + " while the daemon was"
                            + " down (node has " + nodeHash + " at height " + c.height() + ") and the in-memory store"
                            + " has no journal to undo it; re-sync (docs/operations.md)", c.height(), c.height());
                }
                log.warn("no durable state store: resuming after sink cursor {} with empty transform state", c);
            }
            log.info("resuming after sink cursor {}", c);
            return c.height() + 1;
        }
        Optional<JournalEntry> tip = store.tip();
        if (tip.isPresent()) {
            if (sink.keepsCursor()) {
                throw new PipelineException("the sink " + sink.name() + " has no cursor but the state store has blocks up"
                        + " to " + tip.get().height() + "; the data directory belongs to another output."
                        + " Use a fresh data directory for a new sink, or re-sync (docs/operations.md)");
            }
            log.info("sink {} keeps no cursor: resuming after the state store's tip {}", sink.name(), tip.get().height());
            return tip.get().height() + 1;
        }
        if (settings.startHeight() != null) {
            log.info("no cursor: starting at start_height {}", settings.startHeight());
            return settings.startHeight();
        }
        long h = node.height();
        log.info("no cursor and no start_height: starting at the node's tip {}", h);
        return h;
    }

    // ------------------------------------------------------------------ one step

    /** One poll. Returns whether progress was made (a block processed or undone). */
    boolean step() throws MetashrewException, PipelineException {
        long nodeHeight = node.height();
        Optional<JournalEntry> tip = store.tip();
        if (tip.isPresent()) {
            JournalEntry t = tip.get();
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
        }
        if (next > nodeHeight) {
            return false;
        }
        return processBlock(next, tip);
    }

    private boolean processBlock(long height, Optional<JournalEntry> tip) throws MetashrewException, PipelineException {
        String hash = node.blockHash(height);
        String parentHash;
        if (tip.isPresent()) {
            if (tip.get().height() != height - 1) {
                throw new IllegalStateException("next block " + height + " does not follow the tip " + tip.get().height());
            }
            parentHash = tip.get().hash();
        } else {
            parentHash = height == 0 ? ZERO_HASH : node.blockHash(height - 1);
        }

        NodeViews views = new NodeViews(node);
        BlockOutput out;
        try {
            out = transform.process(new BlockContext(height, Hex.decode(hash)), views, store);
        } catch (TransformExecutionException e) {
            views.rethrowTransientFailure();
            throw new PipelineException("transform '" + transform.name() + "' failed on block " + height + " (" + hash
                    + "): " + e.getMessage(), e);
        }
        views.rethrowTransientFailure();

        long heightAfter = node.height();
        String hashAfter = heightAfter >= height ? node.blockHash(height) : null;
        if (!hash.equals(hashAfter)) {
            log.warn("block {} changed while it was processed (hash {} -> {}); redoing it", height, hash,
                    hashAfter == null ? "none, node height " + heightAfter : hashAfter);
            return true;
        }

        CrashPoint.BEFORE_STATE_COMMIT.reached(height);
        store.commit(height, hash, parentHash, out.messages(), out.stateChanges());
        CrashPoint.AFTER_STATE_COMMIT.reached(height);
        deliver(out.messages(), new Cursor(height, hash), "block " + height);
        CrashPoint.AFTER_SINK_COMMIT.reached(height);
        next = height + 1;
        processedBlocks++;
        if (log.isDebugEnabled()) {
            log.debug("block {} {}: {} message(s), {} state change(s)", height, hash, out.messages().size(),
                    out.stateChanges().size());
        }
        return true;
    }

    // ------------------------------------------------------------------ reorgs

    private void undoToCommonAncestor(long nodeHeight, long mismatchHeight, String nodeHashThere)
            throws MetashrewException, PipelineException {
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
        while (store.tip().isPresent() && store.tip().get().height() > ancestorHeight) {
            JournalEntry e = store.tip().get();
            List<CdcMessage> inverse = Inversion.invertBlock(e.messages(), e.parentHash(), clock.getAsLong());
            deliver(inverse, new Cursor(e.height() - 1, e.parentHash()), "undo of block " + e.height());
            CrashPoint.AFTER_UNDO_SINK_COMMIT.reached(e.height());
            store.revertTip();
        }
        next = ancestorHeight + 1;
    }

    private static String hashAt(List<JournalEntry> window, long height) {
        for (JournalEntry e : window) {
            if (e.height() == height) {
                return e.hash();
            }
        }
        return "nothing";
    }

    // ------------------------------------------------------------------ delivery

    private void deliver(List<CdcMessage> messages, Cursor cursor, String what) throws PipelineException {
        Backoff backoff = new Backoff(settings.retryInitial(), settings.retryMax());
        for (int attempt = 1; ; attempt++) {
            try {
                for (CdcMessage m : messages) {
                    sink.send(m);
                }
                sink.flush(cursor);
                return;
            } catch (SinkException e) {
                if (!e.isRetriable() || attempt >= settings.sinkRetries() || stopping) {
                    throw new PipelineException("sink " + sink.name() + " could not commit " + what + " (cursor "
                            + cursor + ", " + messages.size() + " message(s)) after " + attempt + " attempt(s): "
                            + e.getMessage(), e);
                }
                Duration d = backoff.next();
                log.warn("sink {} failed to commit {} (attempt {}): {}; retrying in {} ms", sink.name(), what, attempt,
                        e.getMessage(), d.toMillis());
                sleep(d);
            }
        }
    }

    // ------------------------------------------------------------------ waiting

    private void pause(Duration d, String where, MetashrewException e) {
        log.warn("metashrew call failed during {} ({}): {}; retrying in {} ms", where, e.kind(), e.getMessage(),
                d.toMillis());
        sleep(d);
    }

    private void sleep(Duration d) {
        long deadline = System.nanoTime() + d.toNanos();
        synchronized (wakeup) {
            while (!stopping) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    wakeup.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stopping = true;
                    return;
                }
            }
        }
    }

    /** Views for one block: node failures that are transient make the block be redone, not failed. */
    private static final class NodeViews implements ViewSource {
        private final MetashrewClient node;
        private MetashrewException transientFailure;

        NodeViews(MetashrewClient node) {
            this.node = node;
        }

        @Override
        public byte[] view(String name, byte[] input, long height) throws Exception {
            try {
                return node.view(name, input, height);
            } catch (MetashrewException e) {
                if (e.isRetriable() && transientFailure == null) {
                    transientFailure = e;
                }
                throw e;
            }
        }

        void rethrowTransientFailure() throws MetashrewException {
            if (transientFailure != null) {
                throw transientFailure;
            }
        }
    }
}
