package dev.debshrew.follow;

import java.time.Duration;

/**
 * How the engine overlaps its stages (docs/performance.md). The output never depends on these:
 * every setting gives exactly what a strictly sequential run gives.
 *
 * @param sequential       one block at a time, one node call at a time, one commit per block, no
 *                         speculation and no commit stage of its own (the benchmark baseline)
 * @param fetchConcurrency node calls in flight at once while fetching and confirming block hashes
 * @param batchBlocks      blocks fetched, run and confirmed together (the prefetcher fetches the
 *                         next batch while the current one runs)
 * @param speculation      blocks the transform runs at once (later ones ahead, on the state known so
 *                         far; validated in order, run again on a conflict); 1 = off
 * @param groupMaxBlocks   most blocks per commit group (final blocks only: deeper than the reorg
 *                         window below the node's tip)
 * @param groupMaxMessages most messages per commit group
 * @param groupMaxBytes    most message bytes (JSON) per commit group
 * @param groupMaxTime     longest time a commit group collects blocks
 */
public record EngineSettings(boolean sequential, int fetchConcurrency, int batchBlocks, int speculation,
        int groupMaxBlocks, int groupMaxMessages, long groupMaxBytes, Duration groupMaxTime) {

    public EngineSettings {
        if (fetchConcurrency < 1 || batchBlocks < 1 || speculation < 1 || groupMaxBlocks < 1 || groupMaxMessages < 1
                || groupMaxBytes < 1) {
            throw new IllegalArgumentException("engine settings must be >= 1: fetch_concurrency " + fetchConcurrency
                    + ", batch_blocks " + batchBlocks + ", speculation " + speculation + ", group_max_blocks "
                    + groupMaxBlocks + ", group_max_messages " + groupMaxMessages + ", group_max_bytes " + groupMaxBytes);
        }
        if (groupMaxTime == null || groupMaxTime.isNegative()) {
            throw new IllegalArgumentException("group_max_ms must be >= 0, got " + groupMaxTime);
        }
    }

    /** The documented defaults (the engine.* options of docs/configuration.md). */
    public static EngineSettings defaults() {
        return new EngineSettings(false, 16, 64, 16, 1000, 50_000, 64L << 20, Duration.ofSeconds(1));
    }

    /** The strictly sequential engine: the baseline of every speed-up. */
    public static EngineSettings sequentialEngine() {
        return new EngineSettings(true, 1, 1, 1, 1, 50_000, 64L << 20, Duration.ZERO);
    }

    /** Blocks per batch actually used. */
    int effectiveBatch() {
        return sequential ? 1 : batchBlocks;
    }

    /** Transform runs at once actually used. */
    int effectiveSpeculation() {
        return sequential ? 1 : speculation;
    }

    /** Node calls in flight actually used. */
    int effectiveFetchConcurrency() {
        return sequential ? 1 : fetchConcurrency;
    }

    /** Most blocks per commit group actually used. */
    int effectiveGroupBlocks() {
        return sequential ? 1 : groupMaxBlocks;
    }
}
