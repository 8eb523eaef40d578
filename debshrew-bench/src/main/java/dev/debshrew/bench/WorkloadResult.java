package dev.debshrew.bench;

/**
 * The figures of one workload, as written to {@code --json}. Rates are computed from counts and
 * times by {@link #of}; the ceiling is optional (null for the empty-blocks workload).
 *
 * @param name workload name
 * @param sink sink type
 * @param blocks blocks processed (heights 0 to blocks - 1)
 * @param messages CDC messages the transform emitted over those blocks
 * @param seconds wall time of the default engine, from start to the last sink commit
 * @param blocksPerS blocks / seconds
 * @param msgsPerS messages / seconds
 * @param ceilingMsgsPerS the same data written by the plain ceiling (null: none)
 * @param ratio msgsPerS / ceilingMsgsPerS (null: no ceiling)
 * @param sequentialBlocksPerS blocks per second with {@code engine.sequential: true}
 * @param speedup blocksPerS / sequentialBlocksPerS
 * @param heapPeakMb peak heap in use during the default run, MiB
 * @param rssPeakMb peak resident set size during the default run, MiB
 */
record WorkloadResult(String name, String sink, long blocks, long messages, double seconds, double blocksPerS,
        double msgsPerS, Double ceilingMsgsPerS, Double ratio, double sequentialBlocksPerS, double speedup,
        double heapPeakMb, double rssPeakMb) {

    /** Measurements of one daemon run. */
    record Run(double seconds, double heapPeakMb, double rssPeakMb) {
    }

    /**
     * Derives the rates: {@code ceilingSeconds} is how long the ceiling took for the same
     * {@code blocks} and {@code messages} (null: no ceiling).
     */
    static WorkloadResult of(Workload w, long blocks, long messages, Run fast, Run sequential, Double ceilingSeconds) {
        if (blocks <= 0 || fast.seconds() <= 0 || sequential.seconds() <= 0) {
            throw new IllegalArgumentException("blocks and run times must be positive: " + blocks + " blocks, "
                    + fast.seconds() + " s, " + sequential.seconds() + " s sequential");
        }
        double blocksPerS = blocks / fast.seconds();
        double seqBlocksPerS = blocks / sequential.seconds();
        Double ceilingMsgs = null;
        Double ratio = null;
        if (ceilingSeconds != null) {
            if (ceilingSeconds <= 0) {
                throw new IllegalArgumentException("ceiling time must be positive, got " + ceilingSeconds);
            }
            ceilingMsgs = messages / ceilingSeconds;
            ratio = ceilingSeconds / fast.seconds(); // = msgs_per_s / ceiling_msgs_per_s, also with 0 messages
        }
        return new WorkloadResult(w.name(), w.sink(), blocks, messages, fast.seconds(), blocksPerS,
                messages / fast.seconds(), ceilingMsgs, ratio, seqBlocksPerS, blocksPerS / seqBlocksPerS,
                fast.heapPeakMb(), fast.rssPeakMb());
    }
}
