package dev.debshrew.devnet;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The devnet's base network latency, added to every request, and the count of requests in progress.
 * Each request waits on its own handler thread, so concurrent requests wait in parallel: N requests
 * in flight with latency L take about L in total, not N * L. Changing the latency re-times the
 * requests already waiting (setting it to zero releases them). Thread-safe.
 */
final class RpcLatency {

    /** Largest base latency: one hour. */
    static final long MAX_MS = 3_600_000;

    private long nanos;
    private int inFlight;
    private int maxInFlight;

    RpcLatency(Duration latency) {
        set(latency);
    }

    /** Checks that {@code latency} is a usable base latency and returns it. */
    static Duration check(Duration latency) {
        Objects.requireNonNull(latency, "latency");
        if (latency.isNegative() || latency.compareTo(Duration.ofMillis(MAX_MS)) > 0) {
            throw new IllegalArgumentException("devnet latency must be within 0.." + MAX_MS + " ms, got " + latency.toMillis() + " ms");
        }
        return latency;
    }

    synchronized void set(Duration latency) {
        nanos = check(latency).toNanos();
        notifyAll();
    }

    synchronized Duration get() {
        return Duration.ofNanos(nanos);
    }

    /** Marks a request as started; pair with {@link #finished()}. */
    synchronized void started() {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
    }

    synchronized void finished() {
        inFlight--;
    }

    synchronized int inFlight() {
        return inFlight;
    }

    synchronized int maxInFlight() {
        return maxInFlight;
    }

    /** Forgets the maximum (it restarts at the number of requests in progress). */
    synchronized void resetMax() {
        maxInFlight = inFlight;
    }

    /**
     * Waits until the latency has passed since {@code startNanos} ({@link System#nanoTime()} when the
     * request arrived). The monitor is released while waiting, so other requests wait alongside.
     */
    synchronized void await(long startNanos) throws InterruptedException {
        while (true) {
            long left = startNanos + nanos - System.nanoTime();
            if (left <= 0) {
                return;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }
}
