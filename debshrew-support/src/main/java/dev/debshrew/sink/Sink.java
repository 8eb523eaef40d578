package dev.debshrew.sink;

import dev.debshrew.cdc.CdcMessage;
import java.util.Optional;

/**
 * Destination of CDC messages. The pipeline drives a sink in block units:
 *
 * <pre>
 *   open()                      // once; returns the committed cursor, if any
 *   send(m1) ... send(mn)       // the messages of one block (or of an undo), in order
 *   flush(cursor)               // makes those messages and the cursor durable atomically
 *   ...
 *   close()                     // flushes nothing new; releases resources
 * </pre>
 *
 * <p>Messages sent after the last {@code flush} are not committed: on a crash they must not
 * appear in the sink's durable output (durable sinks) or may be lost (console). A block with no
 * messages is still flushed, so empty blocks advance the cursor. Implementations are used from a
 * single thread.
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

    /** Buffers one message for the next {@link #flush}. */
    void send(CdcMessage message) throws SinkException;

    /**
     * Commits every message sent since the previous flush together with {@code cursor}.
     * On return the data is durable (for durable sinks).
     */
    void flush(Cursor cursor) throws SinkException;

    /** TEMPORARY until the sinks branch lands: the blocks one flush each. */
    default void commit(SinkBatch batch) throws SinkException {
        for (BlockChange b : batch.blocks()) {
            for (CdcMessage m : b.messages()) {
                send(m);
            }
            flush(b.cursor());
        }
    }

    /**
     * Called from another thread when the daemon stops while a call of this sink may hang (a
     * database lock, an unreachable broker): makes the call in progress ({@link #open},
     * {@link #send}, {@link #flush}) fail promptly with a {@link SinkException}. Nothing
     * uncommitted becomes durable, exactly as after a crash; afterwards only {@link #close()} is
     * called. Default: nothing, for sinks whose calls cannot hang.
     */
    default void abort() {
    }

    /** Releases resources. Uncommitted messages are discarded. Idempotent. */
    @Override
    void close();
}
