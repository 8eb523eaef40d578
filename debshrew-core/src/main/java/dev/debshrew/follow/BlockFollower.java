package dev.debshrew.follow;

import dev.debshrew.journal.BlockResult;
import dev.debshrew.journal.ChainStore;
import dev.debshrew.journal.JournalEntry;
import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.metashrew.MetashrewException;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.Sink;
import dev.debshrew.sink.SinkException;
import dev.debshrew.transform.Transform;
import dev.debshrew.util.Backoff;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Follows the node and drives one transform and its sinks: the engine's coordinator. A newcomer
 * reads the data flow top-down in {@link #step()}:
 *
 * <ol>
 *   <li>prefetch: the hashes of a batch of blocks, read with several calls in flight
 *       ({@link HashFetcher}); the next batch's hashes are read while this one runs;</li>
 *   <li>transform: the batch's blocks run in order, later ones speculatively ahead while earlier
 *       ones wait for their views ({@link SpeculativeExecutor}); each accepted block's writes go to
 *       the {@link PendingState} the next block reads;</li>
 *   <li>chain check: the node's hashes are read again after the views ran; only blocks whose own
 *       hash and whose parent's hash are unchanged are accepted ({@link ChainCheck}), our tip's hash
 *       changing is the undo path ({@link ReorgUndo});</li>
 *   <li>commit: accepted blocks go to the {@link CommitStage} in groups ({@link CommitGroups}):
 *       final blocks, deeper than the window below the node's tip, many per commit; blocks within
 *       the window one per commit. The store commits first, then every sink ({@link SinkFanOut}).</li>
 * </ol>
 *
 * <p>Every stage overlaps the others through bounded queues, and the output is exactly what the
 * strictly sequential engine ({@link EngineSettings#sequential()}) produces: the same messages,
 * the same cursors, the same state. Crash order: the store commits before the sinks on the way
 * forward and after them on the way back, so the store is never behind a sink's cursor; a sink
 * behind the store receives the missing blocks from the journal once the node confirmed them
 * ({@link StartPosition}, {@link SinkFanOut#catchUp}).
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
    private final ChainStore store;
    private final FollowerSettings settings;
    private final EngineSettings engine;
    private final FollowerListener listener;
    private final Backoff backoff;
    private final StopSignal stop = new StopSignal();
    private final SinkFanOut fanOut;
    private final StartPosition start;
    private final RecentReorgs recentReorgs = new RecentReorgs(20);
    private final ReorgUndo undo;
    private final PendingState pending;
    private final HashFetcher fetcher;
    private final SpeculativeExecutor executor;
    private final CommitStage commit;
    private final CommitGroups groups;
    private final ModuleSlot modules;
    /** Hash hints shared with the daemon's other pipelines; null: none. */
    private volatile BlockHashCache hashCache;

    /** The next block to run; -1 before start-up. Only the follower's thread changes it. */
    private long next = -1;
    private volatile long startedAt = -1;
    /** The last block handed to the commit stage, or the store's tip or base; null: none ever. */
    private Cursor tip;
    /** Whether the sinks were brought up to the store (once, after the node confirmed the store's tip). */
    private boolean sinksCaughtUp;
    /**
     * Blocks per batch now: {@code engine.batch_blocks}, halved after each failed step down to 1 (a
     * node failing often still lets small batches through), doubled back after each step that made
     * progress.
     */
    private int batchLimit;
    /** The node's height as last polled (before {@code confirmations}); -1: never polled. */
    private volatile long lastNodeTip = -1;

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
        this(node, new ModuleSlot(transform), store, sinks, settings, listener);
    }

    /**
     * A follower whose module can be replaced while it runs (hot reload, {@link ModuleSlot}): a
     * queued module is swapped in at the next block boundary. The caller closes the slot.
     */
    public BlockFollower(MetashrewClient node, ModuleSlot modules, ChainStore store, List<Sink> sinks,
            FollowerSettings settings, FollowerListener listener) {
        this.modules = modules;
        this.node = node;
        this.store = store;
        this.settings = settings;
        this.engine = settings.engine();
        this.listener = listener;
        this.backoff = new Backoff(settings.retryInitial(), settings.retryMax(), 2.0, 0.25);
        this.fanOut = new SinkFanOut(sinks, settings, listener, stop);
        this.start = new StartPosition(store, node, settings, fanOut.states());
        this.undo = new ReorgUndo(node, store, fanOut, settings, listener, recentReorgs);
        this.pending = new PendingState(store);
        this.fetcher = new HashFetcher(node, engine.effectiveFetchConcurrency());
        this.executor = new SpeculativeExecutor(modules, node, pending, engine.effectiveSpeculation());
        this.commit = new CommitStage(store, fanOut, pending, listener, !engine.sequential());
        this.groups = new CommitGroups(engine, commit);
        this.batchLimit = engine.effectiveBatch();
    }

    /**
     * Shares block-hash hints with the other pipelines of the daemon (before {@link #run()}): the
     * hashes a batch runs with may come from {@code cache}; the chain check still reads the node
     * ({@link BlockHashCache} says why that is sound), and an undone reorg drops the cache above
     * the common ancestor.
     */
    public void shareBlockHashes(BlockHashCache cache) {
        this.hashCache = cache;
        fetcher.share(cache);
    }

    /** Asks {@link #run()} to return after the block in progress. Safe from any thread. */
    public void stop() {
        stop.stop();
    }

    /** Number of blocks committed (forward) to the store and every sink since start. */
    public long processedBlocks() {
        return commit.committedBlocks();
    }

    /**
     * Height of the next block to commit (the block above the last one every sink has), or -1
     * before start-up finished.
     */
    public long nextHeight() {
        long committed = commit.committedHeight();
        return committed >= 0 ? committed + 1 : startedAt;
    }

    /** Blocks the transform ran a second time because an earlier block wrote what they had read (speculation). */
    public long speculativeReruns() {
        return executor.reruns();
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

    /**
     * The node's height as last polled, -1 before the first poll. With {@code confirmations} N > 1
     * the follower treats {@code nodeTip() - (N - 1)} as the tip (what {@link FollowerListener#nodeHeight}
     * receives). Safe from any thread (status pages).
     */
    public long nodeTip() {
        return lastNodeTip;
    }

    /** How deep a block must be before it is processed ({@code confirmations}; 0 and 1: at once). */
    public int confirmations() {
        return settings.confirmations();
    }

    /** Capacity of the reorg window ({@code cache_size}). */
    public int windowSize() {
        return store.windowSize();
    }

    /**
     * Runs until {@link #stop()} or a fatal error. Opens the sinks; does not close them. On a stop,
     * every block already accepted is committed before it returns (unless a sink is down).
     *
     * <p>A sink failure after {@link #stop()} (the daemon aborts a sink call that hangs while
     * stopping) ends the run normally: the block is not lost, the sink receives it from the journal
     * at the next start. A node call cancelled for the stop is a transient failure like any other.
     *
     * @throws PipelineException on a transform failure, a sink failure or a deep reorg
     */
    public void run() throws PipelineException {
        try {
            try {
                fanOut.open();
                follow();
                groups.flush();
                commit.drain();
            } finally {
                commit.close();
                executor.close();
                fetcher.close();
            }
        } catch (StopRequested e) {
            log.info("stop requested while waiting for a sink; next block would be {}", nextHeight());
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
                startedAt = next;
                tip = storeTip();
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
                if (progressed) {
                    batchLimit = Math.min(engine.effectiveBatch(), batchLimit * 2);
                } else {
                    stop.sleep(settings.pollInterval());
                }
            } catch (MetashrewException e) {
                discardUnconfirmed();
                batchLimit = Math.max(1, batchLimit / 2);
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
        undo.rewindTo(toHeight, start);
    }

    // ------------------------------------------------------------------ one step

    /** One poll: a batch run, or a check of our tip when the node has nothing new. Returns whether progress was made. */
    boolean step() throws MetashrewException, PipelineException, StopRequested {
        if (modules.swapPending()) { // hot reload: every block below 'next' ran with the old module
            discardUnconfirmed(); // commits them; nothing runs now
            modules.swapAt(next);
        }
        long nodeTip = node.height();
        lastNodeTip = nodeTip;
        long nodeHeight = settings.confirmedTip(nodeTip); // confirmations: the tip the follower may process
        listener.nodeHeight(nodeHeight);
        if (nodeHeight < next || !sinksCaughtUp) {
            return checkTip(nodeHeight);
        }
        long last = Math.min(next + batchLimit - 1, nodeHeight);
        List<String> hashes = fetcher.batch(next, last);
        if (!engine.sequential() && last < nodeHeight) { // prefetch: the next batch while this one runs
            fetcher.prefetch(last + 1, Math.min(last + batchLimit, nodeHeight));
        }
        List<SpeculativeExecutor.Block> blocks = new ArrayList<>(hashes.size());
        for (int i = 0; i < hashes.size(); i++) {
            blocks.add(new SpeculativeExecutor.Block(next + i, hashes.get(i)));
        }
        long startedNanos = System.nanoTime();
        SpeculativeExecutor.Outcome outcome;
        try (MDC.MDCCloseable ignored = MDC.putCloseable("height", Long.toString(next))) {
            outcome = executor.run(blocks);
        }
        List<SpeculativeExecutor.Ran> ran = outcome.ran();
        Confirmed confirmed = ran.isEmpty() ? Confirmed.ALL
                : confirmAndCommit(hashes.subList(0, ran.size()), ran, startedNanos);
        if (confirmed == Confirmed.WAIT) {
            return false;
        }
        if (outcome.failure() == null) {
            return true;
        }
        if (confirmed == Confirmed.PART) {
            return true; // the chain changed under the batch: the failed block is run again on the new chain
        }
        discardUnconfirmed(); // commits the blocks before the failed one
        if (outcome.failure() instanceof MetashrewException me) {
            throw me;
        }
        throw (PipelineException) outcome.failure();
    }

    /** What the chain check made of a batch. */
    private enum Confirmed {
        /** Every block run was accepted. */
        ALL,
        /** Only a prefix (or nothing: an undo) was accepted; the rest is run again. */
        PART,
        /** The node fell below our tip: nothing accepted, wait. */
        WAIT
    }

    /**
     * The chain check after the views ran: re-reads the node's height and the hashes of our tip and
     * of the batch; commits the confirmed prefix of the batch; a changed tip is the undo path.
     * Says whether every block of {@code ran} was accepted.
     */
    private Confirmed confirmAndCommit(List<String> hashes, List<SpeculativeExecutor.Ran> ran, long startedNanos)
            throws MetashrewException, PipelineException, StopRequested {
        long heightAfter = settings.confirmedTip(node.height());
        long from = next;
        if (tip != null && heightAfter < tip.height()) {
            discardUnconfirmed();
            log.info("node height {} dropped below our tip {} while block {} ran (rollback in progress?); waiting",
                    heightAfter, tip.height(), from);
            return Confirmed.WAIT;
        }
        long readFrom = tip != null ? tip.height() : from;
        long readTo = Math.min(from + hashes.size() - 1, heightAfter);
        List<String> after = readTo >= readFrom ? fetcher.hashes(readFrom, readTo) : List.of();
        String tipAfter = tip == null ? null : (after.isEmpty() ? node.blockHash(tip.height()) : after.get(0));
        List<String> batchAfter = tip == null ? after : after.subList(Math.min(1, after.size()), after.size());
        ChainCheck.Verdict verdict = ChainCheck.confirm(tip, from, hashes, tipAfter, batchAfter);
        if (verdict instanceof ChainCheck.Undo u) {
            discardUnconfirmed();
            log.warn("the parent of block {} changed while it was processed (height {}: {} -> {})", from, u.height(),
                    tip.hash(), u.nodeHash());
            undoFrom(heightAfter, u.height(), u.nodeHash());
            return Confirmed.PART;
        }
        int accepted = ((ChainCheck.Advance) verdict).blocks();
        String parent = tip != null ? tip.hash() : (from == 0 ? ZERO_HASH : node.blockHash(from - 1));
        for (int i = 0; i < accepted; i++) {
            SpeculativeExecutor.Ran r = ran.get(i);
            BlockResult result = new BlockResult(r.block().height(), r.block().hash(), parent, r.output().messages(),
                    r.output().stateChanges(), modules.current().sha256());
            boolean isFinal = r.block().height() <= heightAfter - store.windowSize();
            groups.add(new CommitStage.Accepted(result, r.transformNanos(), startedNanos), isFinal);
            parent = r.block().hash();
            tip = new Cursor(r.block().height(), r.block().hash());
            next = r.block().height() + 1;
        }
        if (accepted < ran.size()) {
            long changed = from + accepted;
            log.warn("block {} changed while it was processed (hash {} -> {}); redoing it", changed,
                    hashes.get(accepted), accepted < batchAfter.size() ? batchAfter.get(accepted)
                            : "none, node height " + heightAfter);
            discardUnconfirmed();
            return Confirmed.PART;
        }
        groups.flushIfOld();
        return Confirmed.ALL;
    }

    /**
     * The node has nothing new (or the sinks are not caught up yet): commits what was accepted,
     * then confirms our tip at the node (undo on a mismatch) and brings behind sinks up to the store.
     */
    private boolean checkTip(long nodeHeight) throws MetashrewException, PipelineException, StopRequested {
        discardUnconfirmed();
        Optional<JournalEntry> t = store.tip();
        if (t.isEmpty()) {
            boolean first = !sinksCaughtUp;
            sinksCaughtUp = true; // nothing in the journal: nothing to catch up
            return first;
        }
        long checkHeight = Math.min(t.get().height(), nodeHeight);
        Optional<JournalEntry> stored = store.entry(checkHeight);
        if (stored.isEmpty()) {
            log.warn("node height {} is below the reorg window ({}..{}); waiting for the node to re-index",
                    nodeHeight, store.window().get(0).height(), t.get().height());
            return false;
        }
        String nodeHash = node.blockHash(checkHeight);
        if (!nodeHash.equals(stored.get().hash())) {
            undoFrom(nodeHeight, checkHeight, nodeHash);
            return true;
        }
        if (nodeHeight < t.get().height()) {
            log.info("node height {} dropped below our tip {} (rollback in progress?); waiting", nodeHeight,
                    t.get().height());
            return false;
        }
        if (!sinksCaughtUp) {
            fanOut.catchUp(store, t.get(), start.journalHoldsEverySinceStart());
            sinksCaughtUp = true;
            return true;
        }
        return false;
    }

    /**
     * Our block at {@code height} is not the node's: undo to the common ancestor (the commit stage
     * is idle), or, with an empty window, stop when its base is gone.
     */
    private void undoFrom(long nodeHeight, long height, String nodeHash)
            throws MetashrewException, PipelineException, StopRequested {
        if (store.tip().isEmpty()) {
            undo.checkWindowBase(next, nodeHash);
            tip = new Cursor(height, nodeHash); // below start_height: nothing was emitted, start on the new branch
            return;
        }
        long ancestor = undo.undoToCommonAncestor(nodeHeight, height, nodeHash);
        BlockHashCache cache = hashCache;
        if (cache != null) {
            cache.invalidateFrom(ancestor + 1);
        }
        next = ancestor + 1;
        tip = storeTip();
    }

    /**
     * Drops whatever was run but not accepted: commits every accepted block first (the commit stage
     * drains), so the pending state holds nothing the store lacks, then forgets it. {@link #next}
     * stays the block above the last accepted one.
     */
    private void discardUnconfirmed() throws PipelineException, StopRequested {
        fetcher.cancelPrefetch();
        groups.flush();
        commit.drain();
        pending.clear();
    }

    /** The store's tip, or its base when the window is empty; null for a store that never committed. */
    private Cursor storeTip() {
        Optional<JournalEntry> t = store.tip();
        return t.map(e -> new Cursor(e.height(), e.hash())).orElseGet(() -> store.base().orElse(null));
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
