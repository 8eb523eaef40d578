package dev.debshrew.devnet;

/** How the simulated node goes through a reorg. */
public enum ReorgStyle {
    /** The indexed chain switches to the new branch atomically; the height never drops (when new blocks >= depth). */
    INSTANT,
    /**
     * Like rockshrew-mono: (1) keeps serving the old branch for a while; (2) rolls back, optionally
     * blocking metadata calls, then the height drops to the common ancestor; (3) re-indexes the new
     * branch one block at a time while {@code getblockhash} above the current tip still returns stale
     * old-branch hashes; (4) serves the new branch. Timing: {@link ReorgTiming}.
     */
    PHASED
}
