package dev.debshrew.bench;

import java.util.Arrays;

/**
 * Live-mode figures: latency from a block mined at the node to its commit at the (file) sink, with
 * the daemon caught up, and the recovery time of a reorg.
 *
 * @param blocks blocks mined one at a time
 * @param pollIntervalMs the daemon's {@code poll_interval_ms}
 * @param p50Ms median latency
 * @param p99Ms 99th percentile latency
 * @param maxMs largest latency
 * @param reorgDepth depth of the reorg
 * @param reorgRecoveryMs from the reorg at the node to the sink's cursor on the new branch's tip
 */
record LiveResult(int blocks, long pollIntervalMs, double p50Ms, double p99Ms, double maxMs, int reorgDepth,
        double reorgRecoveryMs) {

    /** The nearest-rank percentile {@code p} (0 < p <= 100) of {@code samples}. */
    static double percentile(double[] samples, double p) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100], got " + p);
        }
        double[] s = samples.clone();
        Arrays.sort(s);
        int rank = (int) Math.ceil(p / 100.0 * s.length);
        return s[Math.max(0, rank - 1)];
    }
}
