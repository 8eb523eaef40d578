package dev.debshrew.bench;

import dev.debshrew.devnet.DevnetServer;
import java.io.IOException;
import java.time.Duration;

/**
 * Starts the in-process devnet the bench runs against, with the devnet's base latency
 * ({@code --latency-ms}): every request waits in its own handler thread, so concurrent requests
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
        return DevnetServer.builder().initialHeight(tip).latency(latency).build().start(0);
    }
}
