package dev.debshrew.connect;

import dev.debshrew.journal.BlockResult;
import dev.debshrew.journal.ChainStore;
import dev.debshrew.journal.InMemoryChainStore;
import dev.debshrew.journal.JournalEntry;
import dev.debshrew.journal.StateUndo;
import dev.debshrew.sink.Cursor;
import dev.debshrew.transform.StateChanges;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The engine's {@link ChainStore} inside a Connect task: state and reorg window held in a local
 * cache (the {@link ChainStore} this class decorates: a {@code RocksChainStore} restored by
 * {@link LocalCache}, or an {@link InMemoryChainStore}) and mirrored to a compacted changelog topic
 * ({@link StateChangelog}). Every commit and
 * revert records the changelog records that bring the topic to the new state; the task's sink
 * ({@link HandoffSink}) takes them ({@link #drain()}) into the transaction of the next block group,
 * so the topic never runs ahead of the committed source offset by more than the crash windows the
 * engine already handles for a durable store (the store may be ahead of a sink, never behind it).
 * A task that starts rebuilds it from the topic ({@link #restore}, {@link LocalCache}).
 */
final class KafkaChainStore implements ChainStore {

    private final ChainStore local;
    /** Changelog records of commits and reverts not yet handed to a transaction, in order. */
    private final List<StateChangelog.Change> pending = new ArrayList<>();

    private KafkaChainStore(ChainStore local) {
        this.local = local;
    }

    /** Mirrors {@code local}, which holds what the changelog holds (closed with this store). */
    static KafkaChainStore over(ChainStore local) {
        return new KafkaChainStore(local);
    }

    /** Whether every commit and revert has been drained ({@link #drain}): nothing waits for a transaction. */
    synchronized boolean settled() {
        return pending.isEmpty();
    }

    /**
     * The store as the changelog left it, in memory (see {@link StateChangelog.Replay}).
     *
     * @throws IllegalArgumentException when the snapshot's window is not a chain above its base
     */
    static KafkaChainStore restore(int windowSize, StateChangelog.Snapshot snapshot) {
        return new KafkaChainStore(InMemoryChainStore.of(windowSize, snapshot.state(), snapshot.window(),
                snapshot.base()));
    }

    /**
     * Takes the changelog records recorded since the last call, the last one per key only (in the
     * order of those last records): replaying them gives the same store as replaying all, and a
     * catch-up group of many blocks writes each state key once and, for the blocks that left the
     * window within the group, a tombstone instead of their journal entries.
     */
    synchronized List<StateChangelog.Change> drain() {
        Map<String, StateChangelog.Change> last = new LinkedHashMap<>();
        for (StateChangelog.Change c : pending) {
            last.remove(c.key());
            last.put(c.key(), c);
        }
        pending.clear();
        return List.copyOf(last.values());
    }

    @Override
    public byte[] get(byte[] key) {
        return local.get(key);
    }

    @Override
    public int windowSize() {
        return local.windowSize();
    }

    @Override
    public List<JournalEntry> window() {
        return local.window();
    }

    @Override
    public Optional<JournalEntry> tip() {
        return local.tip();
    }

    @Override
    public Optional<JournalEntry> entry(long height) {
        return local.entry(height);
    }

    @Override
    public Optional<Cursor> base() {
        return local.base();
    }

    /** Commits to the cache, then records each block's state writes and journal entry, the pruned entries, the base. */
    @Override
    public synchronized List<JournalEntry> commit(List<BlockResult> group) {
        List<JournalEntry> before = local.window();
        List<JournalEntry> written = local.commit(group);
        for (int i = 0; i < group.size(); i++) {
            for (StateChanges.Entry c : group.get(i).changes().entries()) {
                pending.add(StateChangelog.state(c.key(), c.value()));
            }
            pending.add(StateChangelog.journal(written.get(i)));
        }
        long first = local.window().get(0).height();
        for (JournalEntry e : before) {
            if (e.height() < first) {
                pending.add(StateChangelog.pruned(e.height()));
            }
        }
        pending.add(StateChangelog.base(local.base().orElse(null)));
        return written;
    }

    /** Reverts the cache's tip, then records the restored state values, the entry's removal and the base. */
    @Override
    public synchronized JournalEntry revertTip() {
        JournalEntry tip = local.revertTip();
        List<StateUndo> undo = tip.undo();
        for (int i = undo.size() - 1; i >= 0; i--) {
            pending.add(StateChangelog.state(undo.get(i).key(), undo.get(i).previousValue()));
        }
        pending.add(StateChangelog.pruned(tip.height()));
        pending.add(StateChangelog.base(local.base().orElse(null)));
        return tip;
    }

    /** Durable: the changelog topic survives the task, and the engine must treat the store as such. */
    @Override
    public boolean durable() {
        return true;
    }

    /** Closes the local cache (the changelog is written by the worker's producer). */
    @Override
    public void close() {
        local.close();
    }
}
