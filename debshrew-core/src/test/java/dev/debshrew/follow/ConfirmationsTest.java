package dev.debshrew.follow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.ReorgStyle;
import dev.debshrew.devnet.ReorgTiming;
import dev.debshrew.journal.ChainStore;
import dev.debshrew.journal.InMemoryChainStore;
import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.sink.file.FileSink;
import dev.debshrew.sink.file.FileSinkConfig;
import dev.debshrew.testing.Background;
import dev.debshrew.testing.Examples;
import dev.debshrew.testing.Pipeline;
import dev.debshrew.testing.TableFold;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code confirmations: 3} (a block is processed once the node's tip is at least 2 above it) with
 * the devnet, the compiled stateful example (txindex) and the file sink: reorgs shallower than 3
 * blocks write no inverse message at all, a deeper one is undone as without confirmations, and in
 * every case the output ends exactly as a run over the final canonical chain up to tip - 2.
 */
class ConfirmationsTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ReorgTiming FAST = new ReorgTiming(Duration.ofMillis(30), Duration.ofMillis(30),
            Duration.ofMillis(20));
    private static final int N = 3;

    @TempDir
    Path dir;

    private static Transform txindex;

    @BeforeAll
    static void loadTransform() throws Exception {
        txindex = Transform.load(Examples.assemblyScript("txindex"), TransformLimits.builder().build());
    }

    @AfterAll
    static void closeTransform() {
        txindex.close();
    }

    static Stream<Arguments> shallow() {
        return Stream.of(ReorgStyle.INSTANT, ReorgStyle.PHASED)
                .flatMap(style -> Stream.of(1, 2).map(d -> Arguments.of(d, style)));
    }

    private static FileSink fileSink(Path path) {
        return new FileSink(new FileSinkConfig(path, true, true));
    }

    private static FollowerSettings confirmed() {
        return Pipeline.fastSettings().withStartHeight(0L).withConfirmations(N);
    }

    @ParameterizedTest(name = "depth {0} {1}")
    @MethodSource("shallow")
    void reorgShallowerThanTheConfirmationsWritesNoInverseAndEndsExact(int depth, ReorgStyle style) throws Exception {
        Path out = dir.resolve("out.jsonl");
        try (DevnetServer devnet = DevnetServer.builder().seed(depth * 17L + style.ordinal()).initialHeight(8)
                .reorgTiming(FAST).build().start(0)) {
            try (Pipeline p = new Pipeline(devnet, txindex, new InMemoryChainStore(6), fileSink(out), confirmed())) {
                awaitConfirmedTip(devnet, p.store(), p.follower(), p::failure);
                devnet.mine(3);
                awaitConfirmedTip(devnet, p.store(), p.follower(), p::failure);
                long oldTip = devnet.height();
                devnet.reorg(depth, depth + 1, style).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                awaitConfirmedTip(devnet, p.store(), p.follower(), p::failure);
                devnet.mine(2);
                awaitConfirmedTip(devnet, p.store(), p.follower(), p::failure);
                assertThat(devnet.height()).isEqualTo(oldTip + 3);
            }
            List<CdcMessage> stream = TableFold.readFile(out);
            assertThat(stream).as("no inverse message for a reorg of %d < %d blocks", depth, N)
                    .noneMatch(m -> m.header().inverse());
            assertThat(stream).isEqualTo(canonical(devnet, devnet.height() - (N - 1)));
        }
    }

    @Test
    void reorgAsDeepAsTheConfirmationsOrDeeperIsUndoneAndEndsExact() throws Exception {
        Path out = dir.resolve("out.jsonl");
        try (DevnetServer devnet = DevnetServer.builder().seed(99).initialHeight(8).reorgTiming(FAST).build()
                .start(0)) {
            long oldTip;
            try (Pipeline p = new Pipeline(devnet, txindex, new InMemoryChainStore(6), fileSink(out), confirmed())) {
                devnet.mine(3);
                awaitConfirmedTip(devnet, p.store(), p.follower(), p::failure);
                oldTip = devnet.height();
                devnet.reorg(4, 5, ReorgStyle.INSTANT).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                awaitConfirmedTip(devnet, p.store(), p.follower(), p::failure);
            }
            List<CdcMessage> stream = TableFold.readFile(out);
            List<CdcMessage> inverse = stream.stream().filter(m -> m.header().inverse()).toList();
            // blocks oldTip-3 and oldTip-2 were processed and orphaned (oldTip-1 and oldTip never were)
            assertThat(inverse).isNotEmpty();
            assertThat(inverse).allSatisfy(m -> assertThat(m.header().blockHeight())
                    .isBetween(oldTip - 4, oldTip - 3)); // an inverse carries the height returned to
            assertThat(inverse.get(0).header().blockHeight()).isEqualTo(oldTip - 3);
            assertThat(inverse.get(inverse.size() - 1).header().blockHeight()).isEqualTo(oldTip - 4);

            TableFold actual = TableFold.ofFile(out);
            TableFold expected = new TableFold();
            canonical(devnet, devnet.height() - (N - 1)).forEach(expected::apply);
            assertThat(expected.rows("transactions")).isGreaterThan(10);
            assertThat(actual.tables()).isEqualTo(expected.tables());
        }
    }

    @Test
    void liveFollowingWaitsUntilABlockIsConfirmed() throws Exception {
        Path out = dir.resolve("out.jsonl");
        try (DevnetServer devnet = DevnetServer.builder().seed(5).initialHeight(8).build().start(0);
                MetashrewClient client = MetashrewClient.builder(devnet.url()).build()) {
            AtomicLong polls = new AtomicLong();
            FollowerListener counting = new FollowerListener() {
                @Override
                public void nodeHeight(long height) {
                    polls.incrementAndGet();
                }
            };
            ChainStore store = new InMemoryChainStore(6);
            FileSink sink = fileSink(out);
            BlockFollower follower = new BlockFollower(client, txindex, store, List.of(sink), confirmed(), counting);
            Background run = Background.start("confirmations-follower", follower::run);
            try {
                awaitConfirmedTip(devnet, store, follower, run::failure);
                assertThat(store.tip().orElseThrow().height()).isEqualTo(6);
                for (int mined = 1; mined <= 3; mined++) {
                    devnet.mine(1); // tip 8 + mined: block 6 + mined becomes confirmed, the two above it wait
                    awaitConfirmedTip(devnet, store, follower, run::failure);
                    // two more polls: the second starts only after the first one's step ended
                    long seen = polls.get();
                    awaitPolls(polls, seen + 2, run::failure);
                    assertThat(follower.nodeTip()).isEqualTo(8 + mined);
                    long confirmedTip = 6 + mined;
                    assertThat(store.tip().orElseThrow().height()).isEqualTo(confirmedTip);
                    assertThat(TableFold.readFile(out)).allSatisfy(
                            m -> assertThat(m.header().blockHeight()).isLessThanOrEqualTo(confirmedTip));
                }
            } finally {
                follower.stop();
                run.join(Duration.ofSeconds(30));
                sink.close();
                store.close();
            }
            assertThat(run.failure()).isNull();
            assertThat(TableFold.readFile(out)).isEqualTo(canonical(devnet, 9));
        }
    }

    /** The messages of a run without confirmations over the devnet's current chain, blocks 0..{@code upTo}. */
    private List<CdcMessage> canonical(DevnetServer devnet, long upTo) throws Exception {
        Path ref = dir.resolve("reference-" + System.nanoTime() + ".jsonl");
        try (Pipeline p = new Pipeline(devnet, txindex, new InMemoryChainStore(6), fileSink(ref), 0L)) {
            p.awaitCaughtUp(WAIT);
        }
        List<CdcMessage> all = TableFold.readFile(ref);
        assertThat(all).noneMatch(m -> m.header().inverse());
        return all.stream().filter(m -> m.header().blockHeight() <= upTo).toList();
    }

    /** Waits until the follower processed the block {@code N - 1} below the devnet's tip, on the devnet's chain. */
    private static void awaitConfirmedTip(DevnetServer devnet, ChainStore store, BlockFollower follower,
            java.util.function.Supplier<Throwable> failure) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (failure.get() != null) {
                throw new AssertionError("follower failed", failure.get());
            }
            long confirmed = devnet.height() - (N - 1);
            var t = store.tip();
            if (devnet.reorgPhase() == dev.debshrew.devnet.ReorgPhase.DONE && t.isPresent()
                    && t.get().height() == confirmed && t.get().hash().equals(devnet.blockHash(confirmed))
                    && follower.nextHeight() == confirmed + 1) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("follower did not reach the confirmed tip " + (devnet.height() - (N - 1))
                + " within " + WAIT + "; store tip " + store.tip().map(e -> e.height() + ":" + e.hash()).orElse("none"));
    }

    private static void awaitPolls(AtomicLong polls, long atLeast, java.util.function.Supplier<Throwable> failure)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (polls.get() < atLeast && System.nanoTime() < deadline) {
            if (failure.get() != null) {
                throw new AssertionError("follower failed", failure.get());
            }
            Thread.sleep(10);
        }
        assertThat(polls.get()).as("follower polls").isGreaterThanOrEqualTo(atLeast);
    }
}
