package dev.debshrew.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
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

    private Path out() {
        return dir.resolve("out.jsonl");
    }

    private Path stateDir() {
        return dir.resolve("data").resolve("state");
    }

    private Path writeConfig(DevnetServer devnet, int cacheSize) throws Exception {
        ObjectNode cfg = DebshrewConfig.emptyTree();
        cfg.putObject("metashrew").put("url", devnet.url()).put("timeout", 10);
        cfg.putObject("transform").put("path", Examples.assemblyScript("txindex").toString())
                .put("compile_cache_dir", dir.resolve("compile-cache").toString());
        cfg.putObject("sink").put("type", "file").put("path", out().toString());
        cfg.put("cache_size", cacheSize).put("start_height", 0).put("data_dir", dir.resolve("data").toString())
                .put("poll_interval_ms", 50);
        Path file = dir.resolve("config.json");
        Files.writeString(file, cfg.toPrettyString());
        return file;
    }

    private void runToTip(Path config, DevnetServer devnet) throws Exception {
        try (DaemonProcess d = DaemonProcess.start(config, null, dir.resolve("logs"))) {
            d.awaitCursor(out().resolveSibling("out.jsonl.cursor"), devnet.height(), devnet.blockHash(devnet.height()),
                    WAIT);
            assertThat(d.terminate(WAIT)).as("exit status after SIGTERM").isZero();
        }
    }

    private void assertFoldsToTheCanonicalTables(DevnetServer devnet) throws Exception {
        Path ref = dir.resolve("reference.jsonl");
        try (Transform t = Transform.load(Examples.assemblyScript("txindex"), TransformLimits.defaults());
                Pipeline p = new Pipeline(devnet, t, new InMemoryChainStore(6),
                        new FileSink(new FileSinkConfig(ref, true, true)), 0L)) {
            p.awaitCaughtUp(WAIT);
        }
        assertThat(TableFold.ofFile(out()).tables()).isEqualTo(TableFold.ofFile(ref).tables());
    }

    private void assertStoreAtBase(long height, String hash, int cacheSize) {
        try (RocksChainStore store = RocksChainStore.open(stateDir(), cacheSize)) {
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
        try (DaemonProcess d = DaemonProcess.start(config, "before-state-commit@" + h, dir.resolve("logs"))) {
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
            assertThat(TableFold.readFile(out())).anyMatch(m -> m.header().inverse());

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
            byte[] before = Files.readAllBytes(out());
            // while the daemon is down, the chain changes below the (empty) window: the base is orphaned
            devnet.reorg(2, 3, ReorgStyle.INSTANT).get(30, TimeUnit.SECONDS);

            Daemon daemon = Daemon.create(DebshrewConfig.load(config));
            assertThatThrownBy(daemon::run).isInstanceOf(DeepReorgException.class)
                    .hasMessageContaining("deeper than the reorg window").hasMessageContaining(base)
                    .satisfies(e -> assertThat(((DeepReorgException) e).needsOperator()).isTrue());
            assertThat(Files.readAllBytes(out())).isEqualTo(before);
            assertStoreAtBase(h - 1, base, 1);
        }
    }
}
