package dev.debshrew.metashrew;

import java.time.Duration;

/**
 * Observes calls made by a {@link MetashrewClient} (for metrics). Callbacks run on the calling thread
 * and must be fast and must not throw.
 */
public interface MetashrewClientListener {

    /** A failed attempt of {@code method} will be retried after {@code delay}. */
    default void onRetry(String method, int attempt, Duration delay, MetashrewException cause) {
    }

    /**
     * A logical call finished.
     *
     * @param latency wall time including retries and backoff
     * @param attempts HTTP attempts made
     * @param failure the final failure, or null on success
     */
    default void onCallCompleted(String method, Duration latency, int attempts, MetashrewException failure) {
    }
}
