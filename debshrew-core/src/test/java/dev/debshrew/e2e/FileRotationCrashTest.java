package dev.debshrew.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.journal.InMemoryChainStore;
import dev.debshrew.sink.file.FileSink;
import dev.debshrew.sink.file.FileSinkConfig;
import dev.debshrew.sink.format.OutputFormat;
import dev.debshrew.testing.DaemonProcess;
import dev.debshrew.testing.Examples;
import dev.debshrew.testing.Pipeline;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLimits;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file sink in the Debezium format rotating after every block (the most rotations, so random
 * SIGKILLs land in and around them), the daemon killed at random instants and restarted: the
 * rotated files followed by the current one are byte for byte the output of an uninterrupted run
 * without rotation.
 */
class FileRotationCrashTest {

    @TempDir
    Path dir;

    @Test
    void killsAtRandomInstantsLoseAndRepeatNothingAcrossRotations() throws Exception {
        long started = System.nanoTime();
        Random rnd = new Random(777);
        Path out = dir.resolve("out.jsonl");
        try (DevnetServer devnet = DevnetServer.builder().seed(505).initialHeight(40).build().start(0)) {
            Path config = E2e.writeConfig(dir.resolve("config.json"), devnet, "txindex", dir.resolve("data"),
                    dir.resolve("compile-cache"), "rocksdb", E2e.sink("file").put("path", out.toString())
                            .put("format", "debezium").put("rotate_bytes", 1));
            int kills = 0;
            for (int i = 0; i < 3; i++) {
                try (DaemonProcess d = DaemonProcess.start(config, null, dir.resolve("logs"))) {
                    d.awaitStderr("detected as version line", E2e.WAIT);
                    Thread.sleep(rnd.nextInt(400));
                    d.kill();
                    kills++;
                }
            }
            try (DaemonProcess d = DaemonProcess.start(config, null, dir.resolve("logs"))) {
                d.awaitCursor(dir.resolve("out.jsonl.cursor"), devnet.height(), devnet.blockHash(devnet.height()),
                        E2e.WAIT);
                assertThat(d.terminate(E2e.WAIT)).isZero();
            }

            ByteArrayOutputStream all = new ByteArrayOutputStream();
            int rotated = 0;
            while (Files.exists(dir.resolve("out.jsonl." + (rotated + 1)))) {
                rotated++;
                all.write(Files.readAllBytes(dir.resolve("out.jsonl." + rotated)));
            }
            all.write(Files.readAllBytes(out));
            // a rotation per commit: catch-up commits groups of up to 5 blocks (E2e), then one block each
            assertThat(rotated).as("one rotation per commit").isGreaterThanOrEqualTo(7);

            Path ref = dir.resolve("reference.jsonl");
            try (Transform t = Transform.load(Examples.assemblyScript("txindex"), TransformLimits.defaults());
                    Pipeline p = new Pipeline(devnet, t, new InMemoryChainStore(6),
                            new FileSink(new FileSinkConfig(ref, true, false, OutputFormat.debezium(false), 0)), 0L)) {
                p.awaitCaughtUp(E2e.WAIT);
            }
            byte[] expected = Files.readAllBytes(ref);
            assertThat(all.toByteArray()).isEqualTo(expected);
            System.out.printf("file rotation e2e: %d SIGKILLs, %d rotated files, %d lines equal; %s%n", kills, rotated,
                    expected.length == 0 ? 0 : new String(expected).split("\n").length, CrashScenario.since(started));
        }
    }
}
