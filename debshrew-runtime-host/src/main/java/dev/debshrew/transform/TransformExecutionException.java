package dev.debshrew.transform;

/**
 * Processing one block failed. Nothing of that block may be used: no messages, no state changes.
 * The message names the transform, the block height, the {@link Kind} and (when relevant) the
 * limit that was hit (for a trap: where it happened and, when it looks like a Rust panic, a hint),
 * followed by the guest's last log lines of both streams, in the order they were written.
 *
 * <p>The {@link Transform} stays usable after any of these; the next block runs in a fresh
 * instance.
 */
public final class TransformExecutionException extends TransformException {

    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Kind {
        /** The guest trapped (e.g. {@code unreachable}, out-of-bounds access, stack exhaustion). */
        TRAP,
        /** The block exceeded {@link TransformLimits#blockTimeout()}. */
        TIMEOUT,
        /** {@code process_block} returned a negative value (ABI v1) or -1 (legacy ABI). */
        NEGATIVE_RETURN,
        /** The guest passed a pointer or length outside its memory to a host function or as its result. */
        BAD_POINTER,
        /** The guest's output is not a valid CDC message array (or, legacy ABI, not a valid message). */
        INVALID_OUTPUT,
        /** The guest's output exceeded {@link TransformLimits#maxOutputBytes()}. */
        OUTPUT_TOO_LARGE,
        /** The guest called {@code __view} more than {@link TransformLimits#maxViewCallsPerBlock()} times. */
        VIEW_LIMIT,
        /** The guest tried to grow its memory beyond {@link TransformLimits#maxMemoryPages()}, or the host ran out of heap. */
        MEMORY_LIMIT,
        /** Instantiation failed (e.g. the start function trapped, or a data segment does not fit). */
        INSTANTIATION,
        /**
         * A {@code __view} call failed (the {@link ViewSource} threw or returned {@code null}); the
         * guest was aborted at that call. {@link #getCause()} is the view's exception, if any.
         */
        VIEW_FAILED,
        /** The block's state writes (keys + values) exceeded {@link TransformLimits#maxStateBytes()}. */
        STATE_LIMIT,
        /** A host-side component failed (e.g. the {@link StateReader} threw). */
        HOST_ERROR
    }

    private final Kind kind;
    private final String stderrTail;
    private final String logTail;

    /**
     * @param moduleName the transform's name
     * @param blockHeight the block height
     * @param kind what went wrong
     * @param detail description of the failure (without module, height or stderr; they are added)
     * @param stderrTail the last lines the guest wrote to stderr (may be empty)
     * @param cause the underlying cause, or {@code null}
     */
    public TransformExecutionException(String moduleName, long blockHeight, Kind kind, String detail,
            String stderrTail, Throwable cause) {
        this(moduleName, blockHeight, kind, detail, stderrTail, stderrTail == null || stderrTail.isEmpty() ? ""
                : "[stderr] " + stderrTail.replace("\n", "\n[stderr] "), cause);
    }

    /**
     * @param stderrTail the last lines the guest wrote to stderr (may be empty)
     * @param logTail the last lines the guest wrote to stdout and stderr, in order, each prefixed
     *     with {@code [stdout] } or {@code [stderr] } (may be empty)
     */
    public TransformExecutionException(String moduleName, long blockHeight, Kind kind, String detail,
            String stderrTail, String logTail, Throwable cause) {
        super(moduleName, blockHeight, format(moduleName, blockHeight, kind, detail, logTail), cause);
        this.kind = kind;
        this.stderrTail = stderrTail == null ? "" : stderrTail;
        this.logTail = logTail == null ? "" : logTail;
    }

    private static String format(String moduleName, long blockHeight, Kind kind, String detail, String logTail) {
        StringBuilder sb = new StringBuilder()
                .append("transform '").append(moduleName).append("' failed at block ").append(blockHeight)
                .append(" [").append(kind).append("]: ").append(detail);
        if (logTail != null && !logTail.isEmpty()) {
            sb.append("\nguest output (last lines, stdout and stderr in order):\n").append(logTail);
        }
        return sb.toString();
    }

    /** What went wrong. */
    public Kind kind() {
        return kind;
    }

    /** The last lines the guest wrote to stderr during the block (possibly empty, never null). */
    public String stderrTail() {
        return stderrTail;
    }

    /**
     * The last lines the guest wrote to stdout and stderr during the block, in order, each prefixed
     * with {@code [stdout] } or {@code [stderr] } (possibly empty, never null).
     */
    public String logTail() {
        return logTail;
    }
}
