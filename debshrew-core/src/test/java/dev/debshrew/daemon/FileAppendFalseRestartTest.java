package dev.debshrew.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.journal.InMemoryChainStore;
import dev.debshrew.journal.RocksChainStore;
import dev.debshrew.sink.file.FileSink;
import dev.debshrew.sink.file.FileSinkConfig;
import dev.debshrew.testing.Examples;
import dev.debshrew.testing.Pipeline;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file sink with {@code append: false} and the durable (RocksDB) state store survives restarts:
 * the second start resumes after the cursor instead of wiping the file while the store remembers
 * the blocks (which made the daemon refuse to start). The output equals an uninterrupted run.
 */
class FileAppendFalseRestartTest {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void appendFalseRestartsCleanlyWithTheDurableStore() throws Exception {
        Path out = dir.resolve("out.jsonl");
        Path ref = dir.resolve("reference.jsonl");
        Map<String, Object> sinkOptions = Map.of("path", out.toString(), "append", false, "flush_interval", 1000);
        try (DevnetServer devnet = DevnetServer.builder().seed(21).initialHeight(15).build().start(0);
                Transform t = Transform.load(Examples.assemblyScript("txindex"), TransformLimits.defaults())) {
            Files.writeString(out, "stale output of an earlier run\n"); // fresh start: replaced
            for (int run = 0; run < 3; run++) {
                try (Pipeline p = new Pipeline(devnet, t, RocksChainStore.open(dir.resolve("data"), 6),
                        new FileSink(FileSinkConfig.from(sinkOptions)), 0L)) {
                    p.awaitCaughtUp(WAIT);
                }
                devnet.mine(4);
            }
            try (Pipeline p = new Pipeline(devnet, t, new InMemoryChainStore(6),
                    new FileSink(new FileSinkConfig(ref, true, true)), 0L)) {
                p.awaitCaughtUp(WAIT);
            }
            // the last 4 blocks were mined after the third run stopped: compare up to its tip
            long lines = Files.readAllLines(out).size();
            assertThat(lines).isPositive();
            assertThat(Files.readAllLines(out)).isEqualTo(Files.readAllLines(ref).subList(0, (int) lines));
            assertThat(Files.readString(out)).doesNotContain("stale");
            try (Pipeline p = new Pipeline(devnet, t, RocksChainStore.open(dir.resolve("data"), 6),
                    new FileSink(FileSinkConfig.from(sinkOptions)), 0L)) {
                p.awaitCaughtUp(WAIT);
            }
            assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(ref));
        }
    }
}
