package dev.debshrew.follow;

/**
 * The node's chain no longer contains any block of the reorg window (nor the window's parent):
 * the reorganisation is deeper than {@code cache_size} blocks and cannot be undone from the
 * journal. The daemon stops; see {@code docs/operations.md} ("Deep reorgs") for recovery.
 */
public final class DeepReorgException extends PipelineException {

    private static final long serialVersionUID = 1L;

    private final long oldestHeight;
    private final long tipHeight;

    public DeepReorgException(String message, long oldestHeight, long tipHeight) {
        super(message);
        this.oldestHeight = oldestHeight;
        this.tipHeight = tipHeight;
    }

    /** Height of the oldest block in the window. */
    public long oldestHeight() {
        return oldestHeight;
    }

    /** Height of the newest processed block. */
    public long tipHeight() {
        return tipHeight;
    }
}
