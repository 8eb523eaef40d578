package dev.debshrew.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.Fault;
import dev.debshrew.devnet.ReorgStyle;
import dev.debshrew.devnet.ReorgTiming;
import dev.debshrew.follow.DeepReorgException;
import dev.debshrew.follow.EngineSettings;
import dev.debshrew.follow.FollowerSettings;
import dev.debshrew.journal.InMemoryChainStore;
import dev.debshrew.journal.RocksChainStore;
import dev.debshrew.sink.file.FileSink;
import dev.debshrew.sink.file.FileSinkConfig;
import dev.debshrew.testing.Examples;
import dev.debshrew.testing.Pipeline;
import dev.debshrew.testing.TableFold;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reorg matrix (reliability suite): the follower (stateful txindex example, durable RocksDB
 * store with a window of {@value #WINDOW}, catch-up groups of 5 blocks, speculation 4) with the
 * file sink through every kind of reorg, phased and instant; each case ends with the output equal
 * to a run over the final chain only (counted lost / duplicated), or for a reorg one block deeper
 * than the window with the follower stopped by the deep-reorg error and the output untouched.
 * The same cases with the daemon as a process and kills are in the crash matrix
 * ({@code CrashMatrixTest}); ChainLinkageTest, ReorgIntegrationTest and ReorgWhileDownTest cover
 * them with other examples and checks.
 */
@ReliabilitySuite
class ReorgMatrixTest {

    static final int WINDOW = 6;
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ReorgTiming FAST = new ReorgTiming(Duration.ofMillis(30), Duration.ofMillis(30),
            Duration.ofMillis(20));
    private static Transform txindex;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws Exception {
        txindex = Transform.load(Examples.assemblyScript("txindex"), TransformLimits.defaults());
    }

    @AfterAll
    static void close() {
        if (txindex != null) {
            txindex.close();
        }
    }

    static Stream<Arguments> cases() {
        Stream<String> named = Stream.of("flip-flop A->B->A", "equal-height branches", "during catch-up",
                "at a group boundary", "while down");
        Stream<String> depths = Stream.iterate(1, d -> d <= WINDOW + 1, d -> d + 1).map(d -> "depth " + d);
        // the devnet's branch switch between two of our calls is instant by nature: before a hash or a view call
        Stream<Arguments> betweenCalls = Stream.of("getblockhash", "view")
                .map(m -> Arguments.of("between two calls: " + m, ReorgStyle.INSTANT));
        Stream<Arguments> all = Stream.concat(Stream.concat(depths, named)
                .flatMap(c -> Stream.of(Arguments.of(c, ReorgStyle.INSTANT), Arguments.of(c, ReorgStyle.PHASED))),
                betweenCalls);
        // the quick run: one past the window (instant), a phased flip-flop, a branch switch between two calls
        List<String> quick = List.of("depth " + (WINDOW + 1) + " INSTANT", "flip-flop A->B->A PHASED",
                "between two calls: getblockhash INSTANT");
        return Reliability.full() ? all : all.filter(a -> quick.contains(a.get()[0] + " " + a.get()[1]));
    }

    private static FollowerSettings settings() {
        return Pipeline.fastSettings().withStartHeight(0L).withEngine(
                new EngineSettings(false, 16, 64, 4, 5, 50_000, 64L << 20, Duration.ofSeconds(1)));
    }

    private Pipeline pipeline(DevnetServer devnet, Path out) {
        return new Pipeline(devnet, txindex, RocksChainStore.open(dir.resolve("data"), WINDOW),
                new FileSink(new FileSinkConfig(out, true, true)), settings());
    }

    private static void await(CompletableFuture<Void> reorg) throws Exception {
        reorg.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void everyReorgEndsExact(String kind, ReorgStyle style) throws Exception {
        long seed = Reliability.seed() + kind.hashCode() * 31L + style.ordinal();
        Reliability.run("reorg: " + kind + " " + style.name().toLowerCase(java.util.Locale.ROOT), "file", seed,
                report -> {
                    int initial = kind.equals("during catch-up") || kind.equals("at a group boundary") ? 40 : 20;
                    try (DevnetServer devnet = DevnetServer.builder().seed(seed).initialHeight(initial)
                            .reorgTiming(FAST).build().start(0)) {
                        Path out = dir.resolve("out.jsonl");
                        if (kind.startsWith("depth ")) {
                            depth(devnet, out, Integer.parseInt(kind.substring(6)), style, report);
                        } else {
                            named(devnet, out, kind, style, report);
                            report.compareStream("file", reference(devnet), TableFold.readFile(out));
                        }
                    }
                });
    }

    private void depth(DevnetServer devnet, Path out, int depth, ReorgStyle style, Report report) throws Exception {
        if (depth > WINDOW) {
            try (Pipeline p = pipeline(devnet, out)) {
                p.awaitCaughtUp(WAIT);
                List<CdcMessage> before = reference(devnet);
                await(devnet.reorg(depth, depth + 1, style));
                report.reorg();
                p.awaitEnd(WAIT);
                assertThat(p.failure()).isInstanceOf(DeepReorgException.class)
                        .hasMessageContaining("deeper than the reorg window of " + WINDOW + " blocks");
                // no downstream damage: the output is still exactly the old chain's
                report.compareStream("file (old chain)", before, TableFold.readFile(out));
            }
            return;
        }
        try (Pipeline p = pipeline(devnet, out)) {
            p.awaitCaughtUp(WAIT);
            devnet.mine(3);
            p.awaitCaughtUp(WAIT);
            await(devnet.reorg(depth, depth + 1, style));
            report.reorg();
            p.awaitCaughtUp(WAIT);
            devnet.mine(2);
            p.awaitCaughtUp(WAIT);
        }
        List<CdcMessage> delivered = TableFold.readFile(out);
        assertThat(delivered).as("inverse messages of the %d orphaned blocks", depth)
                .anyMatch(m -> m.header().inverse());
        report.compareStream("file", reference(devnet), delivered);
    }

    private void named(DevnetServer devnet, Path out, String kind, ReorgStyle style, Report report)
            throws Exception {
        try (Pipeline p = pipeline(devnet, out)) {
            switch (kind) {
                case "flip-flop A->B->A" -> {
                    p.awaitCaughtUp(WAIT);
                    int a = devnet.branch();
                    String aTip = devnet.blockHash(devnet.height());
                    await(devnet.reorg(3, 3, style));
                    p.awaitCaughtUp(WAIT);
                    await(devnet.reorgTo(a, style));
                    report.reorg();
                    report.reorg();
                    p.awaitCaughtUp(WAIT);
                    assertThat(devnet.blockHash(devnet.height() - 1)).as("back on branch A").isEqualTo(aTip);
                }
                case "equal-height branches" -> {
                    p.awaitCaughtUp(WAIT);
                    long h = devnet.height();
                    for (int i = 0; i < 3; i++) {
                        await(devnet.reorg(2, 2, style));
                        report.reorg();
                        p.awaitCaughtUp(WAIT);
                    }
                    assertThat(devnet.height()).isEqualTo(h);
                }
                case "during catch-up" -> {
                    // slow node calls keep the follower catching up while the reorg happens
                    devnet.setLatency(Duration.ofMillis(3));
                    awaitStoreTip(p, 25);
                    await(devnet.reorg(4, 5, style));
                    report.reorg();
                    devnet.setLatency(Duration.ZERO);
                    p.awaitCaughtUp(WAIT);
                }
                case "at a group boundary" -> {
                    // blocks up to 34 were final at start (committed in groups of 5), 35..40 one by one
                    p.awaitCaughtUp(WAIT);
                    await(devnet.reorg(WINDOW, WINDOW + 1, style));
                    report.reorg();
                    p.awaitCaughtUp(WAIT);
                }
                case "while down" -> {
                    p.awaitCaughtUp(WAIT);
                }
                case "between two calls: getblockhash", "between two calls: view" -> {
                    p.awaitCaughtUp(WAIT);
                    // the node switches branch right before answering our first such call about block 21
                    String method = "metashrew_" + kind.substring(kind.lastIndexOf(' ') + 1);
                    devnet.inject(Fault.reorg(3, 4).forMethod(method).atHeight(devnet.height() + 1));
                    devnet.mine(1);
                    report.reorg();
                    p.awaitCaughtUp(WAIT);
                    assertThat(devnet.activeFaults()).as("the reorg fault fired").isEmpty();
                }
                default -> throw new IllegalArgumentException(kind);
            }
        }
        if (kind.equals("while down")) {
            await(devnet.reorg(4, 6, style));
            report.reorg();
            try (Pipeline p = pipeline(devnet, out)) {
                p.awaitCaughtUp(WAIT);
            }
        }
    }

    private static void awaitStoreTip(Pipeline p, long height) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (p.store().tip().map(e -> e.height()).orElse(-1L) < height) {
            assertThat(System.nanoTime()).as("store tip %d within %s", height, WAIT).isLessThan(deadline);
            assertThat(p.failure()).isNull();
            Thread.sleep(5);
        }
    }

    /** The messages of a run over the devnet's current chain only. */
    private List<CdcMessage> reference(DevnetServer devnet) throws Exception {
        Path ref = Files.createTempFile(dir, "reference-", ".jsonl");
        Files.delete(ref);
        try (Pipeline p = new Pipeline(devnet, txindex, new InMemoryChainStore(WINDOW),
                new FileSink(new FileSinkConfig(ref, true, false)), 0L)) {
            p.awaitCaughtUp(WAIT);
        }
        List<CdcMessage> out = TableFold.readFile(ref);
        assertThat(out).as("the reference run").isNotEmpty().noneMatch(m -> m.header().inverse());
        return out;
    }
}
