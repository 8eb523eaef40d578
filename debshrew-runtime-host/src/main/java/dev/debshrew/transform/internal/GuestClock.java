package dev.debshrew.transform.internal;

/**
 * The time one block is charged against {@code blockTimeout}: wall-clock time since {@link #start()}
 * minus the time spent waiting for the node inside {@code __view} calls. A slow or hanging node
 * therefore never makes a transform time out; only the host's own work for the block
 * (instantiation, guest code, state reads, output decoding) counts.
 *
 * <p>Wall time minus node time was chosen over per-thread CPU time ({@code ThreadMXBean}) because
 * it is portable, cheap to read, and still charges a guest that makes the host work (e.g. state
 * reads) for that work. Thread-safe: the worker thread updates it, the waiting thread reads it.
 */
public final class GuestClock {

    private long startedAt;
    private boolean started;
    private long nodeNanos;
    private long nodeSince;
    private boolean inNode;

    /** Starts the clock (called on the worker thread when the block begins). */
    public synchronized void start() {
        startedAt = System.nanoTime();
        started = true;
    }

    /** The guest enters a node call: the clock stands still until {@link #leaveNode()}. */
    public synchronized void enterNode() {
        nodeSince = System.nanoTime();
        inNode = true;
    }

    /** The node call returned (or failed). */
    public synchronized void leaveNode() {
        if (inNode) {
            nodeNanos += System.nanoTime() - nodeSince;
            inNode = false;
        }
    }

    /** Nanoseconds charged to the block so far (0 before {@link #start()}). */
    public synchronized long guestNanos() {
        if (!started) {
            return 0;
        }
        long now = System.nanoTime();
        return now - startedAt - nodeNanos - (inNode ? now - nodeSince : 0);
    }

    /** Nanoseconds spent waiting for the node so far. */
    public synchronized long nodeNanos() {
        return nodeNanos + (inNode ? System.nanoTime() - nodeSince : 0);
    }
}
