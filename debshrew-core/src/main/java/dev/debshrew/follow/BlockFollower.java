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
import dev.debshrew.util.Backoff;
import dev.debshrew.util.Hex;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
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
    private final List<SinkState> sinks;
    private final FollowerSettings settings;
    private final FollowerListener listener;
    private final Backoff backoff;
    private final Object wakeup = new Object();

    private volatile boolean stopping;
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
        if (sinks.isEmpty()) {
            throw new IllegalArgumentException("at least one sink is required");
        }
        this.node = node;
        this.transform = transform;
        this.store = store;
        this.sinks = sinks.stream().map(SinkState::new).toList();
        this.settings = settings;
        this.listener = listener;
        this.backoff = new Backoff(settings.retryInitial(), settings.retryMax(), 2.0, 0.25);
    }

    /** A sink and the last cursor it committed (null: none yet). */
    private static final class SinkState {
        final Sink sink;
        volatile Cursor cursor;

        SinkState(Sink sink) {
            this.sink = sink;
        }
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

    /** A sink's name and the last cursor it committed (null: none yet). */
    public record SinkPosition(String sink, Cursor cursor) {
    }

    /** Each sink's last committed cursor, in configuration order. Safe from any thread (status pages). */
    public List<SinkPosition> sinkPositions() {
        return sinks.stream().map(s -> new SinkPosition(s.sink.name(), s.cursor)).toList();
    }

    /** The newest block of the reorg window, if any. Safe from any thread (status pages). */
    public Optional<JournalEntry> windowTip() {
        return store.tip();
    }

    /** Number of blocks currently kept in the reorg window. */
    public int windowBlocks() {
        return store.window().size();
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
            follow();
        } catch (PipelineException e) {
            if (!stopping || !(e.getCause() instanceof SinkException)) {
                throw e;
            }
            log.info("follower stopped during a sink call ({}); the sink receives the block again at the next start",
                    e.getMessage());
        }
    }

    private void follow() throws PipelineException {
        openSinks();
        int failures = 0;
        while (!stopping && next < 0) {
            try {
                next = startHeight();
            } catch (MetashrewException e) {
                pause(backoff.delay(++failures), "start-up", e);
            }
        }
        failures = 0;
        while (!stopping) {
            try {
                boolean progressed = step();
                failures = 0;
                if (!progressed) {
                    sleep(settings.pollInterval());
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
        openSinks();
        JournalEntry tip = store.tip().orElseThrow(() -> new PipelineException("the state store is empty: nothing"
                + " to rewind"));
        long oldestParent = store.window().get(0).height() - 1;
        if (toHeight < oldestParent || toHeight > tip.height()) {
            throw new PipelineException("cannot rewind to " + toHeight + ": the journal can undo down to height "
                    + oldestParent + " (window " + (oldestParent + 1) + ".." + tip.height() + "); re-sync instead"
                    + " (docs/operations.md)");
        }
        for (SinkState s : sinks) {
            if (s.cursor != null) {
                checkOnStoreChain(s, tip);
            }
        }
        log.warn("rewinding from {} to {}: undoing {} block(s)", tip.height(), toHeight, tip.height() - toHeight);
        undoBlocksAbove(toHeight);
    }

    private void openSinks() throws PipelineException {
        for (SinkState s : sinks) {
            try {
                s.cursor = s.sink.open().orElse(null);
            } catch (SinkException e) {
                throw new PipelineException("sink " + s.sink.name() + " could not be opened: " + e.getMessage(), e);
            }
        }
    }

    // ------------------------------------------------------------------ start-up

    /**
     * Brings every sink in line with the store and returns the first height to process. The store
     * is never behind a sink (it commits first); a sink that is behind the store (a crash between
     * the two commits, or a sink that failed while others went on) receives the missing blocks
     * from the journal, exactly as they were computed.
     */
    private long startHeight() throws MetashrewException, PipelineException {
        Optional<JournalEntry> tip = store.tip();
        if (tip.isEmpty()) {
            return startWithEmptyStore();
        }
        JournalEntry t = tip.get();
        for (SinkState s : sinks) {
            if (s.cursor == null) {
                if (s.sink.keepsCursor()) {
                    throw new PipelineException("the sink " + s.sink.name() + " has no cursor but the state store has"
                            + " blocks up to " + t.height() + "; the data directory belongs to another output."
                            + " Use a fresh data directory for a new sink, or re-sync (docs/operations.md)");
                }
                continue;
            }
            checkOnStoreChain(s, t);
        }
        log.info("resuming after block {} ({})", t.height(), t.hash());
        return t.height() + 1;
    }

    /** Checks that a sink's cursor is a block of the store's chain (the journal or its parent). */
    private void checkOnStoreChain(SinkState s, JournalEntry tip) throws PipelineException {
        Cursor c = s.cursor;
        List<JournalEntry> window = store.window();
        JournalEntry oldest = window.get(0);
        boolean onChain = c.height() >= oldest.height() && c.height() <= tip.height()
                ? store.entry(c.height()).map(e -> e.hash().equals(c.hash())).orElse(false)
                : c.height() == oldest.height() - 1 && c.hash().equals(oldest.parentHash());
        if (!onChain) {
            throw new PipelineException("the sink " + s.sink.name() + " cursor " + c + " is not on the state store's"
                    + " chain (journal " + oldest.height() + ".." + tip.height() + ", tip " + tip.hash() + "): the"
                    + (c.height() > tip.height() ? " store is behind the sink" : " sink is behind the journal window")
                    + "; the data directory does not belong to this output. Restore the matching data directory,"
                    + " or re-sync (docs/operations.md)");
        }
        if (c.height() < tip.height()) {
            log.info("sink {} is at {}, behind the state store's tip {}; it will catch up from the journal",
                    s.sink.name(), c, tip.height());
        }
    }

    /**
     * Delivers journal blocks to sinks that are behind the store's tip. Called only once the node
     * confirmed the tip's hash, so every journal block is canonical.
     */
    private void catchUpLaggingSinks(JournalEntry tip) throws PipelineException {
        for (SinkState s : sinks) {
            if (s.cursor == null || s.cursor.height() >= tip.height()) {
                continue;
            }
            for (JournalEntry e : store.window()) {
                if (e.height() > s.cursor.height()) {
                    deliverTo(s, e.messages(), new Cursor(e.height(), e.hash()), "journal replay of block " + e.height());
                }
            }
        }
    }

    /** No durable state: the in-memory store, or a fresh data directory. */
    private long startWithEmptyStore() throws MetashrewException, PipelineException {
        Cursor c = null;
        for (SinkState s : sinks) {
            if (s.cursor == null) {
                continue;
            }
            if (c != null && !c.equals(s.cursor)) {
                throw new PipelineException("the sinks have different cursors (" + c + ", " + s.sink.name() + " at "
                        + s.cursor + ") and there is no journal to bring them in line; use the durable state store");
            }
            c = s.cursor;
        }
        if (c != null && settings.startHeight() != null && c.height() == settings.startHeight() - 1) {
            // everything emitted was undone (a reorg forking below start_height): nothing needs state
            log.info("sink cursor {} is just below start_height: starting at {}", c, settings.startHeight());
            return settings.startHeight();
        }
        if (c != null) {
            if (store.durable()) {
                throw new PipelineException("the sink(s) have committed up to " + c + " but the state store is empty;"
                        + " continuing would run the transform without its state."
                        + " Restore the data directory, or re-sync (docs/operations.md)");
            }
            String nodeHash = node.blockHash(c.height());
            if (!nodeHash.equals(c.hash())) {
                throw new DeepReorgException("the chain changed below the sink cursor " + c + " while the daemon was"
                        + " down (node has " + nodeHash + " at height " + c.height() + ") and the in-memory store"
                        + " has no journal to undo it; re-sync (docs/operations.md)", c.height(), c.height());
            }
            log.warn("no durable state store: resuming after sink cursor {} with empty transform state", c);
            return c.height() + 1;
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
        listener.nodeHeight(nodeHeight);
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
            catchUpLaggingSinks(t);
        }
        if (next > nodeHeight) {
            return false;
        }
        return processBlock(next, tip);
    }

    private boolean processBlock(long height, Optional<JournalEntry> tip) throws MetashrewException, PipelineException {
        long started = System.nanoTime();
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
        long transformStarted = System.nanoTime();
        BlockOutput out;
        try {
            out = transform.process(new BlockContext(height, Hex.decode(hash)), views, store);
        } catch (TransformExecutionException e) {
            views.rethrowTransientFailure();
            throw new PipelineException("transform '" + transform.name() + "' failed on block " + height + " (" + hash
                    + "): " + e.getMessage(), e);
        }
        views.rethrowTransientFailure();
        long transformNanos = System.nanoTime() - transformStarted;

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
        listener.blockCommitted(height, hash, out.messages().size(), transformNanos, System.nanoTime() - started);
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
        undoBlocksAbove(ancestorHeight);
        next = ancestorHeight + 1;
        listener.reorgUndone(ancestorHeight, depth);
    }

    /**
     * Undoes journal blocks newest first down to {@code ancestorHeight}: for each, the inverse
     * messages go to every sink that received the block (sink commit first), then the store
     * reverts the block's state.
     */
    private void undoBlocksAbove(long ancestorHeight) throws PipelineException {
        while (store.tip().isPresent() && store.tip().get().height() > ancestorHeight) {
            JournalEntry e = store.tip().get();
            List<CdcMessage> inverse = Inversion.invertBlock(e.messages(), e.parentHash(), System.currentTimeMillis());
            for (SinkState s : sinks) {
                // a sink that never received the block (it was behind) has nothing to undo
                if (s.cursor == null || s.cursor.height() >= e.height()) {
                    deliverTo(s, inverse, new Cursor(e.height() - 1, e.parentHash()), "undo of block " + e.height());
                }
            }
            CrashPoint.AFTER_UNDO_SINK_COMMIT.reached(e.height());
            store.revertTip();
        }
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

    /** Commits one block (or undo) to every sink, in order; each sink retries on its own. */
    private void deliver(List<CdcMessage> messages, Cursor cursor, String what) throws PipelineException {
        for (SinkState s : sinks) {
            deliverTo(s, messages, cursor, what);
        }
    }

    private void deliverTo(SinkState s, List<CdcMessage> messages, Cursor cursor, String what)
            throws PipelineException {
        for (int attempt = 1; ; attempt++) {
            long started = System.nanoTime();
            try {
                for (CdcMessage m : messages) {
                    s.sink.send(m);
                }
                s.sink.flush(cursor);
                s.cursor = cursor;
                listener.sinkCommitted(s.sink.name(), messages.size(), System.nanoTime() - started);
                return;
            } catch (SinkException e) {
                if (!e.isRetriable() || attempt >= settings.sinkRetries() || stopping) {
                    throw new PipelineException("sink " + s.sink.name() + " could not commit " + what + " (cursor "
                            + cursor + ", " + messages.size() + " message(s)) after " + attempt + " attempt(s): "
                            + e.getMessage(), e);
                }
                Duration d = backoff.delay(attempt);
                log.warn("sink {} failed to commit {} (attempt {}): {}; retrying in {} ms", s.sink.name(), what,
                        attempt, e.getMessage(), d.toMillis());
                sleep(d);
            }
        }
    }

    // ------------------------------------------------------------------ waiting

    private void pause(Duration d, String where, MetashrewException e) {
        if (stopping) {
            return; // a call cancelled by the stop, or a failure that no longer matters
        }
        listener.nodeError(e.kind().name());
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
