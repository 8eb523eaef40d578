package dev.debshrew.sink;

import java.util.Optional;

/**
 * Destination of CDC messages. The pipeline drives a sink in units of whole blocks:
 *
 * <pre>
 *   open()              // once; returns the committed cursor, if any
 *   commit(batch)       // one or more consecutive blocks (or undos) and the last one's cursor, atomically
 *   ...
 *   close()             // commits nothing new; releases resources
 * </pre>
 *
 * <p>A {@link SinkBatch} is committed as one unit: when {@link #commit} returns, all its blocks'
 * messages and its last cursor are durable (durable sinks); when it throws, none of them is, and
 * after a crash in the middle none appears in the sink's durable output. A block with no messages
 * still advances the cursor. Implementations are used from a single thread (except
 * {@link #abort()}).
 */
public interface Sink extends AutoCloseable {

    /** Short name used in logs and metrics, e.g. {@code file:/var/lib/debshrew/out.jsonl}. */
    String name();

    /**
     * Opens the sink (connects, recovers partial writes) and returns the last committed cursor,
     * or empty when nothing was ever committed. Sinks that cannot store a cursor return empty.
     */
    Optional<Cursor> open() throws SinkException;

    /**
     * Whether this sink stores a cursor that {@link #open()} can return. A sink that keeps none
     * (the console) resumes wherever the daemon's own state store ended.
     */
    default boolean keepsCursor() {
        return true;
    }

    /**
     * Commits {@code batch}: the messages of all its blocks, in order, and its cursor
     * ({@link SinkBatch#cursor()}), atomically. On return the data is durable (for durable sinks).
     *
     * <p>On a failure nothing of the batch is committed; when the {@link SinkException} is
     * {@linkplain SinkException#isRetriable() retriable} the caller calls {@code commit} again with
     * the same batch. When the previous attempt's outcome was unknown (a commit that may have
     * landed although it was reported failed), a sink that keeps a cursor recognises an
     * already-landed batch by its cursor and does not write it twice.
     */
    void commit(SinkBatch batch) throws SinkException;

    /**
     * Called from another thread when the daemon stops while a call of this sink may hang (a
     * database lock, an unreachable broker): makes the call in progress ({@link #open},
     * {@link #commit}) fail promptly with a {@link SinkException}. Nothing
     * uncommitted becomes durable, exactly as after a crash; afterwards only {@link #close()} is
     * called. Default: nothing, for sinks whose calls cannot hang.
     */
    default void abort() {
    }

    /** Releases resources. A batch whose commit did not return is not committed. Idempotent. */
    @Override
    void close();
}
