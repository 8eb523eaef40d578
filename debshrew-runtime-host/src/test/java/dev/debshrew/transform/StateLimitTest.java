package dev.debshrew.transform;

import static dev.debshrew.transform.Fixtures.NO_VIEWS;
import static dev.debshrew.transform.Fixtures.block;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.debshrew.transform.TransformExecutionException.Kind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 9, item 8: a hostile transform writing state without end gets a clear per-block error at
 * {@code maxStateBytes} instead of taking the JVM down ({@code state_flood.wat}: a 60 000-byte value
 * under a fresh key on every iteration, forever).
 */
class StateLimitTest {

    private static final int VALUE = 60_000;
    private static final int KEY = 4;

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void stateFloodFailsTheBlockAtMaxStateBytesAndTheTransformStaysUsable(boolean interpreter) throws Exception {
        long cap = 1024 * 1024;
        TransformLimits limits = TransformLimits.builder().useInterpreter(interpreter).maxStateBytes(cap).build();
        long writes = cap / (KEY + VALUE) + 1; // the write that crosses the cap
        try (Transform t = Fixtures.load("state_flood", limits)) {
            for (long height : new long[] {5, 6}) {
                assertThatThrownBy(() -> t.process(block(height), NO_VIEWS, StateReader.EMPTY))
                        .isInstanceOfSatisfying(TransformExecutionException.class, e -> {
                            assertThat(e.kind()).isEqualTo(Kind.STATE_LIMIT);
                            assertThat(e.blockHeight()).hasValue(height);
                        })
                        .hasMessageContaining("state_flood.wasm")
                        .hasMessageContaining("failed at block " + height)
                        .hasMessageContaining("wrote " + writes * (KEY + VALUE) + " bytes of state")
                        .hasMessageContaining("maxStateBytes = " + cap)
                        .hasMessageContaining("transform.max_state_bytes");
            }
        }
        // the host is fine: another module runs
        try (Transform t = Fixtures.load("output", interpreter)) {
            assertThat(t.process(block(1), NO_VIEWS, StateReader.EMPTY).messages()).hasSize(2);
        }
    }

    @Test
    void stateBytesCountKeysAndValuesOfTheLatestWriteOfEachKey() {
        StateChanges c = new StateChanges();
        c.put(bytes("ab"), bytes("1234"));
        assertThat(c.bytes()).isEqualTo(6);
        c.put(bytes("ab"), bytes("1")); // replaces: 2 + 1
        assertThat(c.bytes()).isEqualTo(3);
        c.delete(bytes("ab")); // a delete marker keeps the key
        assertThat(c.bytes()).isEqualTo(2);
        c.put(bytes("xyz"), bytes(""));
        assertThat(c.bytes()).isEqualTo(5);
        assertThat(TransformLimits.defaults().maxStateBytes()).isEqualTo(64L * 1024 * 1024);
        assertThatThrownBy(() -> TransformLimits.builder().maxStateBytes(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxStateBytes");
    }

    /**
     * In a 64 MiB heap: the flood stops at a 16 MiB cap with the clear error and the next transform
     * runs in the same JVM. Without the cap, the same module exhausts that heap (shown too, so the
     * test proves the cap is what saves the JVM).
     */
    @Test
    void aModuleWritingStateForeverGetsAClearPerBlockErrorAndTheJvmStaysHealthy() throws Exception {
        long cap = 16L * 1024 * 1024;
        Child capped = child(cap);
        assertThat(capped.exit).as("child output:\n%s", capped.output).isZero();
        assertThat(capped.output).contains("FLOOD STATE_LIMIT: transform 'state_flood.wasm' failed at block 7",
                "maxStateBytes = " + cap, "transform.max_state_bytes");
        assertThat(capped.output).contains("NEXT 2 messages");

        Child uncapped = child(Long.MAX_VALUE);
        assertThat(uncapped.output).doesNotContain("STATE_LIMIT").doesNotContain("FLOOD completed");
        assertThat(uncapped.exit != 0 || uncapped.output.contains("heap exhausted")
                || uncapped.output.contains("OutOfMemoryError"))
                .as("without the cap the flood exhausts the 64 MiB heap; child output:\n%s", uncapped.output).isTrue();
    }

    private record Child(int exit, String output) {
    }

    private static Child child(long maxStateBytes) throws Exception {
        Path log = Files.createTempFile(Wat.outputDir(), "state-flood-child", ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                StateFloodChild.class.getName(), Wat.wasm("state_flood").toString(), Long.toString(maxStateBytes),
                Wat.wasm("output").toString()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            throw new AssertionError("child JVM did not finish within 180 s:\n" + Files.readString(log));
        }
        return new Child(p.exitValue(), Files.readString(log));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
