package dev.debshrew.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.ReorgStyle;
import dev.debshrew.journal.InMemoryChainStore;
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
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 item 4: one daemon process with two pipelines (the txindex example from block 0, the
 * blocks example from block 3; each its own data directory and file sink) follows the devnet
 * through a phased reorg (the node rolls back, serves stale hashes above its tip, re-indexes) and
 * new blocks; each pipeline's output is exactly what a single pipeline writes for it: every
 * message of an uninterrupted run over the final chain exactly once, the orphaned blocks undone by
 * inverse messages, the folded tables equal.
 */
class MultiPipelineEndToEndTest {

    @TempDir
    Path dir;

    @Test
    void twoPipelinesThroughAPhasedReorgEachWriteWhatASinglePipelineWrites() throws Exception {
        try (DevnetServer devnet = DevnetServer.builder().seed(1404).initialHeight(20).reorgTiming(E2e.FAST).build()
                .start(0)) {
            Path txOut = dir.resolve("tx.jsonl");
            Path blocksOut = dir.resolve("blocks.jsonl");
            Path config = E2e.writeConfig(dir.resolve("config.json"), devnet, "txindex", dir.resolve("data"),
                    dir.resolve("compile-cache"), "rocksdb", E2e.sink("file").put("path", txOut.toString()));
            ObjectNode cfg = (ObjectNode) CdcCodec.mapper().readTree(config.toFile());
            cfg.remove(List.of("transform", "sink", "start_height"));
            ObjectNode tx = cfg.putArray("pipelines").addObject().put("name", "tx").put("start_height", 0);
            tx.putObject("transform").put("path", Examples.assemblyScript("txindex").toString())
                    .put("compile_cache_dir", dir.resolve("compile-cache").toString());
            tx.set("sink", E2e.sink("file").put("path", txOut.toString()));
            ObjectNode blocks = cfg.withArray("pipelines").addObject().put("name", "blocks").put("start_height", 3);
            blocks.putObject("transform").put("path", Examples.assemblyScript("blocks").toString())
                    .put("compile_cache_dir", dir.resolve("compile-cache").toString());
            blocks.set("sink", E2e.sink("file").put("path", blocksOut.toString()));
            Files.writeString(config, cfg.toPrettyString());

            try (DaemonProcess d = DaemonProcess.start(config, null, dir.resolve("logs"))) {
                awaitTip(d, devnet, txOut, blocksOut);
                devnet.reorg(3, 4, ReorgStyle.PHASED).get(60, TimeUnit.SECONDS);
                awaitTip(d, devnet, txOut, blocksOut);
                devnet.mine(2);
                awaitTip(d, devnet, txOut, blocksOut);
                assertThat(d.terminate(E2e.WAIT)).as("exit status after SIGTERM, every pipeline stopped cleanly")
                        .isZero();
                assertThat(d.stderr()).contains("debshrew running 2 pipelines: [tx, blocks]");
                assertThat(Files.isDirectory(dir.resolve("data/tx/state"))).as("tx's own data directory").isTrue();
                assertThat(Files.isDirectory(dir.resolve("data/blocks/state"))).as("blocks' own data directory")
                        .isTrue();
            }

            E2e.Checked txChecked = E2e.assertExactlyOnce("pipeline tx", TableFold.readFile(txOut),
                    reference(devnet, "txindex", 0));
            E2e.Checked blocksChecked = E2e.assertExactlyOnce("pipeline blocks", TableFold.readFile(blocksOut),
                    reference(devnet, "blocks", 3));
            assertThat(txChecked.inverse()).as("tx undid the orphaned blocks").isPositive();
            assertThat(blocksChecked.inverse()).as("blocks undid the orphaned blocks").isPositive();
            assertThat(TableFold.readFile(blocksOut)).as("blocks started at its own start_height")
                    .allMatch(m -> m.header().blockHeight() >= 3);
            System.out.printf("multi-pipeline e2e: tx %s; blocks %s%n", txChecked, blocksChecked);
        }
    }

    private static void awaitTip(DaemonProcess d, DevnetServer devnet, Path... outs) throws Exception {
        E2e.await("both pipelines at the devnet tip", d, E2e.WAIT, () -> {
            Cursor tip = new Cursor(devnet.height(), devnet.blockHash(devnet.height()));
            for (Path out : outs) {
                if (!tip.equals(cursor(out))) {
                    return false;
                }
            }
            return true;
        });
    }

    private static Cursor cursor(Path out) throws Exception {
        Path c = out.resolveSibling(out.getFileName() + ".cursor");
        if (!Files.exists(c)) {
            return null;
        }
        JsonNode n = E2e.reparse(Files.readString(c));
        return new Cursor(n.get("height").longValue(), n.get("hash").textValue());
    }

    /** What a single pipeline of {@code example} from {@code start} writes over the devnet's final chain. */
    private List<CdcMessage> reference(DevnetServer devnet, String example, long start) throws Exception {
        Path ref = dir.resolve("reference-" + example + ".jsonl");
        try (Transform t = Transform.load(Examples.assemblyScript(example), TransformLimits.defaults());
                Pipeline p = new Pipeline(devnet, t, new InMemoryChainStore(6),
                        new FileSink(new FileSinkConfig(ref, true, false)), start)) {
            p.awaitCaughtUp(E2e.WAIT);
        }
        List<CdcMessage> out = TableFold.readFile(ref);
        assertThat(out).as("reference of %s", example).isNotEmpty().noneMatch(m -> m.header().inverse());
        return out;
    }
}
