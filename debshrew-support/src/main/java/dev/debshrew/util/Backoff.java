package dev.debshrew.util;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An exponential backoff schedule with multiplicative jitter, shared by the metashrew client (per
 * call retries) and the follower (waiting for a node that stays down, retrying a sink). Immutable
 * and thread-safe; the caller counts its retries.
 */
public final class Backoff {

    private final long initialNanos;
    private final long maxNanos;
    private final double multiplier;
    private final double jitter;

    /** A schedule starting at {@code initial}, growing by {@code multiplier}, capped at {@code max}. */
    public Backoff(Duration initial, Duration max, double multiplier, double jitter) {
        if (initial.isNegative() || max.compareTo(initial) < 0 || multiplier < 1 || jitter < 0 || jitter > 1) {
            throw new IllegalArgumentException("backoff needs 0 <= initial <= max, multiplier >= 1, 0 <= jitter <= 1;"
                    + " got " + initial + ", " + max + ", " + multiplier + ", " + jitter);
        }
        this.initialNanos = initial.toNanos();
        this.maxNanos = max.toNanos();
        this.multiplier = multiplier;
        this.jitter = jitter;
    }

    /** Delay before retry number {@code retry} (1 = first retry), never above {@code max}. */
    public Duration delay(int retry) {
        double base = initialNanos * Math.pow(multiplier, Math.max(0, retry - 1));
        double capped = Math.min(base, (double) maxNanos);
        double factor = jitter == 0 ? 1.0 : 1.0 + jitter * (2 * ThreadLocalRandom.current().nextDouble() - 1);
        // capped again after the jitter: max is the longest wait, as the configuration documents
        return Duration.ofNanos(Math.max(0L, (long) Math.min(capped * factor, (double) maxNanos)));
    }
}
