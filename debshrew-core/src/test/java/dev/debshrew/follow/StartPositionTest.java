package dev.debshrew.follow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.journal.BlockResult;
import dev.debshrew.journal.ChainStore;
import dev.debshrew.journal.InMemoryChainStore;
import dev.debshrew.journal.RocksChainStore;
import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.Sink;
import dev.debshrew.sink.file.FileSink;
import dev.debshrew.sink.file.FileSinkConfig;
import dev.debshrew.transform.StateChanges;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a (re)start begins, alone: the store's tip or base, the sinks' cursors, start_height, the node. */
class StartPositionTest {

    @TempDir
    Path dir;

    private DevnetServer devnet;
    private MetashrewClient node;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        devnet = DevnetServer.builder().seed(77).initialHeight(20).build().start(0);
        node = MetashrewClient.builder(devnet.url()).build();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        node.close();
        devnet.close();
    }

    /** The devnet's blocks {@code from..to} committed to {@code store}, as the engine would. */
    private void commit(ChainStore store, long from, long to) {
        List<BlockResult> group = new ArrayList<>();
        for (long h = from; h <= to; h++) {
            group.add(new BlockResult(h, devnet.blockHash(h), devnet.blockHash(h - 1), List.of(), new StateChanges()));
        }
        store.commit(group);
    }

    private StartPosition position(ChainStore store, Long startHeight, Sink... sinks) throws Exception {
        return positionWith(store, FollowerSettings.defaults().withStartHeight(startHeight), sinks);
    }

    private StartPosition positionWith(ChainStore store, FollowerSettings settings, Sink... sinks) throws Exception {
        List<SinkFanOut.SinkState> states = new ArrayList<>();
        for (Sink s : sinks) {
            open.add(s);
            SinkFanOut.SinkState st = new SinkFanOut.SinkState(s);
            st.cursor = s.open().orElse(null);
            states.add(st);
        }
        return new StartPosition(store, node, settings, states);
    }

    private FileSink file(String name) {
        return new FileSink(new FileSinkConfig(dir.resolve(name), true, true));
    }

    @Test
    void aFreshPipelineStartsAtStartHeightOrElseAtTheNodesTip() throws Exception {
        assertThat(position(new InMemoryChainStore(6), 5L, file("a.jsonl")).resolve()).isEqualTo(5);
        assertThat(position(new InMemoryChainStore(6), null, file("b.jsonl")).resolve()).isEqualTo(20);
    }

    @Test
    void aStoreWithBlocksResumesAfterItsTipWhenEverySinkIsOnItsChain() throws Exception {
        ChainStore store = new InMemoryChainStore(6);
        commit(store, 3, 9);
        FileSink sink = file("out.jsonl");
        assertThat(position(store, 3L, sink).resolve()).isEqualTo(10);
    }

    @Test
    void aSinkWithoutACursorIsAcceptedOnlyWhenTheJournalHoldsEveryBlockSinceStartHeight() throws Exception {
        ChainStore store = RocksChainStore.open(dir.resolve("state"), 6);
        open.add(store);
        commit(store, 3, 12); // one group: the crash came before the sinks committed it
        StartPosition fromStart = position(store, 3L, file("a.jsonl"));
        assertThat(fromStart.resolve()).isEqualTo(13);
        assertThat(fromStart.journalHoldsEverySinceStart()).isTrue();

        assertThatThrownBy(() -> position(store, null, file("b.jsonl")).resolve())
                .isInstanceOf(PipelineException.class)
                .hasMessageContaining("has no cursor but the state store has blocks up to 12");
    }

    @Test
    void anEmptyWindowResumesAboveItsBaseAndStopsWhenTheNodeLostTheBase() throws Exception {
        ChainStore store = new InMemoryChainStore(6);
        commit(store, 3, 5);
        store.revertTip();
        store.revertTip();
        store.revertTip();
        assertThat(store.base()).contains(new Cursor(2, devnet.blockHash(2)));
        assertThat(position(store, null).resolve()).isEqualTo(3);

        devnet.reorg(19, 1, dev.debshrew.devnet.ReorgStyle.INSTANT).get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThatThrownBy(() -> position(store, null).resolve()).isInstanceOf(DeepReorgException.class)
                .hasMessageContaining("base block 2:");
    }

    @Test
    void aStartHeightOtherThanWhereTheOutputResumesIsRefusedWhenExplicitOrAboveIt() throws Exception {
        ChainStore store = new InMemoryChainStore(6);
        commit(store, 3, 9);
        FollowerSettings cli = FollowerSettings.defaults().withStrictStartHeight(true);
        assertThat(positionWith(store, cli.withStartHeight(10L)).resolve()).isEqualTo(10);
        assertThat(position(store, 3L).resolve()).as("the config's start_height below the cursor").isEqualTo(10);
        assertThatThrownBy(() -> positionWith(store, cli.withStartHeight(3L), file("a.jsonl")).resolve())
                .isInstanceOf(PipelineException.class)
                .hasMessageContaining("start height 3 (--start-height)").hasMessageContaining("resumes at 10")
                .hasMessageContaining("file:").hasMessageContaining("re-indexing-from-a-height");
        assertThatThrownBy(() -> position(store, 12L).resolve()).isInstanceOf(PipelineException.class)
                .hasMessageContaining("start height 12 (start_height, above where the output is)");

        // an empty window: the output resumes above the store's base
        store.revertTip();
        while (store.tip().isPresent()) {
            store.revertTip();
        }
        assertThat(positionWith(store, cli.withStartHeight(3L)).resolve()).isEqualTo(3);
        assertThatThrownBy(() -> positionWith(store, cli.withStartHeight(4L)).resolve())
                .isInstanceOf(PipelineException.class).hasMessageContaining("base block 2:");
    }

    @Test
    void withConfirmationsAFreshPipelineWithoutStartHeightStartsAtTheConfirmedTip() throws Exception {
        FollowerSettings three = FollowerSettings.defaults().withConfirmations(3);
        assertThat(positionWith(new InMemoryChainStore(6), three).resolve()).isEqualTo(18);
        assertThat(positionWith(new InMemoryChainStore(6), FollowerSettings.defaults().withConfirmations(0)).resolve())
                .isEqualTo(20);
    }
}
