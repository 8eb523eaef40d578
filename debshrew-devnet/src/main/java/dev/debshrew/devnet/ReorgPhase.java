package dev.debshrew.devnet;

/** Where the simulated node is in a {@link ReorgStyle#PHASED} reorg. */
public enum ReorgPhase {
    /** Phase 1: the reorg happened on the chain, the node still serves the old branch. */
    SERVING_OLD,
    /** Phase 2: rolling back; metadata calls may block; the height then drops to the common ancestor. */
    ROLLING_BACK,
    /** Phase 3: re-indexing the new branch one block at a time; stale hashes above the tip. */
    REINDEXING,
    /** Phase 4 / idle: serving the canonical chain (also the state when no reorg ever happened). */
    DONE
}
