package dev.debshrew.follow;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When speculation stops paying for itself, and when it is tried again. */
class SpeculationPolicyTest {

    @Test
    void blocksThatNearlyAllConflictAndBarelyWaitForTheNodeRunOneAtATimeThenSpeculationIsProbedAgain() {
        SpeculationPolicy p = new SpeculationPolicy();
        for (int i = 0; i < SpeculationPolicy.WINDOW; i++) {
            assertThat(p.speculate()).isTrue();
            p.ran(1_000_000, 10_000, true); // 1 ms of work, 0.01 ms of views, a conflict each
        }
        assertThat(p.speculate()).isFalse();
        for (int i = 0; i < SpeculationPolicy.PROBE_EVERY - 1; i++) {
            p.ran(1_000_000, 10_000, false);
            assertThat(p.speculate()).isFalse();
        }
        p.ran(1_000_000, 10_000, false);
        assertThat(p.speculate()).as("probed again after %d blocks", SpeculationPolicy.PROBE_EVERY).isTrue();
    }

    @Test
    void conflictingBlocksThatWaitForTheNodeKeepSpeculating() {
        SpeculationPolicy p = new SpeculationPolicy();
        for (int i = 0; i < 4 * SpeculationPolicy.WINDOW; i++) {
            p.ran(10_000_000, 8_000_000, true); // views are most of the time: re-runs (views cached) are cheap
        }
        assertThat(p.speculate()).isTrue();
    }

    @Test
    void fewConflictsKeepSpeculating() {
        SpeculationPolicy p = new SpeculationPolicy();
        for (int i = 0; i < 4 * SpeculationPolicy.WINDOW; i++) {
            p.ran(1_000_000, 0, i % 4 == 0);
        }
        assertThat(p.speculate()).isTrue();
    }
}
