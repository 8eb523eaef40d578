package dev.debshrew.transform;

import java.util.OptionalLong;

/**
 * Base of all transform failures. Carries the transform's name and, for failures while processing
 * a block, the block height. The message always names both.
 */
public abstract class TransformException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String moduleName;
    private final long blockHeight;

    /**
     * @param moduleName the transform's name
     * @param blockHeight the block height, or -1 when not about a block
     * @param message the full message
     * @param cause the underlying cause, or {@code null}
     */
    protected TransformException(String moduleName, long blockHeight, String message, Throwable cause) {
        super(message, cause);
        this.moduleName = moduleName;
        this.blockHeight = blockHeight;
    }

    /** The transform's name (file name, or the name given to {@link Transform#load(String, byte[], TransformLimits)}). */
    public String moduleName() {
        return moduleName;
    }

    /** The height of the block being processed, when the failure is about one. */
    public OptionalLong blockHeight() {
        return blockHeight < 0 ? OptionalLong.empty() : OptionalLong.of(blockHeight);
    }
}
