package dev.debshrew.devnet;

import java.time.Duration;
import java.util.Objects;

/**
 * Timing of a {@link ReorgStyle#PHASED} reorg.
 *
 * @param noticeDelay phase 1: how long the old branch is still served (may be zero)
 * @param rollbackBlock phase 2: how long metadata calls ({@code metashrew_height},
 *     {@code metashrew_getblockhash}) block before the height drops (zero = no blocking)
 * @param reindexInterval phase 3: pause before each re-indexed block (also before the first, so the
 *     dropped height is observable for that long)
 */
public record ReorgTiming(Duration noticeDelay, Duration rollbackBlock, Duration reindexInterval) {

    /** Validates that all durations are present and not negative. */
    public ReorgTiming {
        for (Duration d : new Duration[] {noticeDelay, rollbackBlock, reindexInterval}) {
            Objects.requireNonNull(d, "reorg timing durations must not be null");
            if (d.isNegative()) {
                throw new IllegalArgumentException("reorg timing durations must not be negative: " + d);
            }
        }
    }

    /** 200 ms notice delay, 300 ms blocking rollback, 100 ms per re-indexed block. */
    public static ReorgTiming defaults() {
        return new ReorgTiming(Duration.ofMillis(200), Duration.ofMillis(300), Duration.ofMillis(100));
    }
}
