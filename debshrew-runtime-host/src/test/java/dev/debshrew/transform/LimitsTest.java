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
import dev.debshrew.transform.TransformExecutionException.Kind;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/** Resource limits: each violation fails the block with a clear error naming the limit; the host stays healthy. */
class LimitsTest {

    private static TransformLimits.Builder limits(boolean interpreter) {
        return TransformLimits.builder().useInterpreter(interpreter);
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void infiniteLoopHitsTheDeadlineAndTheNextBlockWorks(boolean interpreter) throws Exception {
        try (Transform t = Fixtures.load("loop", limits(interpreter).blockTimeout(Duration.ofMillis(300)).build())) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> t.process(block(1), NO_VIEWS, StateReader.EMPTY))
                    .isInstanceOfSatisfying(TransformExecutionException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
                        assertThat(e.blockHeight()).hasValue(1);
                    })
                    .hasMessageContaining("loop.wasm")
                    .hasMessageContaining("blockTimeout = PT0.3S")
                    .hasMessageContaining("guest interrupted");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));

            assertThat(t.process(block(2), NO_VIEWS, StateReader.EMPTY).messages()).isEmpty();
            // and again: a second timeout on the same worker, then success
            assertThatThrownBy(() -> t.process(block(3), NO_VIEWS, StateReader.EMPTY))
                    .isInstanceOfSatisfying(TransformExecutionException.class,
                            e -> assertThat(e.kind()).isEqualTo(Kind.TIMEOUT));
            assertThat(t.process(block(4), NO_VIEWS, StateReader.EMPTY).messages()).isEmpty();
        }
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void outputOverTheCapFailsBeforeCopying(boolean interpreter) throws Exception {
        try (Transform t = Fixtures.load("output", limits(interpreter).maxOutputBytes(100).build())) {
            assertThatThrownBy(() -> t.process(block(1), NO_VIEWS, StateReader.EMPTY))
                    .isInstanceOfSatisfying(TransformExecutionException.class,
                            e -> assertThat(e.kind()).isEqualTo(Kind.OUTPUT_TOO_LARGE))
                    .hasMessageContaining("output of 407 bytes exceeds maxOutputBytes = 100")
                    .hasMessageContaining("block 1");
            // small outputs still pass
            assertThat(t.process(block(5), NO_VIEWS, StateReader.EMPTY).messages()).isEmpty();
        }
        try (Transform t = Fixtures.load("output", limits(interpreter).maxOutputBytes(407).build())) {
            assertThat(t.process(block(1), NO_VIEWS, StateReader.EMPTY).messages()).hasSize(2);
        }
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void viewCallCap(boolean interpreter) throws Exception {
        AtomicInteger calls = new AtomicInteger();
        ViewSource views = (name, input, height) -> {
            calls.incrementAndGet();
            return new byte[0];
        };
        try (Transform t = Fixtures.load("view_loop", limits(interpreter).maxViewCallsPerBlock(5).build())) {
            assertThatThrownBy(() -> t.process(block(9), views, StateReader.EMPTY))
                    .isInstanceOfSatisfying(TransformExecutionException.class,
                            e -> assertThat(e.kind()).isEqualTo(Kind.VIEW_LIMIT))
                    .hasMessageContaining("maxViewCallsPerBlock = 5")
                    .hasMessageContaining("block 9");
            assertThat(calls).hasValue(5);
        }
        calls.set(0);
        try (Transform t = Fixtures.load("view_loop", limits(interpreter).maxViewCallsPerBlock(20).build())) {
            t.process(block(9), views, StateReader.EMPTY);
            assertThat(calls).hasValue(20);
        }
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void memoryGrowBeyondTheCapFailsTheBlock(boolean interpreter) throws Exception {
        try (Transform t = Fixtures.load("memory_grow", limits(interpreter).maxMemoryPages(4).build())) {
            assertThat(t.effectiveMaxMemoryPages()).isEqualTo(4);
            // within the cap: grow(3) from 1 page succeeds
            assertThat(ints(t.process(block(3), NO_VIEWS, StateReader.EMPTY).stateChanges().get(utf8("grow"))))
                    .containsExactly(1, 4);
            assertThatThrownBy(() -> t.process(block(10), NO_VIEWS, StateReader.EMPTY))
                    .isInstanceOfSatisfying(TransformExecutionException.class,
                            e -> assertThat(e.kind()).isEqualTo(Kind.MEMORY_LIMIT))
                    .hasMessageContaining("memory.grow from 1 to 11 pages")
                    .hasMessageContaining("maxMemoryPages = 4 pages")
                    .hasMessageContaining("block 10");
            // next block fine
            assertThat(ints(t.process(block(1), NO_VIEWS, StateReader.EMPTY).stateChanges().get(utf8("grow"))))
                    .containsExactly(1, 2);
        }
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void growRefusedByTheModulesOwnMaximumKeepsWasmSemantics(boolean interpreter) throws Exception {
        try (Transform t = Fixtures.load("memory_grow_declared_max", limits(interpreter).maxMemoryPages(4).build())) {
            assertThat(ints(t.process(block(5), NO_VIEWS, StateReader.EMPTY).stateChanges().get(utf8("grow"))))
                    .containsExactly(-1, 1);
        }
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void capNeverGoesBelowTheDeclaredInitialMemory(boolean interpreter) throws Exception {
        try (Transform t = Fixtures.load("memory_big_initial", limits(interpreter).maxMemoryPages(4).build())) {
            assertThat(t.effectiveMaxMemoryPages()).isEqualTo(8);
            assertThat(ints(t.process(block(0), NO_VIEWS, StateReader.EMPTY).stateChanges().get(utf8("grow"))))
                    .containsExactly(8, 8);
            assertThatThrownBy(() -> t.process(block(1), NO_VIEWS, StateReader.EMPTY))
                    .isInstanceOfSatisfying(TransformExecutionException.class,
                            e -> assertThat(e.kind()).isEqualTo(Kind.MEMORY_LIMIT))
                    .hasMessageContaining("maxMemoryPages = 8 pages");
        }
    }

    @Test
    void logVolumeCapTruncatesWithOneWarning() throws Exception {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger("dev.debshrew.transform.guest");
        appender.start();
        logger.addAppender(appender);
        try (Transform t = Fixtures.load("logging", TransformLimits.builder().maxLogBytesPerBlock(100).build())) {
            // height 2 writes 12 + 5 + 10 * 1000 bytes; the block still succeeds
            BlockOutput out = t.process(block(2), NO_VIEWS, StateReader.EMPTY);
            assertThat(out.messages()).isEmpty();
        } finally {
            logger.detachAppender(appender);
        }
        long infos = appender.list.stream().filter(e -> e.getLevel() == Level.INFO).count();
        assertThat(infos).isBetween(2L, 20L);
        assertThat(appender.list).filteredOn(e -> e.getFormattedMessage().contains("maxLogBytesPerBlock")).hasSize(1);
    }

    @Test
    void limitsValidateTheirArguments() {
        TransformLimits d = TransformLimits.defaults();
        assertThat(d.maxMemoryPages()).isEqualTo(1024);
        assertThat(d.blockTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(d.maxOutputBytes()).isEqualTo(64 * 1024 * 1024);
        assertThat(d.maxViewCallsPerBlock()).isEqualTo(10_000);
        assertThat(d.maxLogBytesPerBlock()).isEqualTo(1024 * 1024);
        assertThat(d.useInterpreter()).isFalse();
        assertThat(d.compileCacheDir()).isNull();

        TransformLimits.Builder b = TransformLimits.builder();
        assertThatThrownBy(() -> b.maxMemoryPages(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxMemoryPages");
        assertThatThrownBy(() -> b.maxMemoryPages(32768)).isInstanceOf(IllegalArgumentException.class);
        assertThat(b.maxMemoryPages(32767).build().maxMemoryPages()).isEqualTo(32767);
        assertThatThrownBy(() -> b.blockTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blockTimeout");
        assertThatThrownBy(() -> b.blockTimeout(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.maxOutputBytes(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxOutputBytes");
        assertThatThrownBy(() -> b.maxViewCallsPerBlock(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.maxLogBytesPerBlock(-1)).isInstanceOf(IllegalArgumentException.class);

        TransformLimits custom = TransformLimits.builder().maxMemoryPages(16).useInterpreter(true).build();
        TransformLimits copy = custom.toBuilder().build();
        assertThat(copy.maxMemoryPages()).isEqualTo(16);
        assertThat(copy.useInterpreter()).isTrue();
        assertThat(copy.toString()).contains("maxMemoryPages=16");
    }
}
