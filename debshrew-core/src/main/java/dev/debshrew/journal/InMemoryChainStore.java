package dev.debshrew.journal;

import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.sink.Cursor;
import dev.debshrew.transform.StateChanges;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link ChainStore} held in memory: correct reorg handling and state rollback while the
 * process lives, nothing across restarts. Used by tests and by {@code --state memory}.
 */
public final class InMemoryChainStore implements ChainStore {

    private final int windowSize;
    private final Map<ByteBuffer, byte[]> state = new HashMap<>();
    private final ArrayDeque<JournalEntry> window = new ArrayDeque<>();
    private Cursor base;

    public InMemoryChainStore(int windowSize) {
        if (windowSize < 1) {
            throw new IllegalArgumentException("window size must be >= 1, got " + windowSize);
        }
        this.windowSize = windowSize;
    }

    /**
     * A store as another one left it: {@code state}, the journal {@code window} (oldest first; it may
     * hold more entries than {@code windowSize}, as after a large group) and {@code base}, the block
     * below the window (null: none, the window starts at height 0 or is empty). For stores kept
     * elsewhere and cached here, e.g. rebuilt from a changelog. The arguments are copied.
     *
     * @throws IllegalArgumentException naming the entry when the window is not a chain above {@code base}
     */
    public static InMemoryChainStore of(int windowSize, Map<ByteBuffer, byte[]> state, List<JournalEntry> window,
            Cursor base) {
        InMemoryChainStore store = new InMemoryChainStore(windowSize);
        Cursor below = base;
        for (JournalEntry e : window) {
            boolean links = below == null ? store.window.isEmpty() && e.parentCursor() == null
                    : e.height() == below.height() + 1 && e.parentHash().equals(below.hash());
            if (!links) {
                throw new IllegalArgumentException("journal entry " + e.height() + " (parent " + e.parentHash()
                        + ") does not extend " + (below == null ? "an empty base" : "block " + below));
            }
            store.window.addLast(e);
            below = new Cursor(e.height(), e.hash());
        }
        state.forEach((k, v) -> store.state.put(ByteBuffer.wrap(bytes(k)), v.clone()));
        store.base = base;
        return store;
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
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
                ByteBuffer k = ByteBuffer.wrap(c.key().clone());
                byte[] previous = c.value() == null ? state.remove(k) : state.put(k, c.value().clone());
                undo.add(new StateUndo(c.key().clone(), previous));
            }
            JournalEntry entry = new JournalEntry(b.height(), b.hash(), b.parentHash(), b.messages(), undo, b.module());
            window.addLast(entry);
            written.add(entry);
        }
        while (window.size() > Math.max(windowSize, group.size())) {
            window.removeFirst();
        }
        base = window.peekFirst().parentCursor();
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
            StateUndo u = undo.get(i);
            ByteBuffer k = ByteBuffer.wrap(u.key());
            if (u.previousValue() == null) {
                state.remove(k);
            } else {
                state.put(k, u.previousValue());
            }
        }
        base = window.isEmpty() ? tip.parentCursor() : window.peekFirst().parentCursor();
        return tip;
    }

    @Override
    public boolean durable() {
        return false;
    }

    @Override
    public void close() {
        // nothing to release
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("InMemoryChainStore[");
        for (Iterator<JournalEntry> it = window.iterator(); it.hasNext(); ) {
            JournalEntry e = it.next();
            sb.append(e.height()).append(':').append(e.hash(), 0, Math.min(8, e.hash().length()));
            if (it.hasNext()) {
                sb.append(", ");
            }
        }
        return sb.append(']').toString();
    }
}
