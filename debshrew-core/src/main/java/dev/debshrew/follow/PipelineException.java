package dev.debshrew.follow;

/**
 * The pipeline cannot continue: a transform failed on a block, a sink refused a block, or the
 * chain reorganised deeper than the window. The message names the block, the component and the
 * cause; nothing of the failed block reached a sink.
 *
 * <p>{@link #needsOperator()} tells the CLI which exit status to use: a condition that will not
 * go away by restarting (a deep reorg, a transform failure, foreign or corrupted state, a different
 * module on existing state) exits with {@code 3}, which the systemd unit lists in
 * {@code RestartPreventExitStatus}; a transient condition the daemon gave up on (an optional retry
 * limit reached) exits with {@code 1}, so a supervisor restarts it.
 */
public class PipelineException extends Exception {

    private static final long serialVersionUID = 1L;

    private final boolean needsOperator;

    /** A condition that needs an operator (the default). */
    public PipelineException(String message, Throwable cause) {
        this(message, cause, true);
    }

    /** A condition that needs an operator (the default). */
    public PipelineException(String message) {
        this(message, null, true);
    }

    /**
     * @param needsOperator true when restarting cannot help (exit 3); false for a transient
     *                      condition the daemon gave up on (exit 1)
     */
    public PipelineException(String message, Throwable cause, boolean needsOperator) {
        super(message, cause);
        this.needsOperator = needsOperator;
    }

    /** Whether an operator must act before a restart can succeed. */
    public boolean needsOperator() {
        return needsOperator;
    }
}
