package dev.debshrew.follow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcHeader;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.ReorgStyle;
import dev.debshrew.journal.ChainStore;
import dev.debshrew.journal.RocksChainStore;
import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.sink.file.FileSink;
import dev.debshrew.sink.file.FileSinkConfig;
import dev.debshrew.testing.Background;
import dev.debshrew.testing.Examples;
import dev.debshrew.testing.Pipeline;
import dev.debshrew.testing.TableFold;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipelined engine against the strictly sequential one: speculation, prefetching and group
 * commits never change the output, and catch-up really commits final blocks in groups while the
 * blocks of the reorg window are committed one by one.
 */
class EngineTest {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void speculativeAndSequentialRunsGiveByteIdenticalOutputThroughReorgs() throws Exception {
        Run sequential = run(EngineSettings.sequentialEngine(), dir.resolve("seq"));
        Run speculative = run(new EngineSettings(false, 16, 16, 8, 1000, 50_000, 64L << 20, Duration.ofSeconds(60)),
                dir.resolve("spec"));
        assertThat(sequential.lines).hasSizeGreaterThan(200);
        assertThat(speculative.lines).as("the same bytes, message by message (undo timestamps zeroed)")
                .containsExactlyElementsOf(sequential.lines);
        assertThat(speculative.reruns).as("txindex's blocks read balances earlier blocks wrote: speculation had"
                + " conflicts to detect and re-run").isPositive();
        assertThat(sequential.reruns).isZero();
    }

    @Test
    void catchUpCommitsFinalBlocksAsOneGroupAndTheWindowBlockByBlock() throws Exception {
        List<long[]> commits = Collections.synchronizedList(new ArrayList<>());
        FollowerListener ranges = new FollowerListener() {
            @Override
            public void afterSinkCommit(long first, long last) {
                commits.add(new long[] {first, last});
            }
        };
        EngineSettings engine = new EngineSettings(false, 8, 32, 4, 1000, 50_000, 64L << 20, Duration.ofSeconds(60));
        try (Transform t = Transform.load(Examples.assemblyScript("txindex"), TransformLimits.defaults());
                DevnetServer devnet = DevnetServer.builder().seed(3).initialHeight(99).build().start(0);
                ChainStore store = RocksChainStore.open(dir.resolve("state"), 6);
                FileSink sink = new FileSink(new FileSinkConfig(dir.resolve("out.jsonl"), true, true));
                MetashrewClient client = MetashrewClient.builder(devnet.url()).build()) {
            Running r = start(client, t, store, sink, engine, ranges);
            Pipeline.awaitCaughtUp(devnet, store, r.follower, r.run::failure, WAIT);
            r.stop();
        }
        // heights 0..99, window 6: 0..93 are final (one group: no bound is reached), 94..99 one commit each
        assertThat(commits).extracting(c -> c[0] + ".." + c[1])
                .containsExactly("0..93", "94..94", "95..95", "96..96", "97..97", "98..98", "99..99");
    }

    private record Run(List<String> lines, long reruns) {
    }

    /** Same seed, same steps: catch-up over 60 blocks, two reorgs (depth 2 and 4), more blocks. */
    private Run run(EngineSettings engine, Path d) throws Exception {
        Files.createDirectories(d);
        Path out = d.resolve("out.jsonl");
        long reruns;
        try (Transform t = Transform.load(Examples.assemblyScript("txindex"), TransformLimits.defaults());
                DevnetServer devnet = DevnetServer.builder().seed(42).initialHeight(60).build().start(0);
                ChainStore store = RocksChainStore.open(d.resolve("state"), 6);
                FileSink sink = new FileSink(new FileSinkConfig(out, true, true));
                MetashrewClient client = MetashrewClient.builder(devnet.url()).build()) {
            Running r = start(client, t, store, sink, engine, FollowerListener.NONE);
            Pipeline.awaitCaughtUp(devnet, store, r.follower, r.run::failure, WAIT);
            devnet.reorg(2, 3, ReorgStyle.INSTANT).get(30, TimeUnit.SECONDS);
            Pipeline.awaitCaughtUp(devnet, store, r.follower, r.run::failure, WAIT);
            devnet.mine(20);
            Pipeline.awaitCaughtUp(devnet, store, r.follower, r.run::failure, WAIT);
            devnet.reorg(4, 4, ReorgStyle.INSTANT).get(30, TimeUnit.SECONDS);
            Pipeline.awaitCaughtUp(devnet, store, r.follower, r.run::failure, WAIT);
            reruns = r.follower.speculativeReruns();
            r.stop();
        }
        CdcCodec codec = new CdcCodec();
        List<String> lines = TableFold.readFile(out).stream().map(m -> m.header().inverse()
                ? new CdcMessage(new CdcHeader(m.header().source(), 0, m.header().blockHeight(), m.header().blockHash(),
                        m.header().transactionId(), true), m.payload())
                : m).map(codec::encode).toList();
        return new Run(lines, reruns);
    }

    private record Running(BlockFollower follower, Background run) {
        void stop() throws InterruptedException {
            follower.stop();
            run.awaitEnd(WAIT);
            assertThat(run.failure()).isNull();
        }
    }

    private static Running start(MetashrewClient client, Transform t, ChainStore store, FileSink sink,
            EngineSettings engine, FollowerListener listener) {
        BlockFollower f = new BlockFollower(client, t, store, List.of(sink),
                Pipeline.fastSettings().withStartHeight(0L).withEngine(engine), listener);
        return new Running(f, Background.start("engine-test-follower", f::run));
    }
}
