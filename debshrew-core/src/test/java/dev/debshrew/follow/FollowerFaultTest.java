package dev.debshrew.follow;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.debshrew.admin.Health;
import dev.debshrew.cdc.CdcHeader;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.Fault;
import dev.debshrew.devnet.ReorgStyle;
import dev.debshrew.devnet.ReorgTiming;
import dev.debshrew.journal.InMemoryChainStore;
import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.metrics.DebshrewMetrics;
import dev.debshrew.sink.file.FileSink;
import dev.debshrew.sink.file.FileSinkConfig;
import dev.debshrew.testing.Background;
import dev.debshrew.testing.Examples;
import dev.debshrew.testing.Pipeline;
import dev.debshrew.testing.TableFold;
import dev.debshrew.testing.TcpProxy;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Node faults seen by the whole follower (devnet + compiled txindex example + file sink), the
 * acceptance of "transient faults are retried and the final output is exactly right; a node that
 * stays down produces backoff with clear log lines and no crash, no skipped block, and the daemon
 * continues when the node returns".
 */
class FollowerFaultTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ReorgTiming FAST = new ReorgTiming(Duration.ofMillis(30), Duration.ofMillis(30),
            Duration.ofMillis(20));
    private static final Pattern RETRY = Pattern.compile(
            "metashrew call failed during block (\\d+) \\((\\w+)\\): .*; retrying in (\\d+) ms");

    @TempDir
    Path dir;

    private static Transform txindex;
    private ListAppender<ILoggingEvent> followerLog;

    @BeforeAll
    static void loadTransform() throws Exception {
        txindex = Transform.load(Examples.assemblyScript("txindex"), TransformLimits.builder().build());
    }

    @AfterAll
    static void closeTransform() {
        txindex.close();
    }

    @BeforeEach
    void captureLogs() {
        followerLog = new ListAppender<>();
        followerLog.start();
        Logger l = (Logger) LoggerFactory.getLogger(BlockFollower.class);
        l.addAppender(followerLog);
    }

    @AfterEach
    void releaseLogs() {
        ((Logger) LoggerFactory.getLogger(BlockFollower.class)).detachAppender(followerLog);
    }

    /** A follower on its own thread with a short-timeout, fast-retry client and metrics. */
    private static final class Run implements AutoCloseable {
        final DevnetServer devnet;
        final DebshrewMetrics metrics = new DebshrewMetrics(false, System::nanoTime);
        final MetashrewClient client;
        final InMemoryChainStore store = new InMemoryChainStore(6);
        final FileSink sink;
        final BlockFollower follower;
        final Background run;

        Run(DevnetServer devnet, String url, Path out) {
            this(devnet, url, out, 3);
        }

        /** @param clientRetries retries of one call inside the client before the follower sees the failure */
        Run(DevnetServer devnet, String url, Path out, int clientRetries) {
            this.devnet = devnet;
            this.client = MetashrewClient.builder(url).readTimeout(Duration.ofMillis(400))
                    .connectTimeout(Duration.ofMillis(400)).maxRetries(clientRetries).backoffInitial(Duration.ofMillis(5))
                    .backoffMax(Duration.ofMillis(50)).listener(metrics).build();
            this.sink = new FileSink(new FileSinkConfig(out, true, false));
            FollowerSettings settings = FollowerSettings.defaults().withStartHeight(0L)
                    .withPollInterval(Duration.ofMillis(20)).withRetry(Duration.ofMillis(50), Duration.ofMillis(800));
            this.follower = new BlockFollower(client, txindex, store, List.of(sink), settings, metrics);
            metrics.bind(follower);
            this.run = Background.start("fault-test-follower", () -> {
                metrics.followerStarted();
                Throwable t = null;
                try {
                    follower.run();
                } catch (Throwable e) {
                    t = e;
                    throw e;
                } finally {
                    metrics.followerStopped(t);
                }
            });
        }

        void awaitCaughtUp() throws InterruptedException {
            Pipeline.awaitCaughtUp(devnet, store, follower, run::failure, WAIT);
        }

        double count(String name, String... tags) {
            var search = metrics.registry().find(name).tags(tags);
            return search.counters().stream().mapToDouble(c -> c.count()).sum();
        }

        @Override
        public void close() throws InterruptedException {
            follower.stop();
            run.awaitEnd(Duration.ofSeconds(30));
            sink.close();
            store.close();
            client.close();
            metrics.close();
        }
    }

    /** The follower's WARN lines so far (the appender adds under its own lock). */
    private List<String> warnings() {
        synchronized (followerLog) {
            return followerLog.list.stream().filter(e -> e.getLevel() == Level.WARN)
                    .map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    /**
     * Waits (bounded) until the follower logged {@code count} retry warnings and the node's last
     * successful call is more than {@code stale} ago.
     */
    private void awaitOutage(Run run, int count, Duration stale) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (warnings().stream().filter(w -> RETRY.matcher(w).find()).count() < count
                || (run.metrics.sinceLastNodeSuccess() != null
                        && run.metrics.sinceLastNodeSuccess().compareTo(stale) <= 0)) {
            assertThat(run.run.failure()).as("follower failure").isNull();
            assertThat(System.nanoTime()).as("%d retry warnings within %s: %s", count, WAIT, warnings())
                    .isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** Waits (bounded) until the node answered {@code count} more height calls. */
    private static void awaitHeightCalls(DevnetServer devnet, Run run, int count) throws InterruptedException {
        long target = devnet.requestCount("metashrew_height") + count;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (devnet.requestCount("metashrew_height") < target) {
            assertThat(run.run.failure()).as("follower failure").isNull();
            assertThat(System.nanoTime()).as("%d height calls within %s", count, WAIT).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** The file's messages with the wall-clock timestamps of inverse messages zeroed. */
    private static List<CdcMessage> normalised(Path file) throws Exception {
        return TableFold.readFile(file).stream().map(m -> m.header().inverse()
                ? new CdcMessage(new CdcHeader(m.header().source(), 0, m.header().blockHeight(), m.header().blockHash(),
                        m.header().transactionId(), true), m.payload())
                : m).toList();
    }

    /** The same script as the faulted run: catch up, mine 3, phased reorg of depth 3, mine 2. */
    private static void script(DevnetServer devnet, Run run) throws Exception {
        run.awaitCaughtUp();
        devnet.mine(3);
        run.awaitCaughtUp();
        devnet.reorg(3, 4, ReorgStyle.PHASED).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        run.awaitCaughtUp();
        devnet.mine(2);
        run.awaitCaughtUp();
    }

    private static void injectTransientFaults(DevnetServer devnet) {
        devnet.inject(Fault.http500().withProbability(0.06));
        devnet.inject(Fault.malformedJson().withProbability(0.04));
        devnet.inject(Fault.dropConnection().withProbability(0.04));
        devnet.inject(Fault.timeout(Duration.ofMillis(700)).withProbability(0.02));
        devnet.inject(Fault.latency(Duration.ofMillis(15)).withProbability(0.1));
    }

    @Test
    void transientFaultsOnEveryMethodThroughCatchUpAndAReorgLeaveTheOutputExactlyRight() throws Exception {
        Path faulted = dir.resolve("faulted.jsonl");
        Path clean = dir.resolve("clean.jsonl");
        long seed = 7;
        String finalTipHash;
        double retries;
        try (DevnetServer devnet = DevnetServer.builder().seed(seed).initialHeight(25).reorgTiming(FAST).build()
                .start(0)) {
            injectTransientFaults(devnet); // active from the first request (version probes) on
            // one client retry only: some calls fail through to the follower, which backs off and redoes
            try (Run run = new Run(devnet, devnet.url(), faulted, 1)) {
                script(devnet, run);
                assertThat(run.count("debshrew.node.errors")).as("failures that reached the follower").isPositive();
                assertThat(run.count("debshrew.reorgs")).isEqualTo(1);
                retries = run.count("debshrew.metashrew.retries");
                for (String kind : List.of("http_status", "malformed_response", "transport", "timeout")) {
                    assertThat(run.count("debshrew.metashrew.retries", "kind", kind)).as("retries of kind %s", kind)
                            .isPositive();
                }
                assertThat(run.count("debshrew.blocks.processed")).isEqualTo(devnet.height() + 1 + 3);
            }
            devnet.clearFaults();
            finalTipHash = devnet.blockHash(devnet.height());

            // the canonical chain only, from scratch, without faults
            Path canonical = dir.resolve("canonical.jsonl");
            try (Run run = new Run(devnet, devnet.url(), canonical)) {
                run.awaitCaughtUp();
            }
            assertThat(TableFold.ofFile(faulted).tables()).isEqualTo(TableFold.ofFile(canonical).tables());
        }
        // every kind was retried (checked above); the total depends on how many calls the engine makes,
        // which the pipelined engine keeps low, so it is not held to a fixed count
        assertThat(retries).as("faults were injected and retried").isGreaterThanOrEqualTo(4);

        // a clean run of the same script on an identical devnet
        try (DevnetServer devnet = DevnetServer.builder().seed(seed).initialHeight(25).reorgTiming(FAST).build()
                .start(0); Run run = new Run(devnet, devnet.url(), clean)) {
            script(devnet, run);
            assertThat(devnet.blockHash(devnet.height())).isEqualTo(finalTipHash);
        }
        List<CdcMessage> f = normalised(faulted);
        List<CdcMessage> c = normalised(clean);
        assertThat(f.stream().filter(m -> !m.header().inverse()).toList())
                .isEqualTo(c.stream().filter(m -> !m.header().inverse()).toList());
        assertThat(f).as("inverse messages included, in order").isEqualTo(c);
        assertThat(f).anyMatch(m -> m.header().inverse());
    }

    @Test
    void aNodeFailingOftenWithoutClientRetriesStillLetsCatchUpThroughInSmallerBatches() throws Exception {
        // one call in ten fails and the client does not retry: a 64-block batch (about 130 calls
        // before its chain check) would almost never get through whole; the follower halves its
        // batch after each failure, so it keeps making progress
        Path faulted = dir.resolve("often.jsonl");
        Path canonical = dir.resolve("often-canonical.jsonl");
        try (DevnetServer devnet = DevnetServer.builder().seed(11).initialHeight(80).build().start(0)) {
            devnet.inject(Fault.http500().withProbability(0.1));
            try (Run run = new Run(devnet, devnet.url(), faulted, 0)) {
                run.awaitCaughtUp();
                assertThat(run.count("debshrew.node.errors")).as("failures that reached the follower").isPositive();
            }
            devnet.clearFaults();
            try (Run run = new Run(devnet, devnet.url(), canonical)) {
                run.awaitCaughtUp();
            }
        }
        assertThat(normalised(faulted)).as("every block exactly once, in order").isEqualTo(normalised(canonical));
    }

    @Test
    void aNodeThatStaysDownIsWaitedForWithGrowingBackoffAndNoBlockIsSkipped() throws Exception {
        Path out = dir.resolve("out.jsonl");
        try (DevnetServer devnet = DevnetServer.builder().seed(3).initialHeight(10).build().start(0);
                TcpProxy proxy = new TcpProxy(devnet.port()).start(0)) {
            long nextAtOutage;
            try (Run run = new Run(devnet, proxy.url(), out)) {
                run.awaitCaughtUp();
                assertThat(Health.liveness(run.metrics, Duration.ofSeconds(120)).healthy()).isTrue();
                nextAtOutage = run.follower.nextHeight();
                int proxyPort = proxy.port();

                proxy.stop(); // connections closed, new ones refused
                followerLog.list.clear();
                devnet.mine(4); // the chain moves on while the node is unreachable
                // 50, 100, 200, 400 ms, ...: the fifth wait is capped at 800; readiness below counts the node
                // stale after 2 s without a successful call
                awaitOutage(run, 5, Duration.ofSeconds(2));
                assertThat(run.run.isAlive()).as("follower alive while the node is down").isTrue();
                assertThat(run.run.failure()).isNull();
                assertThat(run.follower.nextHeight()).as("nothing processed while down").isEqualTo(nextAtOutage);
                assertThat(run.count("debshrew.node.errors", "kind", "transport")).isGreaterThanOrEqualTo(4);
                Health h = Health.readiness(run.metrics, run.follower.sinkPositions(), 3, Duration.ofSeconds(2),
                        Duration.ofSeconds(120));
                assertThat(h.healthy()).isFalse();
                assertThat(h.reason()).contains("node: no successful metashrew call").contains("TRANSPORT");
                assertThat(Health.liveness(run.metrics, Duration.ofSeconds(120)).healthy())
                        .as("liveness does not depend on the node").isTrue();

                // WARN lines: each names the block waited for and the cause, with growing waits
                List<String> warns = warnings();
                List<Matcher> retries = warns.stream().map(RETRY::matcher).filter(Matcher::find).toList();
                assertThat(retries).as("follower WARN lines: %s", warns).hasSizeGreaterThanOrEqualTo(5);
                for (Matcher m : retries) {
                    assertThat(Long.parseLong(m.group(1))).isEqualTo(nextAtOutage);
                    assertThat(m.group(2)).isEqualTo("TRANSPORT");
                }
                List<Long> waits = retries.stream().map(m -> Long.parseLong(m.group(3))).toList();
                assertThat(waits.get(0)).as("first wait: retry_initial 50 ms ± 25%% jitter").isBetween(37L, 63L);
                assertThat(waits.subList(0, 4)).as("doubling backoff with jitter: %s", waits).isSorted();
                assertThat(waits.stream().mapToLong(Long::longValue).max().orElseThrow()).isGreaterThanOrEqualTo(400);
                assertThat(waits).allMatch(w -> w <= 800);

                proxy.start(proxyPort); // the node is back, same address
                run.awaitCaughtUp();
                assertThat(Health.readiness(run.metrics, run.follower.sinkPositions(), 3, Duration.ofSeconds(2),
                        Duration.ofSeconds(120)).healthy()).isTrue();
            }

            // every block exactly once, identical to an uninterrupted run over the same chain
            List<CdcMessage> messages = TableFold.readFile(out);
            assertThat(messages).noneMatch(m -> m.header().inverse());
            assertThat(new TreeSet<>(messages.stream().map(m -> m.header().blockHeight()).toList()))
                    .containsExactlyElementsOf(LongStream.rangeClosed(0, devnet.height()).boxed().toList());
            Path ref = dir.resolve("ref.jsonl");
            try (Run run = new Run(devnet, devnet.url(), ref)) {
                run.awaitCaughtUp();
            }
            assertThat(messages).isEqualTo(TableFold.readFile(ref));
        }
    }

    @Test
    void aHeightThatGoesBackwardsForAWhileCausesNoReorg() throws Exception {
        Path out = dir.resolve("out.jsonl");
        try (DevnetServer devnet = DevnetServer.builder().seed(11).initialHeight(12).build().start(0)) {
            try (Run run = new Run(devnet, devnet.url(), out)) {
                run.awaitCaughtUp();
                followerLog.list.clear();
                devnet.inject(Fault.heightBackwards(2).withProbability(0.4));
                devnet.inject(Fault.heightBackwards(9).times(3)); // below the reorg window
                for (int i = 0; i < 6; i++) {
                    devnet.mine(1);
                    awaitHeightCalls(devnet, run, 3); // the follower polled the node a few times at this height
                }
                devnet.clearFaults();
                run.awaitCaughtUp();
                assertThat(run.count("debshrew.reorgs")).isZero();
                assertThat(run.run.failure()).isNull();
            }
            List<String> lines = followerLog.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
            assertThat(lines).as("the follower saw the height drop").anyMatch(l -> l.contains("dropped below our tip")
                    || l.contains("below the reorg window") || l.contains("changed while it was processed"));
            assertThat(lines).noneMatch(l -> l.contains("chain reorganisation"));

            List<CdcMessage> messages = TableFold.readFile(out);
            assertThat(messages).noneMatch(m -> m.header().inverse());
            Path ref = dir.resolve("ref.jsonl");
            try (Run run = new Run(devnet, devnet.url(), ref)) {
                run.awaitCaughtUp();
            }
            assertThat(messages).isEqualTo(TableFold.readFile(ref));
        }
    }
}
