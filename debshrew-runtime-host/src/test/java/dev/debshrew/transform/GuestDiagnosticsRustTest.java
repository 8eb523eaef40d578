package dev.debshrew.transform;

import static dev.debshrew.transform.Fixtures.NO_VIEWS;
import static dev.debshrew.transform.Fixtures.block;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.debshrew.transform.TransformExecutionException.Kind;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Trap reports of a real Rust module panicking (built by {@link RustFixture} from src/test/resources/rust). */
class GuestDiagnosticsRustTest {

    @TempDir
    static Path dir;

    private static Path wasm;

    @BeforeAll
    static void build() throws Exception {
        wasm = RustFixture.compile("panic_probe", dir);
    }

    private static String failure(boolean interpreter, long height) throws Exception {
        String[] message = new String[1];
        try (Transform t = Transform.load(wasm, TransformLimits.builder().useInterpreter(interpreter).build())) {
            assertThatThrownBy(() -> t.process(block(height), NO_VIEWS, StateReader.EMPTY))
                    .isInstanceOfSatisfying(TransformExecutionException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.TRAP);
                        message[0] = e.getMessage();
                    });
        }
        return message[0];
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void aPanicIsLocatedInTheUsersFunctionPastThePanicRuntime(boolean interpreter) throws Exception {
        String m = failure(interpreter, 1);
        assertThat(m).containsPattern("Trapped on unreachable instruction in 'panic_probe::pick' \\(func\\[\\d+]\\)"
                        + "( at code offset 0x[0-9a-f]+)?, called from 'process_block'")
                .containsPattern("where it panicked; the \\d+ frames above it, from '[^']*panic[^']*' \\(func\\[\\d+]\\)")
                .contains("hint: this looks like a Rust panic")
                .doesNotContain("SystemTime")
                .contains("[stderr] transform panicked: panicked at ")
                .contains("[stderr] index out of bounds: the len is 3 but the index is 3");
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void systemTimeNowGetsTheClockHint(boolean interpreter) throws Exception {
        String m = failure(interpreter, 0);
        assertThat(m).contains("hint: std::time::SystemTime::now() (or Instant::now()) panics on wasm32-unknown-unknown",
                "[stderr] time not implemented on this platform");
    }
}
