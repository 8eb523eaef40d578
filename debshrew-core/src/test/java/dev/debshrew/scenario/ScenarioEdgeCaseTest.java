package dev.debshrew.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Scenario runs whose acceptable outcome is not a single golden output: the test accepts each
 * behaviour that keeps the delivery contract and rejects the others.
 */
class ScenarioEdgeCaseTest {

    /**
     * The daemon started at {@code start_height} 10; the node then reorganises 4 blocks (fork after
     * 8, below the first processed block) with a window of 6. The reorg is NOT deeper than the
     * window: every delivered block (10..12) is in the journal. Acceptable: (a) undo 10..12 and
     * continue from {@code start_height} on the new branch (the output then equals a fresh run
     * from 10, which the runner verifies), or (b) stop with status 1 and a message that names the
     * real cause (the fork lies below {@code start_height}). Not acceptable: claiming a reorg
     * "deeper than the reorg window of 6 blocks" and advising to raise {@code cache_size}, which
     * would not help.
     */
    @Test
    void reorgForkingBelowStartHeightIsHandledOrReportedAccurately() throws Exception {
        ScenarioSpec spec = ScenarioSpec.parse("reorg-below-start-height", new ObjectMapper().readTree(
                "{\"devnet\":{\"seed\":3,\"initial_height\":12},"
                        + "\"daemon\":{\"transform\":\"txindex\",\"cache_size\":6,\"start_height\":10},"
                        + "\"steps\":[{\"reorg\":{\"depth\":4,\"new_blocks\":5,\"style\":\"instant\"}},{\"advance\":1}]}"));
        Path work = ScenarioTest.runsDir().resolve(spec.name());
        ScenarioRunner.deleteTree(work);
        Files.createDirectories(work);
        try (ScenarioRunner runner = new ScenarioRunner(spec, work, ScenarioTest.runsDir().resolve("compile-cache"))) {
            try {
                runner.run(); // (a): caught up and verified against a fresh run from start_height
            } catch (AssertionError e) {
                String stderr = runner.daemonLogs();
                assertThat(stderr).as("the daemon stopped on a reorg whose fork (after 8) lies below start_height 10;"
                        + " it must say so, not blame the window:\n%s", stderr)
                        .doesNotContain("deeper than the reorg window of 6 blocks")
                        .contains("start_height");
            }
        }
    }
}
