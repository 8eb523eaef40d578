package dev.debshrew.follow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.Fault;
import dev.debshrew.journal.InMemoryChainStore;
import dev.debshrew.sink.file.FileSink;
import dev.debshrew.sink.file.FileSinkConfig;
import dev.debshrew.testing.Examples;
import dev.debshrew.testing.Pipeline;
import dev.debshrew.testing.TableFold;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Chain linkage (hardening issue, item 1): the node switches branch between two of the follower's
 * own calls, via the devnet's {@code reorg} fault that performs an instant reorg right before
 * answering one chosen request. A block is committed only on top of its parent, so the orphaned
 * blocks are undone and the output folds to exactly the tables of a run over the final chain.
 */
class ChainLinkageTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final long INITIAL = 8;

    @TempDir
    Path dir;

    private static Map<String, Transform> transforms;

    @BeforeAll
    static void loadTransforms() throws Exception {
        transforms = Map.of(
                "blocks", Transform.load(Examples.assemblyScript("blocks"), TransformLimits.builder().build()),
                "txindex", Transform.load(Examples.assemblyScript("txindex"), TransformLimits.builder().build()));
    }

    @AfterAll
    static void closeTransforms() {
        transforms.values().forEach(Transform::close);
    }

    static Stream<Arguments> cases() {
        return Stream.of("blocks", "txindex").flatMap(t -> Stream.of(1, 2, 3).flatMap(d -> Stream.of(
                Arguments.of(t, d, "metashrew_getblockhash"), Arguments.of(t, d, "metashrew_view"))));
    }

    /**
     * Caught up at height 8; block 9 appears. Right before the node answers the follower's first
     * request about block 9 ({@code getblockhash(9)}, or the transform's first view at 9), the node
     * switches to a branch that forks {@code depth} blocks below our tip. Without the linkage
     * check, block 9 of the new branch was committed on top of our orphaned block 8: the orphaned
     * blocks were never undone and the new branch's replacements never emitted.
     */
    @ParameterizedTest(name = "{0}, {1} orphaned block(s), branch switch before {2}(9)")
    @MethodSource("cases")
    void branchSwitchBetweenTwoOfOurCallsIsUndoneNotCommittedOnTheWrongParent(String example, int depth,
            String method) throws Exception {
        Transform transform = transforms.get(example);
        Path out = dir.resolve("out.jsonl");
        try (DevnetServer devnet = DevnetServer.builder().seed(depth * 17L + method.length()).initialHeight(INITIAL)
                .build().start(0)) {
            try (Pipeline p = new Pipeline(devnet, transform, new InMemoryChainStore(6), fileSink(out), 0L)) {
                p.awaitCaughtUp(WAIT);
                String orphanedTip = devnet.blockHash(INITIAL);
                // the reorg happens at the node's tip (9): depth + 1 blocks replace A(9) and our depth blocks
                devnet.inject(Fault.reorg(depth + 1, depth + 2).forMethod(method).atHeight(INITIAL + 1));
                devnet.mine(1);
                p.awaitCaughtUp(WAIT);
                assertThat(devnet.activeFaults()).as("the reorg fault fired").isEmpty();
                assertThat(devnet.blockHash(INITIAL)).as("our old tip was orphaned").isNotEqualTo(orphanedTip);
                assertThat(devnet.height()).isEqualTo(INITIAL + 2);
            }
            // an undone block's inverse messages carry its parent's position: undoing block 8 emits at 7
            assertThat(TableFold.readFile(out)).as("inverse messages of the orphaned block 8")
                    .anyMatch(m -> m.header().inverse() && m.header().blockHeight() == INITIAL - 1);

            Path ref = dir.resolve("reference.jsonl");
            try (Pipeline p = new Pipeline(devnet, transform, new InMemoryChainStore(6), fileSink(ref), 0L)) {
                p.awaitCaughtUp(WAIT);
            }
            TableFold expected = TableFold.ofFile(ref);
            assertThat(expected.tables()).isNotEmpty();
            assertThat(TableFold.ofFile(out).tables()).isEqualTo(expected.tables());
        }
    }

    private static FileSink fileSink(Path path) {
        return new FileSink(new FileSinkConfig(path, true, true));
    }
}
