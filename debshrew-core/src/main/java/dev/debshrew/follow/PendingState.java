package dev.debshrew.follow;

import dev.debshrew.transform.StateChanges;
import dev.debshrew.transform.StateReader;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The transform state as the next block must see it while earlier blocks are still on their way to
 * the store: the writes of blocks that were run and accepted but are not committed yet, over the
 * committed state of the {@link dev.debshrew.journal.ChainStore}.
 *
 * <p>The transform stage {@link #apply applies} each accepted block's writes; the commit stage
 * {@link #committed forgets} them once the store holds them (the store is written first, so a
 * reader always finds the value in one place or the other). Discarding accepted blocks (a reorg, a
 * block that changed at the node) happens only once the commit stage is idle: then every write
 * here is committed or to be dropped, and {@link #clear} drops them.
 *
 * <p>Thread-safe: readers on the transform workers, the transform stage and the commit stage.
 */
final class PendingState implements StateReader {

    /** A pending value ({@code null} = deleted) and the height of the block that wrote it. */
    private record Pending(byte[] value, long height) {
    }

    private final StateReader store;
    private final Map<ByteBuffer, Pending> writes = new ConcurrentHashMap<>();

    PendingState(StateReader store) {
        this.store = store;
    }

    @Override
    public byte[] get(byte[] key) {
        Pending p = writes.get(ByteBuffer.wrap(key));
        if (p != null) {
            return p.value == null ? null : p.value.clone();
        }
        return store.get(key);
    }

    /** Makes the writes of accepted block {@code height} visible to later blocks. */
    void apply(long height, StateChanges changes) {
        for (StateChanges.Entry e : changes.entries()) {
            byte[] v = e.value();
            writes.put(ByteBuffer.wrap(e.key().clone()), new Pending(v == null ? null : v.clone(), height));
        }
    }

    /** Forgets the writes of blocks up to {@code height}, which the store now holds. */
    void committed(long height) {
        writes.entrySet().removeIf(e -> e.getValue().height <= height);
    }

    /** Drops every pending write (only when nothing is waiting to be committed). */
    void clear() {
        writes.clear();
    }

}
