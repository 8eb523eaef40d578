package dev.debshrew.follow;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of the {@link BlockFollower}.
 *
 * @param startHeight    first block to process when no sink has a cursor; {@code null} = the node's tip at start
 * @param pollInterval   wait between polls once caught up with the node
 * @param retryInitial   first wait after a node or retriable sink failure (each wait doubles, with ±25% jitter)
 * @param retryMax       longest wait between retries (the follower retries the node forever until stopped)
 * @param sinkRetries    attempts for a block whose sink commit fails with a retriable error
 */
public record FollowerSettings(Long startHeight, Duration pollInterval, Duration retryInitial, Duration retryMax,
        int sinkRetries) {

    public FollowerSettings {
        Objects.requireNonNull(pollInterval, "pollInterval");
        Objects.requireNonNull(retryInitial, "retryInitial");
        Objects.requireNonNull(retryMax, "retryMax");
        if (startHeight != null && startHeight < 0) {
            throw new IllegalArgumentException("start height must be >= 0, got " + startHeight);
        }
    }

    /** Defaults: start at the node's tip, poll every second, retry from 500 ms up to 30 s, 5 sink attempts. */
    public static FollowerSettings defaults() {
        return new FollowerSettings(null, Duration.ofSeconds(1), Duration.ofMillis(500), Duration.ofSeconds(30), 5);
    }

    public FollowerSettings withStartHeight(Long h) {
        return new FollowerSettings(h, pollInterval, retryInitial, retryMax, sinkRetries);
    }

    public FollowerSettings withPollInterval(Duration d) {
        return new FollowerSettings(startHeight, d, retryInitial, retryMax, sinkRetries);
    }

    public FollowerSettings withRetry(Duration initial, Duration max) {
        return new FollowerSettings(startHeight, pollInterval, initial, max, sinkRetries);
    }
}
