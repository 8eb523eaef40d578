package dev.debshrew.connect;

import dev.debshrew.sink.BlockChange;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.Sink;
import dev.debshrew.sink.SinkBatch;
import dev.debshrew.sink.SinkException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.function.Supplier;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * The engine's sink inside a Connect task: {@link #commit} hands a block group's records to the
 * task's {@code poll()} and returns once the worker reports the group's last record committed
 * ({@code commitRecord}, which the exactly-once worker calls after the transaction committed). So
 * the engine has at most one group in flight, a group is one transaction, and a group the worker did
 * not commit is never taken as delivered: the source offset (the cursor) is the truth on restart,
 * exactly as a daemon sink's cursor.
 *
 * <p>Undos (a batch whose cursor is below the previous one: the inverse messages of a reorg) are not
 * handed over on their own: they are kept and go out at the front of the next forward group, with
 * the store's reverts ({@code changes}), so the inverse records, the state restore and the new
 * branch's first blocks commit in ONE transaction and a reader never sees the chain go back. An
 * undo kept when the task stops is lost together with the store's revert (both were only in
 * memory): the next task finds the old branch committed and undoes it again.
 *
 * <p>Two threads: the engine's ({@link #commit}) and the worker's ({@link #take}, {@link #committed});
 * {@link #abort()} from either when the task stops.
 */
final class HandoffSink implements Sink {

    private final String name;
    private final ConnectRecords records;
    private final Optional<Cursor> initial;
    private final Duration timeout;
    private final Supplier<List<StateChangelog.Change>> changes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    /** The group handed over and not yet taken by poll(); null: none. */
    private List<SourceRecord> offered;
    /** The last record of the group poll() returned and the worker has not committed yet; null: none. */
    private SourceRecord awaited;
    private boolean aborted;
    /** A group was handed over and given up before the worker committed it (the task stopped or timed out). */
    private boolean abandoned;
    /** Undos not handed over yet (engine thread only). */
    private final List<BlockChange> deferredUndos = new ArrayList<>();
    /** The cursor of the last batch taken (engine thread only); null: none. */
    private Cursor last;

    /**
     * @param initial the cursor of the committed source offset (empty: none)
     * @param timeout how long {@link #commit} waits for the worker before it fails
     * @param changes the store's changelog records to write in the group's transaction
     */
    HandoffSink(String name, ConnectRecords records, Optional<Cursor> initial, Duration timeout,
            Supplier<List<StateChangelog.Change>> changes) {
        this.name = name;
        this.records = records;
        this.initial = initial;
        this.timeout = timeout;
        this.changes = changes;
        this.last = initial.orElse(null);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Optional<Cursor> open() {
        return initial;
    }

    @Override
    public void commit(SinkBatch batch) throws SinkException {
        boolean undo = last != null && batch.cursor().height() < last.height();
        last = batch.cursor();
        if (undo) {
            deferredUndos.addAll(batch.blocks());
            return;
        }
        if (!deferredUndos.isEmpty()) {
            List<BlockChange> all = new ArrayList<>(deferredUndos);
            all.addAll(batch.blocks());
            deferredUndos.clear();
            batch = SinkBatch.of(all);
        }
        List<SourceRecord> group = records.of(batch, changes.get());
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            offered = group;
            awaited = group.get(group.size() - 1);
            changed.signalAll();
            while (awaited != null) {
                if (aborted) {
                    offered = null;
                    awaited = null;
                    abandoned = true;
                    throw new SinkException(name + ": the task stopped before the worker committed " + batch
                            + "; it is delivered again from the committed offset", null, false);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    abandoned = true;
                    throw new SinkException(name + ": the worker did not commit " + batch + " within "
                            + timeout.toMillis() + " ms (" + DebshrewConnectorConfig.HANDOFF_TIMEOUT_MS + ")", null,
                            false);
                }
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SinkException(name + ": interrupted while the worker committed " + batch, e, false);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next group's records, waiting up to {@code wait} for the engine to hand one over; null when
     * none came (poll() then returns null and the worker calls again).
     */
    List<SourceRecord> take(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        lock.lock();
        try {
            while (offered == null && !aborted) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                changed.awaitNanos(left);
            }
            List<SourceRecord> group = offered;
            offered = null;
            return group;
        } finally {
            lock.unlock();
        }
    }

    /** The worker committed {@code record}: when it ends the group in flight, the engine goes on. */
    void committed(SourceRecord record) {
        lock.lock();
        try {
            if (record == awaited) {
                awaited = null;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether every group handed over was committed by the worker and no undo waits for the next
     * group: the changelog holds everything the store did (with a settled store).
     */
    boolean clean() {
        lock.lock();
        try {
            return !abandoned && awaited == null && offered == null && deferredUndos.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes both sides for good: a pending {@link #commit} fails, {@link #take} returns null. */
    @Override
    public void abort() {
        lock.lock();
        try {
            aborted = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        abort();
    }
}
