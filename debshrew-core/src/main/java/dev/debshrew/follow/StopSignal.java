package dev.debshrew.follow;

import java.time.Duration;

/**
 * The follower's stop request and its interruptible waits, shared by the follower and its sink
 * fan-out so that a stop ends any wait at once. Thread-safe.
 */
final class StopSignal {

    private final Object wakeup = new Object();
    private volatile boolean stopping;

    /** Requests the stop and wakes every waiter. */
    void stop() {
        stopping = true;
        synchronized (wakeup) {
            wakeup.notifyAll();
        }
    }

    boolean isStopping() {
        return stopping;
    }

    /** Waits {@code d}, or less if the stop is requested meanwhile; an interrupt counts as a stop. */
    void sleep(Duration d) {
        long deadline = System.nanoTime() + d.toNanos();
        synchronized (wakeup) {
            while (!stopping) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    wakeup.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stopping = true;
                    return;
                }
            }
        }
    }
}
