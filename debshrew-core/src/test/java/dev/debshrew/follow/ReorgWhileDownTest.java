package dev.debshrew.follow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.ReorgStyle;
import dev.debshrew.journal.InMemoryChainStore;
import dev.debshrew.journal.RocksChainStore;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A reorg of depth 1..N that happens while the daemon is stopped is inverted at start from the
 * durable journal, and the stateful example continues from the right state.
 */
class ReorgWhileDownTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static Transform txindex;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws Exception {
        txindex = Transform.load(Examples.assemblyScript("txindex"), TransformLimits.defaults());
    }

    @AfterAll
    static void close() {
        txindex.close();
    }

    private Pipeline start(DevnetServer devnet, Path out) {
        return new Pipeline(devnet, txindex, RocksChainStore.open(dir.resolve("data"), 6),
                new FileSink(new FileSinkConfig(out, true, true)), 0L);
    }

    @ParameterizedTest(name = "depth {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6})
    void reorgWhileStoppedIsUndoneAtStart(int depth) throws Exception {
        Path out = dir.resolve("out.jsonl");
        try (DevnetServer devnet = DevnetServer.builder().seed(100 + depth).initialHeight(12).build().start(0)) {
            try (Pipeline p = start(devnet, out)) {
                p.awaitCaughtUp(WAIT);
            }
            long inverseBefore = TableFold.readFile(out).stream().filter(m -> m.header().inverse()).count();
            assertThat(inverseBefore).isZero();

            devnet.reorg(depth, depth + 1, ReorgStyle.INSTANT).get(30, TimeUnit.SECONDS);

            try (Pipeline p = start(devnet, out)) {
                p.awaitCaughtUp(WAIT);
                assertThat(p.store().tip().orElseThrow().hash()).isEqualTo(devnet.blockHash(devnet.height()));
            }
            var undone = TableFold.readFile(out).stream().filter(m -> m.header().inverse()).toList();
            assertThat(undone).isNotEmpty();
            assertThat(undone.get(0).header().blockHeight()).isEqualTo(12 - 1);
            assertThat(undone.get(undone.size() - 1).header().blockHeight()).isEqualTo(12 - depth);

            Path ref = dir.resolve("reference.jsonl");
            try (Pipeline p = new Pipeline(devnet, txindex, new InMemoryChainStore(6),
                    new FileSink(new FileSinkConfig(ref, true, true)), 0L)) {
                p.awaitCaughtUp(WAIT);
            }
            assertThat(TableFold.ofFile(out).tables()).isEqualTo(TableFold.ofFile(ref).tables());
        }
    }

    @Test
    void rewindUndoesBlocksFromTheJournalAndTheNextRunRedoesThem() throws Exception {
        Path out = dir.resolve("out.jsonl");
        try (DevnetServer devnet = DevnetServer.builder().seed(300).initialHeight(12).build().start(0)) {
            try (Pipeline p = start(devnet, out)) {
                p.awaitCaughtUp(WAIT);
            }
            long before = TableFold.readFile(out).size();
            try (MetashrewClient client = MetashrewClient.builder(devnet.url()).build();
                    RocksChainStore store = RocksChainStore.open(dir.resolve("data"), 6);
                    FileSink sink = new FileSink(new FileSinkConfig(out, true, true))) {
                BlockFollower f = new BlockFollower(client, txindex, store, sink, FollowerSettings.defaults());
                assertThatThrownBy(() -> f.rewind(3)).isInstanceOf(PipelineException.class)
                        .hasMessageContaining("can undo down to height 6");
                f.rewind(9);
                assertThat(store.tip().orElseThrow().height()).isEqualTo(9);
            }
            var afterRewind = TableFold.readFile(out);
            assertThat(afterRewind.subList((int) before, afterRewind.size())).allMatch(m -> m.header().inverse())
                    .extracting(m -> m.header().blockHeight()).startsWith(11L).endsWith(9L);
            try (Pipeline p = start(devnet, out)) {
                p.awaitCaughtUp(WAIT);
            }
            Path ref = dir.resolve("reference.jsonl");
            try (Pipeline p = new Pipeline(devnet, txindex, new InMemoryChainStore(6),
                    new FileSink(new FileSinkConfig(ref, true, true)), 0L)) {
                p.awaitCaughtUp(WAIT);
            }
            assertThat(TableFold.ofFile(out).tables()).isEqualTo(TableFold.ofFile(ref).tables());
        }
    }
}
