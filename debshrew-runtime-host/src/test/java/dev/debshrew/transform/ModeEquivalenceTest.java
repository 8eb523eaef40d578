package dev.debshrew.transform;

import static dev.debshrew.transform.Fixtures.block;
import static org.assertj.core.api.Assertions.assertThat;

import dev.debshrew.transform.Fixtures.MapState;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The interpreter and the runtime compiler produce the same block output. */
class ModeEquivalenceTest {

    private static final ViewSource VIEWS = (name, input, height) -> (name + "@" + height).getBytes();

    @ParameterizedTest(name = "{0} at height {1}")
    @CsvSource({"output, 1", "state, 1", "view, 12", "block_info, 840000", "legacy, 7",
        "memory_grow, 3"})
    void sameOutputInBothModes(String fixture, long height) throws Exception {
        BlockOutput compiled;
        BlockOutput interpreted;
        try (Transform t = Fixtures.load(fixture, false)) {
            compiled = t.process(block(height), VIEWS, new MapState().put("k", "old").put("c", "x"));
        }
        try (Transform t = Fixtures.load(fixture, true)) {
            interpreted = t.process(block(height), VIEWS, new MapState().put("k", "old").put("c", "x"));
        }
        assertThat(interpreted.messages()).isEqualTo(compiled.messages());
        assertThat(interpreted.stateChanges().entries()).isEqualTo(compiled.stateChanges().entries());
        assertThat(compiled.messages().size() + compiled.stateChanges().size()).isPositive();
    }
}
