package dev.debshrew.sink;

/**
 * A sink could not accept, make durable or read back data. The pipeline stops (or retries the
 * batch, when {@link #isRetriable()}) and the cursor does not move past the failed batch.
 */
public class SinkException extends Exception {

    private static final long serialVersionUID = 1L;

    private final boolean retriable;

    public SinkException(String message, Throwable cause, boolean retriable) {
        super(message, cause);
        this.retriable = retriable;
    }

    public SinkException(String message, Throwable cause) {
        this(message, cause, false);
    }

    public SinkException(String message) {
        this(message, null, false);
    }

    /** Whether retrying the same batch may succeed (a transient broker or network problem). */
    public boolean isRetriable() {
        return retriable;
    }
}
