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
 * @param sinkRetryMax   how long a sink may keep failing with retriable errors (at open or at a commit)
 *                       before the follower gives up with a transient {@link PipelineException};
 *                       {@code null} = retry until stopped (the default)
 * @param engine         how the engine overlaps its stages (never changes the output)
 */
public record FollowerSettings(Long startHeight, Duration pollInterval, Duration retryInitial, Duration retryMax,
        Duration sinkRetryMax, EngineSettings engine) {

    public FollowerSettings {
        Objects.requireNonNull(pollInterval, "pollInterval");
        Objects.requireNonNull(retryInitial, "retryInitial");
        Objects.requireNonNull(retryMax, "retryMax");
        Objects.requireNonNull(engine, "engine");
        if (sinkRetryMax != null && sinkRetryMax.isNegative()) {
            throw new IllegalArgumentException("sink retry max must not be negative, got " + sinkRetryMax);
        }
        if (startHeight != null && startHeight < 0) {
            throw new IllegalArgumentException("start height must be >= 0, got " + startHeight);
        }
    }

    /** Defaults: start at the node's tip, poll every second, retry from 500 ms up to 30 s, sinks without limit. */
    public static FollowerSettings defaults() {
        return new FollowerSettings(null, Duration.ofSeconds(1), Duration.ofMillis(500), Duration.ofSeconds(30), null,
                EngineSettings.defaults());
    }

    public FollowerSettings withStartHeight(Long h) {
        return new FollowerSettings(h, pollInterval, retryInitial, retryMax, sinkRetryMax, engine);
    }

    public FollowerSettings withPollInterval(Duration d) {
        return new FollowerSettings(startHeight, d, retryInitial, retryMax, sinkRetryMax, engine);
    }

    /** Gives up on a sink failing with retriable errors after {@code max} ({@code null}: never). */
    public FollowerSettings withSinkRetryMax(Duration max) {
        return new FollowerSettings(startHeight, pollInterval, retryInitial, retryMax, max, engine);
    }

    /** The same settings with another engine configuration. */
    public FollowerSettings withEngine(EngineSettings e) {
        return new FollowerSettings(startHeight, pollInterval, retryInitial, retryMax, sinkRetryMax, e);
    }

    /** The same settings with the longest wait {@code max}; the first wait is at most {@code max}. */
    public FollowerSettings withRetryMax(Duration max) {
        return withRetry(retryInitial.compareTo(max) > 0 ? max : retryInitial, max);
    }

    public FollowerSettings withRetry(Duration initial, Duration max) {
        return new FollowerSettings(startHeight, pollInterval, initial, max, sinkRetryMax, engine);
    }
}
