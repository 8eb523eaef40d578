package dev.debshrew.transform;

/**
 * Read-only view of a transform's committed key/value state (the state as of the end of the
 * previous block). Writes made by the block being processed are kept separately in
 * {@link StateChanges} and take precedence over this reader.
 *
 * <p>Implementations may throw an unchecked exception on storage failure; the block then fails
 * with {@link TransformExecutionException.Kind#HOST_ERROR}.
 */
@FunctionalInterface
public interface StateReader {

    /** A reader over empty state. */
    StateReader EMPTY = key -> null;

    /**
     * Returns the committed value for {@code key}.
     *
     * @param key the key bytes exactly as the guest passed them; do not modify
     * @return the value, or {@code null} when the key is absent
     */
    byte[] get(byte[] key);
}
