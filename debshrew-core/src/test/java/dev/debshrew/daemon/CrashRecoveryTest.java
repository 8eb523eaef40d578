package dev.debshrew.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcHeader;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.Fault;
import dev.debshrew.devnet.ReorgStyle;
import dev.debshrew.journal.InMemoryChainStore;
import dev.debshrew.journal.JournalCorruption;
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
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The daemon as a real process, killed with SIGKILL at each named commit point and at random
 * instants, restarted, and compared with an uninterrupted run: no message lost, none duplicated.
 * The stateful example (txindex) makes any state/cursor mismatch visible in the output.
 */
class CrashRecoveryTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    /** Below the daemon's halt bound (10 s after the stop request): a stop that took the halt would exit 1 anyway. */
    private static final Duration STOP_BOUND = Duration.ofSeconds(9);

    @TempDir
    Path dir;

    private Path writeConfig(DevnetServer devnet, Path out, Path dataDir) throws Exception {
        return writeConfig(devnet, out, dataDir, 10, 0L);
    }

    /** {@code timeoutSeconds}: the node's read timeout; {@code startHeight} null: none (start at the node's tip). */
    private Path writeConfig(DevnetServer devnet, Path out, Path dataDir, int timeoutSeconds, Long startHeight)
            throws Exception {
        ObjectNode cfg = DebshrewConfig.emptyTree();
        cfg.putObject("metashrew").put("url", devnet.url()).put("timeout", timeoutSeconds);
        cfg.putObject("transform").put("path", Examples.assemblyScript("txindex").toString())
                .put("compile_cache_dir", dir.resolve("compile-cache").toString());
        cfg.putObject("sink").put("type", "file").put("path", out.toString());
        cfg.put("cache_size", 6).put("data_dir", dataDir.toString()).put("poll_interval_ms", 50);
        if (startHeight != null) {
            cfg.put("start_height", startHeight);
        }
        Path file = dir.resolve("config.json");
        Files.writeString(file, cfg.toPrettyString());
        return file;
    }

    /** Output of an uninterrupted in-process run over the devnet's current chain. */
    private byte[] reference(DevnetServer devnet) throws Exception {
        Path ref = dir.resolve("reference.jsonl");
        try (Transform t = Transform.load(Examples.assemblyScript("txindex"), TransformLimits.defaults());
                Pipeline p = new Pipeline(devnet, t, new InMemoryChainStore(6),
                        new FileSink(new FileSinkConfig(ref, true, true)), 0L)) {
            p.awaitCaughtUp(WAIT);
        }
        return Files.readAllBytes(ref);
    }

    private void runToTip(Path config, Path out, DevnetServer devnet) throws Exception {
        try (DaemonProcess d = DaemonProcess.start(config, null, dir.resolve("logs"))) {
            d.awaitCursor(cursorOf(out), devnet.height(), devnet.blockHash(devnet.height()), WAIT);
            assertThat(d.terminate(WAIT)).as("exit status after SIGTERM").isZero();
            assertThat(d.stderr()).contains("stop requested");
        }
    }

    private static Path cursorOf(Path out) {
        return out.resolveSibling(out.getFileName() + ".cursor");
    }

    @ParameterizedTest(name = "kill -9 at {0}")
    @ValueSource(strings = {"before-state-commit", "after-state-commit", "after-sink-commit"})
    void killAtACommitPointThenRestartGivesTheUninterruptedOutput(String point) throws Exception {
        try (DevnetServer devnet = DevnetServer.builder().seed(7).initialHeight(20).build().start(0)) {
            Path out = dir.resolve("out.jsonl");
            Path config = writeConfig(devnet, out, dir.resolve("data"));
            try (DaemonProcess d = DaemonProcess.start(config, point + "@12", dir.resolve("logs"))) {
                d.awaitPaused(WAIT);
                d.kill();
            }
            runToTip(config, out, devnet);
            assertThat(Files.readAllBytes(out)).isEqualTo(reference(devnet));
        }
    }

    @Test
    void killBetweenUndoCommitAndStateRevertDuringAReorg() throws Exception {
        try (DevnetServer devnet = DevnetServer.builder().seed(8).initialHeight(20).build().start(0)) {
            Path out = dir.resolve("out.jsonl");
            Path config = writeConfig(devnet, out, dir.resolve("data"));
            runToTip(config, out, devnet);
            devnet.reorg(3, 4, ReorgStyle.INSTANT).get(30, TimeUnit.SECONDS);
            try (DaemonProcess d = DaemonProcess.start(config, "after-undo-sink-commit@19", dir.resolve("logs"))) {
                d.awaitPaused(WAIT);
                d.kill();
            }
            runToTip(config, out, devnet);
            Files.write(dir.resolve("canonical.jsonl"), reference(devnet));
            assertThat(TableFold.ofFile(out).tables()).isEqualTo(TableFold.ofFile(dir.resolve("canonical.jsonl")).tables());
            var messages = TableFold.readFile(out);
            assertThat(messages.stream().filter(m -> m.header().inverse()).count()).isPositive();
            // nothing delivered twice: no forward message repeats, no inverse repeats (timestamps aside)
            CdcCodec codec = new CdcCodec();
            var normalised = messages.stream().map(m -> new CdcMessage(new CdcHeader(m.header().source(), 0,
                    m.header().blockHeight(), m.header().blockHash(), m.header().transactionId(), m.header().inverse()),
                    m.payload())).map(codec::encode).toList();
            assertThat(normalised).doesNotHaveDuplicates();
        }
    }

    @Test
    void killAtRandomInstantsThenRestartGivesTheUninterruptedOutput() throws Exception {
        Random rnd = new Random(20261122L);
        try (DevnetServer devnet = DevnetServer.builder().seed(9).initialHeight(60).build().start(0)) {
            Path out = dir.resolve("out.jsonl");
            Path config = writeConfig(devnet, out, dir.resolve("data"));
            // Each run is killed at a random instant shortly after its cursor passed a random height:
            // progress, not wall-clock time, decides where the kills land, however loaded the machine.
            long target = 0;
            for (int i = 0; i < 4; i++) {
                target += 4 + rnd.nextInt(10);
                try (DaemonProcess d = DaemonProcess.start(config, null, dir.resolve("logs"))) {
                    d.awaitCursorAtLeast(cursorOf(out), target, WAIT);
                    Thread.sleep(rnd.nextInt(60)); // where within the next block the kill lands; nothing waits on it
                    d.kill();
                }
            }
            runToTip(config, out, devnet);
            assertThat(Files.readAllBytes(out)).isEqualTo(reference(devnet));
        }
    }

    /** A SIGTERM at any point of the start-up ends the process with 0, promptly and without a stack trace. */
    @Test
    void sigtermDuringStartUpExitsCleanly() throws Exception {
        try (DevnetServer devnet = DevnetServer.builder().seed(11).initialHeight(12).build().start(0)) {
            Path out = dir.resolve("out.jsonl");
            // right after the handler exists: while the config is read, the module compiled, the store opened
            Path config = writeConfig(devnet, out, dir.resolve("data"));
            try (DaemonProcess d = DaemonProcess.start(config, null, dir.resolve("logs"))) {
                assertCleanStop(d);
            }
            // while the follower's start-up waits for a node that holds the request (no start_height:
            // it asks the node's height), with a read timeout far beyond the stop bound
            devnet.inject(Fault.timeout(Duration.ofMinutes(10)));
            config = writeConfig(devnet, out, dir.resolve("data2"), 600, null);
            try (DaemonProcess d = DaemonProcess.start(config, null, dir.resolve("logs"))) {
                awaitHeldRequest(d, devnet);
                assertCleanStop(d);
                assertThat(d.stderr()).as("stopped while the start-up call was held")
                        .doesNotContain("starting at the node's tip");
            }
        }
    }

    /**
     * A SIGTERM while a node call hangs ends the process within the bound (the call is cancelled),
     * with 0; the next start redoes the block in progress: nothing lost, nothing repeated.
     */
    @Test
    void sigtermWhileANodeCallHangsStopsWithinTheBoundAndTheNextStartLosesNothing() throws Exception {
        try (DevnetServer devnet = DevnetServer.builder().seed(12).initialHeight(30).build().start(0)) {
            Path out = dir.resolve("out.jsonl");
            Path config = writeConfig(devnet, out, dir.resolve("data"), 600, 0L);
            try (DaemonProcess d = DaemonProcess.start(config, null, dir.resolve("logs"))) {
                d.awaitCursorAtLeast(cursorOf(out), 10, WAIT);
                devnet.inject(Fault.timeout(Duration.ofMinutes(10)));
                awaitHeldRequest(d, devnet);
                assertCleanStop(d);
            }
            devnet.clearFaults();
            runToTip(config, out, devnet);
            assertThat(Files.readAllBytes(out)).isEqualTo(reference(devnet));
        }
    }

    /** Waits until the devnet holds a request of the daemon (the injected timeout fault was used). */
    private static void awaitHeldRequest(DaemonProcess d, DevnetServer devnet) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!devnet.activeFaults().isEmpty()) {
            assertThat(d.isAlive()).as("daemon alive:\n%s", d.stderr()).isTrue();
            assertThat(System.nanoTime()).as("the daemon's request reached the devnet").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** SIGTERM: exit 0 well before the halt bound, the stop logged, no error and no stack trace. */
    private static void assertCleanStop(DaemonProcess d) throws Exception {
        long started = System.nanoTime();
        int status = d.terminate(WAIT);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        String err = d.stderr();
        assertThat(status).as("exit status after SIGTERM:\n%s", err).isZero();
        assertThat(took).as("time to stop").isLessThan(STOP_BOUND);
        assertThat(err).contains("stop requested").doesNotContain(" ERROR ").doesNotContain("\tat ");
    }

    @Test
    void corruptedJournalRecordStopsTheDaemonAtStartAndVerifyReportsIt() throws Exception {
        try (DevnetServer devnet = DevnetServer.builder().seed(10).initialHeight(12).build().start(0)) {
            Path out = dir.resolve("out.jsonl");
            Path data = dir.resolve("data");
            Path config = writeConfig(devnet, out, data);
            runToTip(config, out, devnet);
            byte[] before = Files.readAllBytes(out);
            JournalCorruption.flipByte(data.resolve("state"), 10);

            try (DaemonProcess d = DaemonProcess.start(config, null, dir.resolve("logs"))) {
                assertThat(d.awaitExit(WAIT)).as("exit status: needs an operator").isEqualTo(3);
                assertThat(d.stderr()).contains("state store").contains("10").contains(data.resolve("state").toString());
            }
            assertThat(Files.readAllBytes(out)).isEqualTo(before);
            assertThat(dev.debshrew.cli.Main.execute("journal", "verify", "--data-dir", data.toString())).isEqualTo(1);
        }
    }
}
