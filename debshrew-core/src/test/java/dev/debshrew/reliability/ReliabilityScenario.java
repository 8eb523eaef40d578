package dev.debshrew.reliability;

/**
 * The body of a reliability scenario: it drives the daemon (kills, reorgs, faults) and reports into
 * {@link Report} what it did and what it compared. Run it with {@link Reliability#run}.
 */
@FunctionalInterface
public interface ReliabilityScenario {

    /** Runs the scenario; a thrown exception or assertion error fails it. */
    void run(Report report) throws Exception;
}
