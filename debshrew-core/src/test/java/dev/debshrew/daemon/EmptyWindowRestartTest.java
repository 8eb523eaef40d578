package dev.debshrew.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.debshrew.cli.Main;
import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.ReorgStyle;
import dev.debshrew.follow.DeepReorgException;
import dev.debshrew.journal.InMemoryChainStore;
import dev.debshrew.journal.RocksChainStore;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.file.FileSink;
import dev.debshrew.sink.file.FileSinkConfig;
import dev.debshrew.testing.DaemonProcess;
import dev.debshrew.testing.Examples;
import dev.debshrew.testing.Pipeline;
import dev.debshrew.testing.TableFold;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 item 2, "an empty window is not an empty store": when every block of the reorg window
 * was undone (a rewind to the window's oldest parent, or a reorg back to the window's base with
 * {@code cache_size: 1}), the real daemon restarts from the window's base with the stored state,
 * and the output folds to the canonical tables. The stateful example (txindex) makes a lost state
 * visible in the output.
 */
class EmptyWindowRestartTest {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private DaemonFiles files;

    @BeforeEach
    void files() {
        files = new DaemonFiles(dir);
    }

    private Path writeConfig(DevnetServer devnet, int cacheSize) throws Exception {
        return files.writeConfig(devnet, "txindex", cacheSize);
    }

    private void runToTip(Path config, DevnetServer devnet) throws Exception {
        files.runToTip(config, devnet, WAIT);
    }

    private void assertFoldsToTheCanonicalTables(DevnetServer devnet) throws Exception {
        Path ref = dir.resolve("reference.jsonl");
        try (Transform t = Transform.load(Examples.assemblyScript("txindex"), TransformLimits.defaults());
                Pipeline p = new Pipeline(devnet, t, new InMemoryChainStore(6),
                        new FileSink(new FileSinkConfig(ref, true, true)), 0L)) {
            p.awaitCaughtUp(WAIT);
        }
        assertThat(TableFold.ofFile(files.out()).tables()).isEqualTo(TableFold.ofFile(ref).tables());
    }

    private void assertStoreAtBase(long height, String hash, int cacheSize) {
        try (RocksChainStore store = RocksChainStore.open(files.stateDir(), cacheSize)) {
            assertThat(store.window()).as("journal window").isEmpty();
            assertThat(store.base()).contains(new Cursor(height, hash));
        }
    }

    /**
     * Runs to the tip, reorgs the tip block away (1 block, while the daemon is down), and lets the
     * daemon undo it (back to the window's base, tip - 1) and die before it processes the
     * replacement. Returns the tip height.
     */
    private long undoTheTipWithCacheSizeOneAndStop(Path config, DevnetServer devnet) throws Exception {
        runToTip(config, devnet);
        devnet.reorg(1, 1, ReorgStyle.INSTANT).get(30, TimeUnit.SECONDS);
        long h = devnet.height();
        try (DaemonProcess d = files.start(config, "before-state-commit@" + h)) {
            d.awaitPaused(WAIT);
            d.kill();
        }
        assertStoreAtBase(h - 1, devnet.blockHash(h - 1), 1);
        return h;
    }

    @Test
    void rewindToTheOldestParentThenRestartResumesFromTheWindowBase() throws Exception {
        try (DevnetServer devnet = DevnetServer.builder().seed(41).initialHeight(14).build().start(0)) {
            Path config = writeConfig(devnet, 6);
            runToTip(config, devnet);
            long oldestParent = devnet.height() - 6;

            assertThat(Main.execute("rewind", "--config", config.toString(), "--to", Long.toString(oldestParent)))
                    .isZero();
            assertStoreAtBase(oldestParent, devnet.blockHash(oldestParent), 6);
            assertThat(TableFold.readFile(files.out())).anyMatch(m -> m.header().inverse());

            runToTip(config, devnet);
            assertFoldsToTheCanonicalTables(devnet);
        }
    }

    @Test
    void oneBlockReorgWithCacheSizeOneThenStopThenStartResumesFromTheWindowBase() throws Exception {
        try (DevnetServer devnet = DevnetServer.builder().seed(42).initialHeight(12).build().start(0)) {
            Path config = writeConfig(devnet, 1);
            undoTheTipWithCacheSizeOneAndStop(config, devnet);

            runToTip(config, devnet);
            assertFoldsToTheCanonicalTables(devnet);
        }
    }

    @Test
    void theBaseOfAnEmptyWindowMustStillBeOnTheNodesChainAtStart() throws Exception {
        try (DevnetServer devnet = DevnetServer.builder().seed(43).initialHeight(12).build().start(0)) {
            Path config = writeConfig(devnet, 1);
            long h = undoTheTipWithCacheSizeOneAndStop(config, devnet);
            String base = devnet.blockHash(h - 1);
            byte[] before = Files.readAllBytes(files.out());
            // while the daemon is down, the chain changes below the (empty) window: the base is orphaned
            devnet.reorg(2, 3, ReorgStyle.INSTANT).get(30, TimeUnit.SECONDS);

            Daemon daemon = Daemon.create(DebshrewConfig.load(config));
            assertThatThrownBy(daemon::run).isInstanceOf(DeepReorgException.class)
                    .hasMessageContaining("deeper than the reorg window").hasMessageContaining(base)
                    .satisfies(e -> assertThat(((DeepReorgException) e).needsOperator()).isTrue());
            assertThat(Files.readAllBytes(files.out())).isEqualTo(before);
            assertStoreAtBase(h - 1, base, 1);
        }
    }
}
