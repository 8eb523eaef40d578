package dev.debshrew.bench;

import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.Fault;
import java.io.IOException;
import java.time.Duration;

/**
 * Starts the in-process devnet the bench runs against. The one place that knows how the devnet
 * adds a per-RPC round trip: today through the devnet's {@link Fault#latency latency fault}
 * applied to every request of every method with probability 1. The fault sleeps in the request's
 * own handler thread (the devnet serves each request on a pooled thread), so concurrent requests
 * are delayed side by side, not one after the other, as over a real network link.
 */
final class BenchDevnet {

    private BenchDevnet() {
    }

    /**
     * A devnet on an ephemeral loopback port with blocks {@code 0..tip} indexed, answering every
     * RPC {@code latency} later (zero: at once).
     */
    static DevnetServer start(long tip, Duration latency) throws IOException {
        DevnetServer devnet = DevnetServer.builder().initialHeight(tip).build().start(0);
        if (!latency.isZero()) {
            devnet.inject(Fault.latency(latency).withProbability(1.0));
        }
        return devnet;
    }
}
