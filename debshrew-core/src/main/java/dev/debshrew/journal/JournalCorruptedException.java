package dev.debshrew.journal;

import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The journal of a durable {@link ChainStore} is damaged: a record whose CRC32 does not match its
 * body, a record that cannot be decoded, a record stored under the wrong height, a gap or a broken
 * parent link in the window, or store metadata that disagrees with the journal.
 *
 * <p>Thrown by {@link RocksChainStore#open} (which verifies the whole window before anything else
 * happens): a damaged journal is never replayed or reverted silently, because undoing a block with
 * wrong undo records would corrupt the transform state without a trace. Unchecked, so that it can
 * travel through the {@link ChainStore} interface; the daemon should stop on it and point the
 * operator at {@code docs/state-store.md} (restore the data directory or re-sync).
 *
 * <p>The message names the data directory, the height (when the problem belongs to one record)
 * and what is wrong.
 */
public class JournalCorruptedException extends StateStoreException {

    private static final long serialVersionUID = 1L;

    private final long height;
    private final boolean hasHeight;
    private final String problem;

    public JournalCorruptedException(Path dataDir, OptionalLong height, String problem) {
        super(dataDir, message(dataDir, height, problem));
        this.hasHeight = height.isPresent();
        this.height = height.orElse(-1);
        this.problem = problem;
    }

    private static String message(Path dataDir, OptionalLong height, String problem) {
        return "journal of the state store in " + dataDir + " is corrupted"
                + (height.isPresent() ? " at height " + height.getAsLong() : "") + ": " + problem
                + ". Refusing to use it: restore the data directory from a backup or re-sync"
                + " (docs/state-store.md#corruption); 'debshrew journal verify' lists every bad record";
    }

    /** Height of the damaged record, if the problem belongs to one record. */
    public OptionalLong height() {
        return hasHeight ? OptionalLong.of(height) : OptionalLong.empty();
    }

    /** What is wrong, without the data directory and advice. */
    public String problem() {
        return problem;
    }
}
