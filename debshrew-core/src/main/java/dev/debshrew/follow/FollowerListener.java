package dev.debshrew.follow;

/**
 * Observes the follower's progress (metrics, status pages). Called on the follower's thread; keep
 * implementations cheap and non-blocking. All methods have empty defaults.
 */
public interface FollowerListener {

    /** A block was processed and committed to the store and every sink. */
    default void blockCommitted(long height, String hash, int messages, long transformNanos, long totalNanos) {
    }

    /** A reorganisation of {@code depth} blocks was undone back to {@code ancestorHeight}. */
    default void reorgUndone(long ancestorHeight, long depth) {
    }

    /** A metashrew call failed; the follower backs off and retries. */
    default void nodeError(String kind) {
    }

    /** One sink committed one block (or undo) in {@code nanos}. */
    default void sinkCommitted(String sink, int messages, long nanos) {
    }

    /**
     * A sink's open or commit failed; {@code retrying} when the failure is retriable and the
     * follower backs off and tries again. Called once per outage, not per attempt.
     */
    default void sinkDown(String sink, boolean retrying) {
    }

    /** A sink that was down opened or committed again. */
    default void sinkUp(String sink) {
    }

    /**
     * The follower is alive: it is about to poll, or waits a known, bounded time (a retry back-off
     * after a node or sink failure). {@code /health} calls it wedged when this stops.
     */
    default void heartbeat() {
    }

    /** The node's current height, as last polled. */
    default void nodeHeight(long height) {
    }

    /** A listener that does nothing. */
    FollowerListener NONE = new FollowerListener() {
    };

    /** The commit stage is about to write blocks {@code first..last} to the state store (test hooks: crash points). */
    default void beforeStoreCommit(long first, long last) {
    }

    /** Blocks {@code first..last} are in the state store; no sink has them yet. */
    default void afterStoreCommit(long first, long last) {
    }

    /** Blocks {@code first..last} are committed to the store and every sink. */
    default void afterSinkCommit(long first, long last) {
    }

    /** Reorg: every sink committed the inverse of block {@code height}; the store has not reverted it yet. */
    default void afterUndoSinkCommit(long height) {
    }
}
