package dev.debshrew.reliability;

/**
 * What one reliability scenario did and found: one row of the summary table.
 *
 * @param scenario   the scenario's name (e.g. {@code crash-matrix})
 * @param sink       the sink(s) under test (e.g. {@code kafka}, {@code fan-out})
 * @param kills      SIGKILLs of the daemon
 * @param reorgs     reorgs the devnet performed
 * @param checked    messages (and materialized rows) compared with the uninterrupted run
 * @param lost       expected minus delivered (multiset)
 * @param duplicated delivered minus expected (multiset)
 * @param seconds    wall-clock time of the scenario
 * @param passed     whether the scenario ended without a failure
 * @param note       the seed and, for a failed scenario, the failure
 */
public record ReliabilityResult(String scenario, String sink, int kills, int reorgs, long checked, long lost,
        long duplicated, double seconds, boolean passed, String note) {

    /** Whether this row is a success: passed, nothing lost, nothing duplicated. */
    public boolean ok() {
        return passed && lost == 0 && duplicated == 0;
    }
}
