package dev.debshrew.follow;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with full jitter between {@code initial} and {@code max}; not thread-safe. */
final class Backoff {

    private final long initialMillis;
    private final long maxMillis;
    private long current;

    Backoff(Duration initial, Duration max) {
        this.initialMillis = Math.max(1, initial.toMillis());
        this.maxMillis = Math.max(initialMillis, max.toMillis());
        this.current = initialMillis;
    }

    /** The next wait: a random duration in [current/2, current], then current doubles up to max. */
    Duration next() {
        long base = current;
        current = Math.min(maxMillis, current * 2);
        long half = base / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(base - half + 1));
    }

    void reset() {
        current = initialMillis;
    }
}
