package dev.debshrew.follow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.ReorgStyle;
import dev.debshrew.devnet.ReorgTiming;
import dev.debshrew.journal.InMemoryChainStore;
import dev.debshrew.sink.file.FileSink;
import dev.debshrew.sink.file.FileSinkConfig;
import dev.debshrew.testing.Examples;
import dev.debshrew.testing.Pipeline;
import dev.debshrew.testing.TableFold;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLimits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * devnet + the compiled stateful example (txindex) + file sink through reorgs of every depth the
 * window allows, phased (height drops, stale hashes above the tip) and instant (height never
 * drops). The folded output must equal the output of a run over the final canonical chain only.
 */
class ReorgIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ReorgTiming FAST = new ReorgTiming(Duration.ofMillis(30), Duration.ofMillis(30),
            Duration.ofMillis(20));

    @TempDir
    Path dir;

    private static Transform txindex;
    private static Transform blocks;

    @BeforeAll
    static void loadTransforms() throws Exception {
        txindex = Transform.load(Examples.assemblyScript("txindex"), TransformLimits.builder().build());
        blocks = Transform.load(Examples.assemblyScript("blocks"), TransformLimits.builder().build());
    }

    @AfterAll
    static void closeTransforms() {
        txindex.close();
        blocks.close();
    }

    static Stream<Arguments> depths() {
        return Stream.of(ReorgStyle.INSTANT, ReorgStyle.PHASED)
                .flatMap(style -> Stream.of(1, 2, 3, 4, 5, 6).map(d -> Arguments.of(d, style)));
    }

    private static FileSink fileSink(Path path) {
        return new FileSink(new FileSinkConfig(path, true, true));
    }

    @ParameterizedTest(name = "depth {0} {1}")
    @MethodSource("depths")
    void reorgOfAnyDepthWithinTheWindowEndsInTheCanonicalTableState(int depth, ReorgStyle style) throws Exception {
        Path out = dir.resolve("out.jsonl");
        try (DevnetServer devnet = DevnetServer.builder().seed(depth * 31L + style.ordinal()).initialHeight(8)
                .reorgTiming(FAST).build().start(0)) {
            try (Pipeline p = new Pipeline(devnet, txindex, new InMemoryChainStore(6), fileSink(out), 0L)) {
                p.awaitCaughtUp(WAIT);
                devnet.mine(3);
                p.awaitCaughtUp(WAIT);
                long oldTip = devnet.height();
                devnet.reorg(depth, depth + 1, style).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                p.awaitCaughtUp(WAIT);
                devnet.mine(2);
                p.awaitCaughtUp(WAIT);
                assertThat(devnet.height()).isEqualTo(oldTip + 3);
            }

            List<CdcMessage> stream = TableFold.readFile(out);
            List<CdcMessage> inverse = stream.stream().filter(m -> m.header().inverse()).toList();
            assertThat(inverse).as("inverse messages of %d orphaned blocks", depth).isNotEmpty();
            // newest first: the heights of inverse messages never increase
            for (int i = 1; i < inverse.size(); i++) {
                assertThat(inverse.get(i).header().blockHeight()).isLessThanOrEqualTo(inverse.get(i - 1).header().blockHeight());
            }
            assertThat(inverse.get(0).header().blockHeight()).isEqualTo(devnet.height() - 4);
            assertThat(inverse.get(inverse.size() - 1).header().blockHeight()).isEqualTo(devnet.height() - 3 - depth);

            TableFold actual = TableFold.ofFile(out);

            // reference: the final canonical chain only, processed from scratch
            Path ref = dir.resolve("reference.jsonl");
            try (Pipeline p = new Pipeline(devnet, txindex, new InMemoryChainStore(6), fileSink(ref), 0L)) {
                p.awaitCaughtUp(WAIT);
            }
            TableFold expected = TableFold.ofFile(ref);
            assertThat(TableFold.readFile(ref)).noneMatch(m -> m.header().inverse());
            assertThat(expected.rows("transactions")).isGreaterThan(10);
            assertThat(expected.rows("balances")).isPositive();
            assertThat(actual.tables()).isEqualTo(expected.tables());
        }
    }

    @Test
    void reorgDeeperThanTheWindowStopsWithAClearError() throws Exception {
        Path out = dir.resolve("out.jsonl");
        try (DevnetServer devnet = DevnetServer.builder().initialHeight(12).build().start(0);
                Pipeline p = new Pipeline(devnet, blocks, new InMemoryChainStore(6), fileSink(out), 0L)) {
            p.awaitCaughtUp(WAIT);
            long linesBefore = TableFold.readFile(out).size();
            devnet.reorg(7, 8, ReorgStyle.INSTANT).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            p.awaitEnd(WAIT);
            assertThat(p.failure()).isInstanceOf(DeepReorgException.class)
                    .hasMessageContaining("deeper than the reorg window of 6 blocks")
                    .hasMessageContaining("7..12")
                    .hasMessageContaining(devnet.blockHash(12))
                    .hasMessageContaining("docs/operations.md");
            assertThat(TableFold.readFile(out)).hasSize((int) linesBefore);
        }
    }
}
