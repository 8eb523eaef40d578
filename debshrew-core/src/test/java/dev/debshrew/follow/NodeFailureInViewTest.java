package dev.debshrew.follow;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.Fault;
import dev.debshrew.journal.InMemoryChainStore;
import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.sink.file.FileSink;
import dev.debshrew.sink.file.FileSinkConfig;
import dev.debshrew.testing.Examples;
import dev.debshrew.testing.Pipeline;
import dev.debshrew.testing.TableFold;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Issue 9, items 3 and 4 through the whole follower (devnet + compiled txindex example + file
 * sink): node time inside a view never times a transform out, a failing view is a node failure
 * (backoff and redo, or a stop naming the view), and the guest never sees it as -1.
 */
class NodeFailureInViewTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String GUEST_SAW_FAILURE = "view getblock failed"; // txindex's stderr line on -1

    @TempDir
    Path dir;

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final List<Logger> loggers = List.of((Logger) LoggerFactory.getLogger(BlockFollower.class),
            (Logger) LoggerFactory.getLogger("dev.debshrew.transform.guest"));

    @BeforeEach
    void captureLogs() {
        logs.start();
        loggers.forEach(l -> l.addAppender(logs));
    }

    @AfterEach
    void releaseLogs() {
        loggers.forEach(l -> l.detachAppender(logs));
    }

    private static Transform txindex(Duration blockTimeout) throws Exception {
        return Transform.load(Examples.assemblyScript("txindex"),
                TransformLimits.builder().blockTimeout(blockTimeout).build());
    }

    /** A pipeline from height 0 to {@code out}, with a client that does {@code retries} retries of its own. */
    private static Pipeline pipeline(DevnetServer devnet, Transform t, Path out, int retries) {
        MetashrewClient client = MetashrewClient.builder(devnet.url()).readTimeout(Duration.ofSeconds(10))
                .maxRetries(retries).backoffInitial(Duration.ofMillis(5)).backoffMax(Duration.ofMillis(20)).build();
        return new Pipeline(devnet, client, t, new InMemoryChainStore(6), new FileSink(new FileSinkConfig(out, true,
                false)), 0L);
    }

    /** The devnet's chain processed without faults. */
    private List<CdcMessage> reference(DevnetServer devnet) throws Exception {
        devnet.clearFaults();
        Path ref = dir.resolve("reference.jsonl");
        try (Transform t = txindex(Duration.ofSeconds(30)); Pipeline p = pipeline(devnet, t, ref, 3)) {
            p.awaitCaughtUp(WAIT);
        }
        return TableFold.readFile(ref);
    }

    private List<String> lines(Level level, String containing) {
        return logs.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.contains(containing)).toList();
    }

    @Test
    void viewLatencyLongerThanTheBlockTimeoutStillProcessesEveryBlockCorrectly() throws Exception {
        Duration timeout = Duration.ofSeconds(1);
        Path out = dir.resolve("out.jsonl");
        try (DevnetServer devnet = DevnetServer.builder().seed(5).initialHeight(3).build().start(0)) {
            devnet.inject(Fault.latency(timeout.multipliedBy(3).dividedBy(2)).forMethod("metashrew_view")
                    .withProbability(1.0));
            try (Transform t = txindex(timeout); Pipeline p = pipeline(devnet, t, out, 3)) {
                p.awaitCaughtUp(WAIT);
                assertThat(p.failure()).isNull();
                assertThat(devnet.requests().stream().filter(r -> "metashrew_view".equals(r.method())
                        && r.params().contains("\"getblock\"")).count())
                        .as("one view per block, each answered after 1.5 x block_timeout_ms, none redone")
                        .isEqualTo(devnet.height() + 1);
                assertThat(liveThreads("debshrew-transform-txindex.wasm-")).as("one worker per block run at once")
                        .isLessThanOrEqualTo(EngineSettings.defaults().speculation());
            }
            assertThat(TableFold.readFile(out)).isNotEmpty().isEqualTo(reference(devnet));
        }
        assertThat(lines(Level.WARN, "TIMEOUT")).isEmpty();
    }

    @Test
    void aViewFailingNTimesThenSucceedingGetsTheBlockRedoneWithCorrectOutput() throws Exception {
        Path out = dir.resolve("out.jsonl");
        try (DevnetServer devnet = DevnetServer.builder().seed(6).initialHeight(4).build().start(0)) {
            devnet.inject(Fault.http500().forMethod("metashrew_view").times(3));
            try (Transform t = txindex(Duration.ofSeconds(30)); Pipeline p = pipeline(devnet, t, out, 0)) {
                p.awaitCaughtUp(WAIT);
                devnet.inject(Fault.dropConnection().forMethod("metashrew_view").times(2));
                devnet.mine(2);
                p.awaitCaughtUp(WAIT);
                assertThat(p.failure()).isNull();
            }
            assertThat(lines(Level.WARN, "metashrew call failed during block 0 (HTTP_STATUS)")).hasSize(3);
            // blocks 5 and 6 run side by side (speculation): the two dropped connections fail one or two attempts
            assertThat(lines(Level.WARN, "metashrew call failed during block 5 (TRANSPORT)")).hasSizeBetween(1, 2);
            assertThat(lines(Level.WARN, GUEST_SAW_FAILURE)).as("the guest never saw a failed view").isEmpty();
            assertThat(TableFold.readFile(out)).isNotEmpty().isEqualTo(reference(devnet));
        }
    }

    @Test
    void aViewFailureThatRetryingCannotFixStopsThePipelineNamingTheViewBlockAndCause() throws Exception {
        Path out = dir.resolve("out.jsonl");
        try (DevnetServer devnet = DevnetServer.builder().seed(7).initialHeight(4).build().start(0);
                Transform t = txindex(Duration.ofSeconds(30)); Pipeline p = pipeline(devnet, t, out, 3)) {
            p.awaitCaughtUp(WAIT);
            devnet.inject(Fault.rpcError().forMethod("metashrew_view").times(1));
            devnet.mine(1);
            p.awaitEnd(WAIT);
            assertThat(p.failure()).isInstanceOfSatisfying(PipelineException.class,
                    e -> assertThat(e.needsOperator()).isTrue())
                    .hasMessageContaining("view 'getblock' failed at the node on block 5 (" + devnet.blockHash(5) + ")")
                    .hasMessageContaining("RPC_ERROR")
                    .hasMessageContaining("devnet fault");
            assertThat(p.store().tip().orElseThrow().height()).as("nothing of block 5 committed").isEqualTo(4);
            assertThat(lines(Level.WARN, GUEST_SAW_FAILURE)).as("the guest never saw a failed view").isEmpty();
        }
    }

    private static long liveThreads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(th -> th.isAlive() && th.getName().startsWith(prefix)).count();
    }
}
