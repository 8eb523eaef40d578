package dev.debshrew.follow;

/**
 * Decides whether speculation pays for itself. Running blocks ahead hides the time they wait for
 * their views; a block whose reads an earlier block overwrote runs a second time. For a transform
 * whose blocks nearly all conflict (a counter every block updates) and that barely waits for the
 * node, every speculative run is wasted work: then blocks run one at a time on the exact state, and
 * speculation is tried again every {@value #PROBE_EVERY} blocks, so a change of workload is noticed.
 * The output is the same either way; only the work differs.
 */
final class SpeculationPolicy {

    /** Blocks observed per decision. */
    static final int WINDOW = 32;
    /** Blocks run one at a time before speculation is tried again. */
    static final int PROBE_EVERY = 512;

    private int observed;
    private int conflicts;
    private long runNanos;
    private long viewNanos;
    private boolean speculate = true;
    private int sequentialLeft;

    /** Whether the next blocks should run speculatively. */
    boolean speculate() {
        return speculate;
    }

    /**
     * Records one block's first run: its time, the part of it spent waiting for views, and whether
     * it had to run again (speculatively run blocks only).
     */
    void ran(long nanos, long viewWaitNanos, boolean conflicted) {
        if (!speculate) {
            if (--sequentialLeft <= 0) {
                speculate = true; // probe again
                reset();
            }
            return;
        }
        observed++;
        conflicts += conflicted ? 1 : 0;
        runNanos += nanos;
        viewNanos += viewWaitNanos;
        if (observed >= WINDOW) {
            // mostly conflicting and mostly computing: the second runs cost more than the hidden waits save
            if (conflicts * 2 > observed && viewNanos * 4 < runNanos) {
                speculate = false;
                sequentialLeft = PROBE_EVERY;
            }
            reset();
        }
    }

    private void reset() {
        observed = 0;
        conflicts = 0;
        runNanos = 0;
        viewNanos = 0;
    }
}
