package dev.debshrew.transform;

import static dev.debshrew.transform.Fixtures.NO_VIEWS;
import static dev.debshrew.transform.Fixtures.block;
import static dev.debshrew.transform.Fixtures.ints;
import static dev.debshrew.transform.Fixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.cdc.Operation;
import dev.debshrew.transform.Fixtures.MapState;
import dev.debshrew.transform.TransformExecutionException.Kind;
import dev.debshrew.util.Hex;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/** ABI v1 imports and output handling, in both compiler and interpreter mode. */
class AbiV1Test {

    private final ListAppender<ILoggingEvent> guestLog = new ListAppender<>();
    private final Logger guestLogger = (Logger) LoggerFactory.getLogger("dev.debshrew.transform.guest");

    @BeforeEach
    void captureGuestLog() {
        guestLog.start();
        guestLogger.addAppender(guestLog);
    }

    @AfterEach
    void releaseGuestLog() {
        guestLogger.detachAppender(guestLog);
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void blockHashIsStagedAndHeightIsPassed(boolean interpreter) throws Exception {
        try (Transform t = Fixtures.load("block_info", interpreter)) {
            assertThat(t.abi()).isEqualTo(AbiVersion.V1);
            assertThat(t.name()).isEqualTo("block_info.wasm");
            assertThat(t.hasRollbackExport()).isTrue();
            assertThat(t.sha256()).isEqualTo(Hex.encode(MessageDigest.getInstance("SHA-256").digest(Wat.bytes("block_info"))));

            BlockContext block = block(840_000);
            BlockOutput out = t.process(block, NO_VIEWS, StateReader.EMPTY);

            assertThat(out.messages()).isEmpty();
            assertThat(out.stateChanges().get(utf8("hash"))).isEqualTo(block.blockHash());
            assertThat(ints(out.stateChanges().get(utf8("height")))).containsExactly(840_000);
        }
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void stateReadsSeeOwnWritesAndDeletesReportExistence(boolean interpreter) throws Exception {
        MapState committed = new MapState().put("k", "old").put("c", "committed");
        try (Transform t = Fixtures.load("state", interpreter)) {
            BlockOutput out = t.process(block(1), NO_VIEWS, committed);
            StateChanges changes = out.stateChanges();

            assertThat(ints(changes.get(utf8("results"))))
                    .containsExactly(3, 0, 3, 1, -1, 0, 1, -1, -1, 0, 0, 0);
            assertThat(changes.get(utf8("g0"))).asString().isEqualTo("old");
            assertThat(changes.get(utf8("g1"))).asString().isEqualTo("new");
            assertThat(changes.isDeleted(utf8("k"))).isTrue();
            assertThat(changes.isDeleted(utf8("c"))).isTrue();
            assertThat(changes.get(utf8("e"))).isEmpty();
            assertThat(changes.entries()).extracting(e -> new String(e.key()))
                    .containsExactly("g0", "k", "g1", "c", "e", "missing", "results");
            // committed state is never written by the host
            assertThat(committed.map.get("k")).asString().isEqualTo("old");
        }
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void viewsReceiveNameInputAndHeight(boolean interpreter) throws Exception {
        List<String> calls = new ArrayList<>();
        ViewSource views = (name, input, height) -> {
            calls.add(name + ":" + Hex.encode(input) + "@" + height);
            return name.equals("fail") ? new byte[0] : utf8("balance=42");
        };
        try (Transform t = Fixtures.load("view", interpreter)) {
            BlockOutput out = t.process(block(77), views, StateReader.EMPTY);

            assertThat(calls).containsExactly("getbalance:0102@77", "fail:0102@77");
            assertThat(ints(out.stateChanges().get(utf8("results")))).containsExactly(10, 0);
            assertThat(out.stateChanges().get(utf8("v1"))).asString().isEqualTo("balance=42");
        }
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void guestOutputIsLoggedPerWriteInOrder(boolean interpreter) throws Exception {
        try (Transform t = Fixtures.load("logging", interpreter)) {
            t.process(block(0), NO_VIEWS, StateReader.EMPTY);
        }
        assertThat(guestLog.list).extracting(ILoggingEvent::getLevel, ILoggingEvent::getFormattedMessage)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(Level.INFO, "[logging.wasm@0] hello "),
                        org.assertj.core.groups.Tuple.tuple(Level.INFO, "[logging.wasm@0] world"),
                        org.assertj.core.groups.Tuple.tuple(Level.WARN, "[logging.wasm@0] oops"),
                        org.assertj.core.groups.Tuple.tuple(Level.INFO, "[logging.wasm@0] no newline"));
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void negativeReturnFailsWithStderrTail(boolean interpreter) throws Exception {
        try (Transform t = Fixtures.load("logging", interpreter)) {
            assertThatThrownBy(() -> t.process(block(1), NO_VIEWS, StateReader.EMPTY))
                    .isInstanceOfSatisfying(TransformExecutionException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.NEGATIVE_RETURN);
                        assertThat(e.stderrTail()).isEqualTo("oops");
                        assertThat(e.moduleName()).isEqualTo("logging.wasm");
                        assertThat(e.blockHeight()).hasValue(1);
                        assertThat(e.getMessage()).contains("logging.wasm", "block 1", "returned -1", "oops");
                    });
        }
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void validOutputIsDecoded(boolean interpreter) throws Exception {
        try (Transform t = Fixtures.load("output", interpreter)) {
            assertThat(t.process(block(0), NO_VIEWS, StateReader.EMPTY).messages()).isEmpty();
            assertThat(t.process(block(5), NO_VIEWS, StateReader.EMPTY).messages()).isEmpty();

            List<CdcMessage> messages = t.process(block(1), NO_VIEWS, StateReader.EMPTY).messages();
            assertThat(messages).hasSize(2);
            assertThat(messages.get(0).payload().operation()).isEqualTo(Operation.CREATE);
            assertThat(messages.get(0).payload().key()).isEqualTo("alice");
            assertThat(messages.get(0).header().transactionId()).isEqualTo("tx1");
            assertThat(messages.get(0).payload().after().get("amount").intValue()).isEqualTo(10);
            assertThat(messages.get(1).payload().operation()).isEqualTo(Operation.UPDATE);
            assertThat(messages.get(1).payload().before().get("amount").intValue()).isEqualTo(10);
        }
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void invalidOutputNamesIndexAndField(boolean interpreter) throws Exception {
        try (Transform t = Fixtures.load("output", interpreter)) {
            assertThatThrownBy(() -> t.process(block(2), NO_VIEWS, StateReader.EMPTY))
                    .isInstanceOfSatisfying(TransformExecutionException.class,
                            e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_OUTPUT))
                    .hasMessageContaining("invalid JSON");
            assertThatThrownBy(() -> t.process(block(3), NO_VIEWS, StateReader.EMPTY))
                    .isInstanceOfSatisfying(TransformExecutionException.class,
                            e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_OUTPUT))
                    .hasMessageContaining("message[1].payload.operation")
                    .hasMessageContaining("Create");
            assertThatThrownBy(() -> t.process(block(4), NO_VIEWS, StateReader.EMPTY))
                    .isInstanceOfSatisfying(TransformExecutionException.class,
                            e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_OUTPUT))
                    .hasMessageContaining("expected a JSON array");
            assertThatThrownBy(() -> t.process(block(6), NO_VIEWS, StateReader.EMPTY))
                    .isInstanceOfSatisfying(TransformExecutionException.class,
                            e -> assertThat(e.kind()).isEqualTo(Kind.NEGATIVE_RETURN))
                    .hasMessageContaining("returned -5");
            // still healthy afterwards
            assertThat(t.process(block(1), NO_VIEWS, StateReader.EMPTY).messages()).hasSize(2);
        }
    }

    /** NUL in transform output is invalid output: the block fails as a transform failure, before any sink. */
    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void nulInOutputIsATransformFailure(boolean interpreter) throws Exception {
        try (Transform t = Fixtures.load("output", interpreter)) {
            assertThatThrownBy(() -> t.process(block(7), NO_VIEWS, StateReader.EMPTY))
                    .isInstanceOfSatisfying(TransformExecutionException.class,
                            e -> assertThat(e.kind()).isEqualTo(Kind.INVALID_OUTPUT))
                    .hasMessageContaining("message[0].payload.after.text: contains the NUL character (U+0000)")
                    .hasMessageContaining("table 'inscriptions', key 'i0'");
        }
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void trapsAreReportedAndTheNextBlockWorks(boolean interpreter) throws Exception {
        try (Transform t = Fixtures.load("trap", interpreter)) {
            for (int h = 0; h <= 3; h++) {
                long height = h;
                assertThatThrownBy(() -> t.process(block(height), NO_VIEWS, StateReader.EMPTY))
                        .as("height %d", h)
                        .isInstanceOfSatisfying(TransformExecutionException.class, e -> {
                            assertThat(e.kind()).isEqualTo(Kind.TRAP);
                            assertThat(e.stderrTail()).isEqualTo("about to trap");
                            assertThat(e.getMessage()).contains("trap.wasm", "block " + height);
                        });
            }
        }
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void startFunctionTrapIsAnInstantiationError(boolean interpreter) throws Exception {
        try (Transform t = Fixtures.load("start_trap", interpreter)) {
            assertThatThrownBy(() -> t.process(block(3), NO_VIEWS, StateReader.EMPTY))
                    .isInstanceOfSatisfying(TransformExecutionException.class,
                            e -> assertThat(e.kind()).isEqualTo(Kind.INSTANTIATION))
                    .hasMessageContaining("instantiation failed");
        }
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void stateReaderFailureIsAHostError(boolean interpreter) throws Exception {
        StateReader broken = key -> {
            throw new IllegalStateException("disk on fire");
        };
        try (Transform t = Fixtures.load("state", interpreter)) {
            assertThatThrownBy(() -> t.process(block(1), NO_VIEWS, broken))
                    .isInstanceOfSatisfying(TransformExecutionException.class,
                            e -> assertThat(e.kind()).isEqualTo(Kind.HOST_ERROR))
                    .hasMessageContaining("disk on fire");
        }
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void rollbackExportRunsOnlyWhenAsked(boolean interpreter) throws Exception {
        try (Transform t = Fixtures.load("block_info", interpreter)) {
            BlockOutput out = t.rollback(block(9), NO_VIEWS, StateReader.EMPTY);
            assertThat(out.messages()).isEmpty();
            assertThat(out.stateChanges().size()).isEqualTo(1);
            assertThat(ints(out.stateChanges().get(utf8("height")))).containsExactly(9);
        }
        try (Transform t = Fixtures.load("output", interpreter)) {
            assertThat(t.hasRollbackExport()).isFalse();
            assertThatThrownBy(() -> t.rollback(block(9), NO_VIEWS, StateReader.EMPTY))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("does not export rollback");
        }
    }

    @org.junit.jupiter.api.Test
    void freshInstancePerBlock() throws Exception {
        // memory_grow grows by <height> pages each block; sizes are per block, not cumulative
        try (Transform t = Fixtures.load("memory_grow", false)) {
            for (int i = 0; i < 3; i++) {
                byte[] rec = t.process(block(2), NO_VIEWS, StateReader.EMPTY).stateChanges().get(utf8("grow"));
                assertThat(ints(rec)).containsExactly(1, 3);
            }
        }
    }

    static byte[] le(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }
}
