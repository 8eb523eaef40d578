package dev.debshrew.transform;

import static dev.debshrew.transform.Fixtures.block;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.debshrew.transform.TransformExecutionException.Kind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every guest pointer and length is bounds-checked: a clear BAD_POINTER error, never a host crash. */
class BadPointerTest {

    private static final ViewSource VIEWS = (name, input, height) -> new byte[] {1, 2, 3};

    @ParameterizedTest(name = "height {0}: {1} (interpreter={3})")
    @CsvSource({
        "1, __stdout, pointer 4294967280 is outside, false",
        "2, __stderr, with length 2147483647 extends past the end, false",
        "3, __load, destination 65530 with 32 bytes, false",
        "4, __set_state value, pointer 65534 is outside, false",
        "5, __get_state key, pointer 4294967295 is outside, false",
        "6, __view name, with length 2147483647 extends past the end, false",
        "7, __delete_state key, pointer 65536 is outside, false",
        "8, process_block result, pointer 70000 is outside, false",
        "9, process_block result, at 65528 with length 100 extends past the end, false",
        "10, __set_state value, with length 2147483647, false",
        "1, __stdout, pointer 4294967280 is outside, true",
        "3, __load, destination 65530 with 32 bytes, true",
        "6, __view name, with length 2147483647 extends past the end, true",
        "9, process_block result, at 65528 with length 100 extends past the end, true",
    })
    void badPointerIsAClearErrorAndTheHostStaysHealthy(long height, String function, String detail, boolean interpreter)
            throws Exception {
        try (Transform t = Fixtures.load("bad_pointers", interpreter)) {
            assertThatThrownBy(() -> t.process(block(height), VIEWS, StateReader.EMPTY))
                    .isInstanceOfSatisfying(TransformExecutionException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.BAD_POINTER);
                        assertThat(e.blockHeight()).hasValue(height);
                    })
                    .hasMessageContaining("bad_pointers.wasm")
                    .hasMessageContaining("block " + height)
                    .hasMessageContaining(function + ":")
                    .hasMessageContaining(detail);
            // the same transform processes the next block normally
            BlockOutput ok = t.process(block(0), VIEWS, StateReader.EMPTY);
            assertThat(ok.messages()).isEmpty();
        }
    }
}
