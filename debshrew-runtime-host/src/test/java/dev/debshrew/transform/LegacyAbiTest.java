package dev.debshrew.transform;

import static dev.debshrew.transform.Fixtures.NO_VIEWS;
import static dev.debshrew.transform.Fixtures.block;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.cdc.Operation;
import dev.debshrew.transform.TransformExecutionException.Kind;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The legacy push ABI ({@code __push_cdc_message}). */
class LegacyAbiTest {

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void pushedMessagesAreReturnedWithRfc3339TimestampsNormalised(boolean interpreter) throws Exception {
        try (Transform t = Fixtures.load("legacy", interpreter)) {
            assertThat(t.abi()).isEqualTo(AbiVersion.LEGACY);
            List<CdcMessage> messages = t.process(block(7), NO_VIEWS, StateReader.EMPTY).messages();
            assertThat(messages).hasSize(2);
            assertThat(messages.get(0).payload().operation()).isEqualTo(Operation.CREATE);
            assertThat(messages.get(0).header().timestamp()).isEqualTo(1_700_000_000_000L);
            assertThat(messages.get(1).payload().operation()).isEqualTo(Operation.DELETE);
            assertThat(messages.get(1).header().timestamp())
                    .isEqualTo(Instant.parse("2024-01-02T03:04:05.678Z").toEpochMilli());
            // nothing pushed, returns 0
            assertThat(t.process(block(3), NO_VIEWS, StateReader.EMPTY).messages()).isEmpty();
        }
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void invalidPushedMessageFailsTheBlock(boolean interpreter) throws Exception {
        try (Transform t = Fixtures.load("legacy", interpreter)) {
            assertThatThrownBy(() -> t.process(block(1), NO_VIEWS, StateReader.EMPTY))
                    .isInstanceOfSatisfying(TransformExecutionException.class,
                            e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_OUTPUT))
                    .hasMessageContaining("pushed message #1 is invalid")
                    .hasMessageContaining("missing field 'table'");
        }
    }

    /** The legacy push ABI rejects NUL like ABI v1: a transform failure before any sink. */
    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void nulInPushedMessageIsATransformFailure(boolean interpreter) throws Exception {
        try (Transform t = Fixtures.load("legacy", interpreter)) {
            assertThatThrownBy(() -> t.process(block(4), NO_VIEWS, StateReader.EMPTY))
                    .isInstanceOfSatisfying(TransformExecutionException.class,
                            e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_OUTPUT))
                    .hasMessageContaining("pushed message #1 is invalid")
                    .hasMessageContaining("message.payload.key: contains the NUL character (U+0000)");
        }
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void minusOneFailsTheBlockAndDiscardsPushedMessages(boolean interpreter) throws Exception {
        try (Transform t = Fixtures.load("legacy", interpreter)) {
            assertThatThrownBy(() -> t.process(block(2), NO_VIEWS, StateReader.EMPTY))
                    .isInstanceOfSatisfying(TransformExecutionException.class,
                            e -> assertThat(e.kind()).isEqualTo(Kind.NEGATIVE_RETURN))
                    .hasMessageContaining("legacy ABI error");
        }
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void pushedBytesCountAgainstTheOutputCap(boolean interpreter) throws Exception {
        TransformLimits limits = TransformLimits.builder().useInterpreter(interpreter).maxOutputBytes(200).build();
        try (Transform t = Fixtures.load("legacy", limits)) {
            assertThatThrownBy(() -> t.process(block(7), NO_VIEWS, StateReader.EMPTY))
                    .isInstanceOfSatisfying(TransformExecutionException.class,
                            e -> assertThat(e.kind()).isEqualTo(Kind.OUTPUT_TOO_LARGE))
                    .hasMessageContaining("maxOutputBytes = 200");
        }
    }
}
