package dev.debshrew.transform;

import static dev.debshrew.transform.Fixtures.NO_VIEWS;
import static dev.debshrew.transform.Fixtures.block;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.debshrew.transform.TransformExecutionException.Kind;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Guest diagnostics: output logged per write in one order across both streams, the last lines of
 * both streams on a failed block, traps located with the module's name section, Rust-panic hints.
 */
class GuestDiagnosticsTest {

    private static TransformExecutionException failure(Transform t, long height) {
        TransformExecutionException[] caught = new TransformExecutionException[1];
        assertThatThrownBy(() -> t.process(block(height), NO_VIEWS, StateReader.EMPTY))
                .isInstanceOfSatisfying(TransformExecutionException.class, e -> caught[0] = e);
        return caught[0];
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void everyWriteIsALineInTheOrderOfTheWritesAcrossBothStreams(boolean interpreter) throws Exception {
        List<String> lines = new ArrayList<>();
        try (Transform t = Fixtures.load("diagnostics", interpreter)) {
            t.process(block(0), NO_VIEWS, StateReader.EMPTY, (height, stream, line) -> {
                assertThat(height).isZero();
                lines.add(stream + " " + line);
            });
        }
        assertThat(lines).containsExactly("STDOUT a1", "STDERR b1", "STDOUT a2", "STDERR b2", "STDERR b3",
                "STDOUT a3");
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void aFailedBlockCarriesTheLastLinesOfBothStreamsAndTheTrappingFunction(boolean interpreter) throws Exception {
        try (Transform t = Fixtures.load("diagnostics", interpreter)) {
            TransformExecutionException e = failure(t, 1);
            assertThat(e.kind()).isEqualTo(Kind.TRAP);
            List<String> expectedTail = new ArrayList<>(List.of("..."));
            for (int n = 5; n < 25; n++) {
                expectedTail.add((n % 2 == 1 ? "[stderr] " : "[stdout] ") + String.format("line %02d", n));
            }
            assertThat(e.logTail().split("\n")).as("the last 20 lines, in order").containsExactlyElementsOf(expectedTail);
            assertThat(e.stderrTail()).startsWith("line 05\nline 07").endsWith("line 23");
            assertThat(e.getMessage())
                    .contains("failed at block 1 [TRAP]: 'process_block' trapped: Trapped on unreachable instruction"
                            + " in 'transform::run' (func[4])")
                    .doesNotContain("keep the function names")
                    .containsPattern("called from 'process_block' \\(func\\[7]\\)( at code offset 0x[0-9a-f]+)?"
                            + " \\(where it panicked; the frame above it, 'core::panicking::panic_fmt' \\(func\\[3]\\)"
                            + "( at code offset 0x[0-9a-f]+)?, is the panic runtime\\)")
                    .contains("hint: this looks like a Rust panic")
                    .contains("guest output (last lines, stdout and stderr in order):\n...\n[stderr] line 05\n")
                    .endsWith("[stdout] line 24")
                    .doesNotContain("SystemTime");
            if (interpreter) {
                // the interpreter knows the offset: it must point at an 'unreachable' (opcode 0x00)
                Matcher m = Pattern.compile("'core::panicking::panic_fmt' \\(func\\[3]\\) at code offset 0x([0-9a-f]+)")
                        .matcher(e.getMessage());
                assertThat(m.find()).as(e.getMessage()).isTrue();
                byte[] wasm = Files.readAllBytes(Wat.wasm("diagnostics"));
                assertThat(wasm[Integer.parseInt(m.group(1), 16)]).isEqualTo((byte) 0x00);
                assertThat(e.getMessage()).containsPattern("'transform::run' \\(func\\[4]\\) at code offset 0x[0-9a-f]+");
            }
            // the next block runs normally
            assertThat(t.process(block(0), NO_VIEWS, StateReader.EMPTY).messages()).isEmpty();
        }
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void theClockOfWasm32UnknownUnknownGetsItsOwnHint(boolean interpreter) throws Exception {
        try (Transform t = Fixtures.load("diagnostics", interpreter)) {
            TransformExecutionException e = failure(t, 2);
            assertThat(e.getMessage()).contains("in 'std::time::SystemTime::now' (func[5])",
                    "hint: std::time::SystemTime::now() (or Instant::now()) panics on wasm32-unknown-unknown",
                    "hint: this looks like a Rust panic",
                    "[stderr] time not implemented on this platform");
        }
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void aTrapOutsideAPanicPathIsLocatedWithoutAHint(boolean interpreter) throws Exception {
        try (Transform t = Fixtures.load("diagnostics", interpreter)) {
            TransformExecutionException e = failure(t, 3);
            assertThat(e.getMessage())
                    .containsPattern("in 'helper' \\(func\\[6]\\)( at code offset 0x[0-9a-f]+)?, called from"
                            + " 'process_block' \\(func\\[7]\\)")
                    .doesNotContain("hint:").doesNotContain("guest output");
            assertThat(e.logTail()).isEmpty();
        }
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void aModuleImportingNothingThatTrapsGetsAHint(boolean interpreter) throws Exception {
        try (Transform t = Fixtures.load("no_imports_trap", interpreter)) {
            TransformExecutionException e = failure(t, 0);
            assertThat(e.getMessage()).contains("in 'process_block' (func[0])",
                    "hint: the module imports no host function, so it cannot log anything");
        }
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void withoutANameSectionTheIndexIsGivenAndAHintSaysHowToKeepNames(boolean interpreter) throws Exception {
        try (Transform t = Fixtures.load("trap", interpreter)) {
            TransformExecutionException e = failure(t, 0);
            assertThat(e.getMessage()).contains("Trapped on unreachable instruction in 'process_block' (func[3])",
                    "hint: keep the function names (the wasm 'name' section)", "[stderr] about to trap");
            TransformExecutionException deep = failure(t, 3);
            assertThat(deep.getMessage()).contains("call stack exhausted");
            if (!interpreter) {
                assertThat(deep.getMessage()).contains("in func[2], called from func[2] <- func[2]");
            }
        }
    }
}
