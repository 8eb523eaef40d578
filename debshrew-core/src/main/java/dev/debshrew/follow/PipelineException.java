package dev.debshrew.follow;

/**
 * The pipeline cannot continue: a transform failed on a block, a sink refused a block, or the
 * chain reorganised deeper than the window. The message names the block, the component and the
 * cause; nothing of the failed block reached a sink.
 */
public class PipelineException extends Exception {

    private static final long serialVersionUID = 1L;

    public PipelineException(String message, Throwable cause) {
        super(message, cause);
    }

    public PipelineException(String message) {
        super(message);
    }
}
