package dev.debshrew.journal;

import java.nio.file.Path;

/**
 * A durable {@link ChainStore} could not do its job: the data directory cannot be opened (missing,
 * locked by another process, not a debshrew state store, newer format) or a read or write of the
 * underlying database failed. Unchecked, like the {@link ChainStore} methods it comes out of; the
 * message always names the data directory and the operation.
 *
 * <p>A failed {@code commit} or {@code revertTip} leaves the store as it was before the call (the
 * write is one atomic batch).
 */
public class StateStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Path dataDir;

    public StateStoreException(Path dataDir, String message) {
        super(message);
        this.dataDir = dataDir;
    }

    public StateStoreException(Path dataDir, String message, Throwable cause) {
        super(message, cause);
        this.dataDir = dataDir;
    }

    /** The data directory of the store concerned. */
    public Path dataDir() {
        return dataDir;
    }
}
