package dev.debshrew.connect;

import dev.debshrew.journal.BlockResult;
import dev.debshrew.journal.ChainStore;
import dev.debshrew.journal.JournalEntry;
import dev.debshrew.journal.StateUndo;
import dev.debshrew.sink.Cursor;
import dev.debshrew.transform.StateChanges;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The engine's {@link ChainStore} inside a Connect task: state and reorg window held in memory (the
 * local cache) and mirrored to a compacted changelog topic ({@link StateChangelog}). Every commit and
 * revert records the changelog records that bring the topic to the new state; the task's sink
 * ({@link HandoffSink}) takes them ({@link #drain()}) into the transaction of the next block group,
 * so the topic never runs ahead of the committed source offset by more than the crash windows the
 * engine already handles for a durable store (the store may be ahead of a sink, never behind it).
 * A task that starts rebuilds it from the topic ({@link #restore}).
 */
final class KafkaChainStore implements ChainStore {

    private final int windowSize;
    private final Map<ByteBuffer, byte[]> state;
    private final ArrayDeque<JournalEntry> window;
    private Cursor base;
    /** Changelog records of commits and reverts not yet handed to a transaction, in order. */
    private final List<StateChangelog.Change> pending = new ArrayList<>();

    private KafkaChainStore(int windowSize, Map<ByteBuffer, byte[]> state, List<JournalEntry> window, Cursor base) {
        if (windowSize < 1) {
            throw new IllegalArgumentException("window size must be >= 1, got " + windowSize);
        }
        this.windowSize = windowSize;
        this.state = new HashMap<>(state);
        this.window = new ArrayDeque<>(window);
        this.base = base;
    }

    /** The store as the changelog left it (see {@link StateChangelog#read}). */
    static KafkaChainStore restore(int windowSize, StateChangelog.Snapshot snapshot) {
        return new KafkaChainStore(windowSize, snapshot.state(), snapshot.window(), snapshot.base());
    }

    /** Takes the changelog records recorded since the last call, oldest first. */
    synchronized List<StateChangelog.Change> drain() {
        List<StateChangelog.Change> out = List.copyOf(pending);
        pending.clear();
        return out;
    }

    @Override
    public synchronized byte[] get(byte[] key) {
        byte[] v = state.get(ByteBuffer.wrap(key));
        return v == null ? null : v.clone();
    }

    @Override
    public int windowSize() {
        return windowSize;
    }

    @Override
    public synchronized List<JournalEntry> window() {
        return new ArrayList<>(window);
    }

    @Override
    public synchronized Optional<JournalEntry> tip() {
        return Optional.ofNullable(window.peekLast());
    }

    @Override
    public synchronized Optional<JournalEntry> entry(long height) {
        for (JournalEntry e : window) {
            if (e.height() == height) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    @Override
    public synchronized Optional<Cursor> base() {
        return Optional.ofNullable(base);
    }

    @Override
    public synchronized List<JournalEntry> commit(List<BlockResult> group) {
        ChainStore.checkExtends(window.peekLast(), group);
        List<JournalEntry> written = new ArrayList<>(group.size());
        for (BlockResult b : group) {
            List<StateUndo> undo = new ArrayList<>(b.changes().size());
            for (StateChanges.Entry c : b.changes().entries()) {
                undo.add(new StateUndo(c.key().clone(), write(c.key(), c.value())));
            }
            JournalEntry entry = new JournalEntry(b.height(), b.hash(), b.parentHash(), b.messages(), undo, b.module());
            window.addLast(entry);
            pending.add(StateChangelog.journal(entry));
            written.add(entry);
        }
        while (window.size() > Math.max(windowSize, group.size())) {
            pending.add(StateChangelog.pruned(window.removeFirst().height()));
        }
        setBase(window.peekFirst().parentCursor());
        return written;
    }

    @Override
    public synchronized JournalEntry revertTip() {
        JournalEntry tip = window.pollLast();
        if (tip == null) {
            throw new IllegalStateException("cannot revert: the journal is empty");
        }
        List<StateUndo> undo = tip.undo();
        for (int i = undo.size() - 1; i >= 0; i--) {
            write(undo.get(i).key(), undo.get(i).previousValue());
        }
        pending.add(StateChangelog.pruned(tip.height()));
        setBase(window.isEmpty() ? tip.parentCursor() : window.peekFirst().parentCursor());
        return tip;
    }

    /** Sets {@code key} to {@code value} (null: deletes it), records the changelog record; returns the old value. */
    private byte[] write(byte[] key, byte[] value) {
        ByteBuffer k = ByteBuffer.wrap(key.clone());
        byte[] previous = value == null ? state.remove(k) : state.put(k, value.clone());
        pending.add(StateChangelog.state(key, value));
        return previous;
    }

    private void setBase(Cursor b) {
        base = b;
        pending.add(StateChangelog.base(b));
    }

    /** Durable: the changelog topic survives the task, and the engine must treat the store as such. */
    @Override
    public boolean durable() {
        return true;
    }

    @Override
    public void close() {
        // nothing to release: the changelog is written by the worker's producer
    }
}
