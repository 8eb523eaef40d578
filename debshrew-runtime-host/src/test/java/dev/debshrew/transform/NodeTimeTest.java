package dev.debshrew.transform;

import static dev.debshrew.transform.Fixtures.NO_VIEWS;
import static dev.debshrew.transform.Fixtures.block;
import static dev.debshrew.transform.Fixtures.ints;
import static dev.debshrew.transform.Fixtures.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.debshrew.transform.TransformExecutionException.Kind;
import dev.debshrew.transform.internal.Worker;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 9, item 3 ("node time is node time") and the host's part of item 4: time waiting for the
 * node inside {@code __view} does not count against {@code blockTimeout}; a failing view aborts the
 * guest at that call (never {@code -1}); no worker thread outlives its block.
 */
class NodeTimeTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    /** A node answering after {@code latency}, busy-waiting so that interrupts are ignored, like a stuck client. */
    private static ViewSource slowNode(Duration latency, AtomicInteger calls) {
        return (name, input, height) -> {
            calls.incrementAndGet();
            long until = System.nanoTime() + latency.toNanos();
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            return utf8("balance=42");
        };
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void viewLatencyLongerThanTheBlockTimeoutDoesNotTimeTheBlockOut(boolean interpreter) throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Duration latency = TIMEOUT.multipliedBy(2);
        TransformLimits limits = TransformLimits.builder().useInterpreter(interpreter).blockTimeout(TIMEOUT).build();
        try (Transform t = Fixtures.load("view", limits)) {
            t.process(block(76), (n, i, h) -> new byte[0], StateReader.EMPTY); // class loading, JIT warm-up
            long start = System.nanoTime();
            BlockOutput out = t.process(block(77), slowNode(latency, calls), StateReader.EMPTY);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the block took longer than blockTimeout")
                    .isGreaterThan(TIMEOUT.multipliedBy(3));
            assertThat(calls).hasValue(2);
            assertThat(ints(out.stateChanges().get(utf8("results")))).containsExactly(10, 10);
            assertThat(out.stateChanges().get(utf8("v1"))).asString().isEqualTo("balance=42");
        }
    }

    @ParameterizedTest(name = "interpreter={0}")
    @ValueSource(booleans = {false, true})
    void aFailingViewAbortsTheGuestAtThatCallInsteadOfReturningMinusOne(boolean interpreter) throws Exception {
        AtomicInteger calls = new AtomicInteger();
        IOException nodeDown = new IOException("connection refused");
        ViewSource failsThird = (name, input, height) -> {
            if (calls.incrementAndGet() == 3) {
                throw nodeDown;
            }
            return new byte[0];
        };
        try (Transform t = Fixtures.load("view_loop", TransformLimits.builder().useInterpreter(interpreter).build())) {
            assertThatThrownBy(() -> t.process(block(9), failsThird, StateReader.EMPTY))
                    .isInstanceOfSatisfying(TransformExecutionException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.VIEW_FAILED);
                        assertThat(e.getCause()).isSameAs(nodeDown);
                        assertThat(e.blockHeight()).hasValue(9);
                    })
                    .hasMessageContaining("view 'getbalance' failed: connection refused")
                    .hasMessageContaining("failed at block 9");
            assertThat(calls).as("the guest did not carry on after the failed view").hasValue(3);

            // a null result is a failure too, never -1
            calls.set(0);
            assertThatThrownBy(() -> t.process(block(10), (n, i, h) -> {
                calls.incrementAndGet();
                return null;
            }, StateReader.EMPTY))
                    .isInstanceOfSatisfying(TransformExecutionException.class,
                            e -> assertThat(e.kind()).isEqualTo(Kind.VIEW_FAILED))
                    .hasMessageContaining("view 'getbalance' returned no result");
            assertThat(calls).hasValue(1);
        }
    }

    @Test
    void noWorkerThreadOutlivesItsBlockOrItsTransform() throws Exception {
        String viewThreads = Worker.threadNamePrefix("view.wasm");
        String loopThreads = Worker.threadNamePrefix("loop.wasm");
        assertThat(workerThreads(viewThreads, 0)).isZero();
        AtomicInteger calls = new AtomicInteger();
        Transform t = Fixtures.load("view", TransformLimits.builder().blockTimeout(TIMEOUT).build());
        try {
            t.process(block(0), (n, i, h) -> new byte[0], StateReader.EMPTY); // class loading, JIT warm-up
            // node calls stuck (ignoring interrupts) for longer than the deadline: waited for, never abandoned
            t.process(block(1), slowNode(TIMEOUT.multipliedBy(2), calls), StateReader.EMPTY);
            assertThat(calls).hasValue(2);
            assertThat(workerThreads(viewThreads, 1)).as("one worker thread, the transform's own").isEqualTo(1);
            try (Transform loop = Fixtures.load("loop", TransformLimits.builder().blockTimeout(TIMEOUT).build())) {
                assertThat(loop.process(block(2), NO_VIEWS, StateReader.EMPTY).messages()).isEmpty();
                for (int i = 0; i < 2; i++) {
                    assertThatThrownBy(() -> loop.process(block(3), NO_VIEWS, StateReader.EMPTY))
                            .isInstanceOfSatisfying(TransformExecutionException.class,
                                    e -> assertThat(e.kind()).isEqualTo(Kind.TIMEOUT))
                            .hasMessageContaining("guest interrupted");
                    assertThat(workerThreads(loopThreads, 1)).isEqualTo(1);
                }
            }
            assertThat(workerThreads(loopThreads, 0)).as("stopped by close").isZero();
        } finally {
            t.close();
        }
        assertThat(workerThreads(viewThreads, 0)).as("stopped by close").isZero();
    }

    /** Live threads named {@code prefix*}, after waiting (bounded) for the count to become {@code expected}. */
    private static long workerThreads(String prefix, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            long n = Thread.getAllStackTraces().keySet().stream()
                    .filter(th -> th.isAlive() && th.getName().startsWith(prefix)).count();
            if (n == expected || System.nanoTime() - deadline > 0) {
                return n;
            }
            Thread.sleep(10);
        }
    }
}
