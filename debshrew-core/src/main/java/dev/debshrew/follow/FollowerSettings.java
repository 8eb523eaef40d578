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
 * @param confirmations  how deep a block must be before it is processed: the follower treats the
 *                       node's tip minus {@code confirmations - 1} as the tip (0 and 1: the node's tip)
 * @param strictStartHeight {@code startHeight} was asked for explicitly (the command line's {@code -b}):
 *                       a resume anywhere else is refused; otherwise only a {@code startHeight} above
 *                       the resume height is refused ({@link StartPosition})
 */
public record FollowerSettings(Long startHeight, Duration pollInterval, Duration retryInitial, Duration retryMax,
        Duration sinkRetryMax, EngineSettings engine, int confirmations,
        boolean strictStartHeight) {

    public FollowerSettings {
        Objects.requireNonNull(pollInterval, "pollInterval");
        Objects.requireNonNull(retryInitial, "retryInitial");
        Objects.requireNonNull(retryMax, "retryMax");
        Objects.requireNonNull(engine, "engine");
        if (sinkRetryMax != null && sinkRetryMax.isNegative()) {
            throw new IllegalArgumentException("sink retry max must not be negative, got " + sinkRetryMax);
        }
        if (confirmations < 0) {
            throw new IllegalArgumentException("confirmations must be >= 0, got " + confirmations);
        }
        if (startHeight != null && startHeight < 0) {
            throw new IllegalArgumentException("start height must be >= 0, got " + startHeight);
        }
    }

    /** Defaults: start at the node's tip, poll every second, retry from 500 ms up to 30 s, sinks without limit. */
    public static FollowerSettings defaults() {
        return new FollowerSettings(null, Duration.ofSeconds(1), Duration.ofMillis(500), Duration.ofSeconds(30), null,
                EngineSettings.defaults(), 1, false);
    }

    public FollowerSettings withStartHeight(Long h) {
        return new FollowerSettings(h, pollInterval, retryInitial, retryMax, sinkRetryMax, engine, confirmations, strictStartHeight);
    }

    public FollowerSettings withPollInterval(Duration d) {
        return new FollowerSettings(startHeight, d, retryInitial, retryMax, sinkRetryMax, engine, confirmations, strictStartHeight);
    }

    /** Gives up on a sink failing with retriable errors after {@code max} ({@code null}: never). */
    public FollowerSettings withSinkRetryMax(Duration max) {
        return new FollowerSettings(startHeight, pollInterval, retryInitial, retryMax, max, engine, confirmations, strictStartHeight);
    }

    /** The same settings with another engine configuration. */
    public FollowerSettings withEngine(EngineSettings e) {
        return new FollowerSettings(startHeight, pollInterval, retryInitial, retryMax, sinkRetryMax, e, confirmations, strictStartHeight);
    }

    /** Processes a block only once it is {@code n} deep (0 and 1: at once). */
    public FollowerSettings withConfirmations(int n) {
        return new FollowerSettings(startHeight, pollInterval, retryInitial, retryMax, sinkRetryMax, engine, n, strictStartHeight);
    }

    /** Refuses to resume anywhere but at {@code startHeight} when a cursor exists ({@code run -b}). */
    public FollowerSettings withStrictStartHeight(boolean strict) {
        return new FollowerSettings(startHeight, pollInterval, retryInitial, retryMax, sinkRetryMax, engine,
                confirmations, strict);
    }

    /** The node's tip as the follower sees it: {@code nodeHeight} less {@code confirmations - 1}. */
    long confirmedTip(long nodeHeight) {
        return confirmations <= 1 ? nodeHeight : nodeHeight - (confirmations - 1);
    }

    /** The same settings with the longest wait {@code max}; the first wait is at most {@code max}. */
    public FollowerSettings withRetryMax(Duration max) {
        return withRetry(retryInitial.compareTo(max) > 0 ? max : retryInitial, max);
    }

    public FollowerSettings withRetry(Duration initial, Duration max) {
        return new FollowerSettings(startHeight, pollInterval, initial, max, sinkRetryMax, engine, confirmations, strictStartHeight);
    }
}
