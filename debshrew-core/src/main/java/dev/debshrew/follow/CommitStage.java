package dev.debshrew.follow;

import dev.debshrew.journal.BlockResult;
import dev.debshrew.journal.ChainStore;
import dev.debshrew.sink.BlockChange;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.SinkBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The commit stage: commits groups of accepted blocks, strictly in order, first to the state store
 * (one atomic write per group: state, undo records, journal entries) and then to every sink (one
 * transaction per group and sink, whose cursor is the group's last block). A crash between the
 * two leaves the store ahead of a sink, which then receives the group from the journal at the next
 * start (the store keeps every entry of its last group), so every sink sees every block exactly once.
 *
 * <p>Pipelined, the stage runs on a thread of its own behind a bounded queue, so the transform
 * stage goes on with later blocks while a group is being written; sequentially, {@link #submit}
 * commits before it returns. A failure of the stage (a sink that failed for good, a stop while a
 * sink was down) is rethrown to the transform stage by its next {@link #submit} or {@link #drain}.
 */
final class CommitStage implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CommitStage.class);
    private static final int QUEUE_GROUPS = 4;

    /** An accepted block, with the time the transform took and when the block's work started. */
    record Accepted(BlockResult result, long transformNanos, long startedNanos) {
    }

    private final ChainStore store;
    private final SinkFanOut fanOut;
    private final PendingState pending;
    private final FollowerListener listener;
    private final BlockingQueue<List<Accepted>> queue;
    private final Thread thread;
    private final Object lock = new Object();
    private int inFlight; // groups submitted and not yet committed (guarded by lock)
    private volatile Throwable failure;
    private volatile boolean closed;
    private volatile long committedHeight = -1;
    private volatile long committedBlocks;
    /** The submitting thread's logging context, for the stage's thread. */
    private volatile java.util.Map<String, String> mdc;

    CommitStage(ChainStore store, SinkFanOut fanOut, PendingState pending, FollowerListener listener,
            boolean ownThread) {
        this.store = store;
        this.fanOut = fanOut;
        this.pending = pending;
        this.listener = listener;
        this.queue = ownThread ? new ArrayBlockingQueue<>(QUEUE_GROUPS) : null;
        this.thread = ownThread ? new Thread(this::loop, "debshrew-commit") : null;
        if (thread != null) {
            thread.setDaemon(true);
        }
    }

    /** Height of the last block committed to the store and every sink (-1: none since start). */
    long committedHeight() {
        return committedHeight;
    }

    /** Blocks committed since start. */
    long committedBlocks() {
        return committedBlocks;
    }

    /**
     * Commits {@code group} (consecutive blocks extending the last one submitted): at once when
     * sequential, else queued (waiting while the queue is full).
     */
    void submit(List<Accepted> group) throws PipelineException, StopRequested {
        rethrowFailure();
        if (queue == null) {
            commitGroup(group);
            return;
        }
        synchronized (lock) {
            if (inFlight == 0 && thread.getState() == Thread.State.NEW) {
                mdc = MDC.getCopyOfContextMap(); // the stage logs with the follower's context (pipeline)
                thread.start(); // on first use: a follower that only rewinds never starts it
            }
            inFlight++;
        }
        try {
            while (!queue.offer(group, 100, TimeUnit.MILLISECONDS)) {
                listener.heartbeat();
                rethrowFailure();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StopRequested();
        }
    }

    /** Waits until every submitted group is committed; rethrows the stage's failure. */
    void drain() throws PipelineException, StopRequested {
        if (queue != null) {
            synchronized (lock) {
                while (inFlight > 0 && failure == null) {
                    listener.heartbeat();
                    try {
                        lock.wait(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new StopRequested();
                    }
                }
            }
        }
        rethrowFailure();
    }

    private void rethrowFailure() throws PipelineException, StopRequested {
        Throwable f = failure;
        if (f instanceof PipelineException pe) {
            throw pe;
        }
        if (f instanceof StopRequested sr) {
            throw sr;
        }
        if (f != null) {
            throw new IllegalStateException("the commit stage failed: " + f, f);
        }
    }

    private void loop() {
        if (mdc != null) {
            MDC.setContextMap(mdc);
        }
        while (!closed) {
            List<Accepted> group;
            try {
                group = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (group == null) {
                continue;
            }
            try {
                commitGroup(group);
            } catch (PipelineException | StopRequested | RuntimeException | Error e) {
                failure = e;
                queue.clear();
            }
            synchronized (lock) {
                inFlight = failure != null ? 0 : inFlight - 1;
                lock.notifyAll();
            }
            if (failure != null) {
                return;
            }
        }
    }

    private void commitGroup(List<Accepted> group) throws PipelineException, StopRequested {
        List<BlockResult> results = new ArrayList<>(group.size());
        List<BlockChange> changes = new ArrayList<>(group.size());
        for (Accepted a : group) {
            results.add(a.result());
            changes.add(new BlockChange(new Cursor(a.result().height(), a.result().hash()), a.result().messages()));
        }
        long first = results.get(0).height();
        long last = results.get(results.size() - 1).height();
        try (MDC.MDCCloseable ignored = MDC.putCloseable("height", Long.toString(last))) {
            listener.beforeStoreCommit(first, last);
            store.commit(results);
            listener.afterStoreCommit(first, last);
            pending.committed(last);
            fanOut.commit(SinkBatch.of(changes));
            listener.afterSinkCommit(first, last);
        }
        long now = System.nanoTime();
        for (Accepted a : group) {
            BlockResult r = a.result();
            committedBlocks++;
            committedHeight = r.height(); // every block up to this one is in the store and every sink
            try (MDC.MDCCloseable ignored = MDC.putCloseable("height", Long.toString(r.height()))) {
                listener.blockCommitted(r.height(), r.hash(), r.messages().size(), a.transformNanos(),
                        now - a.startedNanos());
            }
            if (log.isDebugEnabled()) {
                log.debug("block {} {}: {} message(s), {} state change(s)", r.height(), r.hash(), r.messages().size(),
                        r.changes().size());
            }
        }
    }

    /**
     * Stops the stage's thread after the group in progress (call {@link #drain} first to commit
     * everything submitted); groups still queued are not committed: their blocks are run again at
     * the next start.
     */
    @Override
    public void close() {
        closed = true;
        if (thread != null && thread.getState() != Thread.State.NEW) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
