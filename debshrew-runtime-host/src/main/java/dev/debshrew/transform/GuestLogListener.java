package dev.debshrew.transform;

/**
 * Receives the guest's log lines ({@code __stdout} / {@code __stderr}) of one block as the host
 * emits them, in the order the guest wrote them across both streams. Called on the block's worker
 * thread while {@link Transform#process} runs; keep it cheap. The lines are logged as well (logger
 * {@code dev.debshrew.transform.guest}), whatever the listener does.
 */
@FunctionalInterface
public interface GuestLogListener {

    /** Which of the guest's streams a line came from. */
    enum Stream {
        /** {@code __stdout}. */
        STDOUT,
        /** {@code __stderr}. */
        STDERR
    }

    /**
     * One line of guest output (without its newline).
     *
     * @param height the block being processed
     * @param stream the stream it was written to
     * @param line the text
     */
    void line(long height, Stream stream, String line);

    /** A listener that ignores every line. */
    GuestLogListener NONE = (height, stream, line) -> {
    };
}
