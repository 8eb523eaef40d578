package dev.debshrew.transform;

/**
 * Answers the guest's {@code __view} calls for one block, typically by calling
 * {@code metashrew_view(name, hex(input), height)} on the metashrew node.
 *
 * <p>Any exception (including a {@code null} result) makes {@code __view} return {@code -1} to the
 * guest; the host logs the cause at WARN with the transform's name. The guest decides whether that
 * is fatal. An {@link InterruptedException} is treated as the block's deadline having passed.
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
     * @throws Exception on any failure; the guest then sees {@code -1}
     */
    byte[] view(String name, byte[] input, long height) throws Exception;
}
