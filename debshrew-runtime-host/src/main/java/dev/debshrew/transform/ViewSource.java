package dev.debshrew.transform;

/**
 * Answers the guest's {@code __view} calls for one block, typically by calling
 * {@code metashrew_view(name, hex(input), height)} on the metashrew node.
 *
 * <p>Any exception (or a {@code null} result) aborts the guest at that call: the block fails with
 * {@link TransformExecutionException.Kind#VIEW_FAILED}, the exception as its cause, and nothing of
 * the block is kept. The guest never sees a node failure (no {@code -1}); the caller decides whether
 * to redo the block (a transient node failure) or stop. Time spent in this method does not count
 * against the block's deadline. An {@link InterruptedException} is treated as the block's deadline
 * having passed.
 */
@FunctionalInterface
public interface ViewSource {

    /**
     * Runs one view.
     *
     * @param name the view name, decoded from the guest's UTF-8 bytes
     * @param input the raw view input (the host hex-encodes it for JSON-RPC, not the guest)
     * @param height the height of the block being processed
     * @return the raw view result (may be empty, must not be {@code null})
     * @throws Exception on any failure; the block is then aborted
     */
    byte[] view(String name, byte[] input, long height) throws Exception;
}
