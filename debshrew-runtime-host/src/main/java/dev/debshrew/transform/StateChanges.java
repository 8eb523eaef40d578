package dev.debshrew.transform;

import dev.debshrew.util.Hex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The state writes of one block: an ordered overlay of puts and deletes on top of the committed
 * state ({@link StateReader}). Each key appears at most once, holding its latest value or a
 * delete marker; entries keep the order in which each key was FIRST written in the block.
 *
 * <p>Keys and values are copied on the way in, so callers may reuse their arrays. Arrays returned
 * by {@link #get(byte[])} and {@link #entries()} are the stored ones: do not modify them.
 *
 * <p>Not thread-safe: one block is processed by one thread at a time.
 */
public final class StateChanges {

    private final LinkedHashMap<Key, byte[]> changes = new LinkedHashMap<>();
    private long bytes;

    /** An empty overlay. */
    public StateChanges() {
    }

    /** Records {@code key -> value} (replacing any earlier put or delete of the key). */
    public void put(byte[] key, byte[] value) {
        Objects.requireNonNull(value, "value");
        record(new Key(key.clone()), value.clone());
    }

    /** Records a delete of {@code key} (replacing any earlier put of the key). */
    public void delete(byte[] key) {
        record(new Key(key.clone()), null);
    }

    private void record(Key k, byte[] value) {
        boolean had = changes.containsKey(k);
        byte[] old = changes.put(k, value);
        if (had) {
            bytes -= k.bytes.length + (old == null ? 0 : old.length);
        }
        bytes += k.bytes.length + (value == null ? 0 : value.length);
    }

    /** Total size of the writes: the bytes of every written key plus the bytes of every put value. */
    public long bytes() {
        return bytes;
    }

    /** True when this block put or deleted {@code key}. */
    public boolean contains(byte[] key) {
        return changes.containsKey(new Key(key));
    }

    /** The value this block put for {@code key}, or {@code null} if it deleted it or never wrote it. */
    public byte[] get(byte[] key) {
        return changes.get(new Key(key));
    }

    /** True when the latest write of {@code key} in this block is a delete. */
    public boolean isDeleted(byte[] key) {
        Key k = new Key(key);
        return changes.containsKey(k) && changes.get(k) == null;
    }

    /** The writes in first-write order; {@link Entry#value()} is {@code null} for a delete. Immutable. */
    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>(changes.size());
        for (Map.Entry<Key, byte[]> e : changes.entrySet()) {
            out.add(new Entry(e.getKey().bytes, e.getValue()));
        }
        return Collections.unmodifiableList(out);
    }

    /** True when the block wrote nothing. */
    public boolean isEmpty() {
        return changes.isEmpty();
    }

    /** Number of distinct keys written. */
    public int size() {
        return changes.size();
    }

    /** Equal when both hold the same writes in the same order. */
    @Override
    public boolean equals(Object o) {
        return o instanceof StateChanges other && entries().equals(other.entries());
    }

    @Override
    public int hashCode() {
        return entries().hashCode();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("StateChanges[");
        boolean first = true;
        for (Map.Entry<Key, byte[]> e : changes.entrySet()) {
            if (!first) {
                sb.append(", ");
            }
            first = false;
            sb.append(Hex.encode(e.getKey().bytes)).append(e.getValue() == null ? " deleted" : "=" + Hex.encode(e.getValue()));
            if (sb.length() > 1000) {
                sb.append(", ...");
                break;
            }
        }
        return sb.append(']').toString();
    }

    /**
     * One write.
     *
     * @param key the key bytes
     * @param value the new value, or {@code null} for a delete
     */
    public record Entry(byte[] key, byte[] value) {

        /** True for a delete. */
        public boolean isDelete() {
            return value == null;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && Arrays.equals(e.key, key) && Arrays.equals(e.value, value);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(key) * 31 + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return Hex.encode(key) + (value == null ? " deleted" : "=" + Hex.encode(value));
        }
    }

    /** Byte-array map key with content equality. */
    private static final class Key {
        final byte[] bytes;
        private final int hash;

        Key(byte[] bytes) {
            this.bytes = Objects.requireNonNull(bytes, "key");
            this.hash = Arrays.hashCode(bytes);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
