package dev.debshrew.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.journal.JournalTool;
import dev.debshrew.journal.RocksChainStore;
import dev.debshrew.sink.file.FileSink;
import dev.debshrew.sink.file.FileSinkConfig;
import dev.debshrew.testing.Background;
import dev.debshrew.testing.DaemonProcess;
import dev.debshrew.testing.Examples;
import dev.debshrew.testing.Pipeline;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLimits;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 item 13, module identity: the state store records the SHA-256 of the module that built
 * it; a different module on the same data directory is refused with what to do, unless the
 * operator accepts the change explicitly. Real daemon (in-process and as a process), real RocksDB,
 * the AssemblyScript {@code blocks} and {@code txindex} examples.
 */
class ModuleIdentityTest {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private DaemonFiles files;

    @BeforeEach
    void files() {
        files = new DaemonFiles(dir);
    }

    private Path writeConfig(DevnetServer devnet, String example) throws Exception {
        return files.writeConfig(devnet, example, 6);
    }

    private static String sha256(String example) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(Examples.assemblyScript(example))));
    }

    private Optional<String> recordedModule() {
        try (RocksChainStore store = RocksChainStore.open(files.stateDir(), 6)) {
            return store.moduleSha256();
        }
    }

    /** Runs the daemon in-process until it has processed the devnet's tip, then stops it. */
    private void runToTip(Daemon daemon, DevnetServer devnet) throws Exception {
        Background run = Background.start("module-identity-daemon", daemon::run);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (daemon.follower().nextHeight() != devnet.height() + 1 && run.failure() == null) {
            assertThat(System.nanoTime()).as("daemon caught up within %s", WAIT).isLessThan(deadline);
            Thread.sleep(10);
        }
        assertThat(run.failure()).as("daemon failure").isNull();
        assertThat(daemon.stop(WAIT.toMillis())).isTrue();
        run.awaitEnd(WAIT);
        assertThat(run.failure()).as("daemon failure").isNull();
    }

    @Test
    void aDifferentModuleOnTheSameDataDirectoryIsRefusedWithWhatToDo() throws Exception {
        try (DevnetServer devnet = DevnetServer.builder().seed(51).initialHeight(8).build().start(0)) {
            Path blocks = writeConfig(devnet, "blocks");
            runToTip(Daemon.create(DebshrewConfig.load(blocks)), devnet);
            assertThat(recordedModule()).contains(sha256("blocks"));
            ByteArrayOutputStream inspect = new ByteArrayOutputStream();
            JournalTool.inspect(files.stateDir(), new PrintStream(inspect, true, StandardCharsets.UTF_8));
            assertThat(inspect.toString(StandardCharsets.UTF_8)).contains("module sha256 " + sha256("blocks"));
            // the same module restarts fine
            devnet.mine(2);
            runToTip(Daemon.create(DebshrewConfig.load(blocks)), devnet);
            byte[] before = Files.readAllBytes(files.out());

            devnet.mine(1);
            Daemon other = Daemon.create(DebshrewConfig.load(writeConfig(devnet, "txindex")));
            assertThatThrownBy(other::run).isInstanceOf(ModuleChangedException.class)
                    .hasMessageContaining(sha256("blocks")).hasMessageContaining(sha256("txindex"))
                    .hasMessageContaining(Examples.assemblyScript("txindex").toString())
                    .hasMessageContaining(files.stateDir().toAbsolutePath().toString())
                    .hasMessageContaining("new data_dir and a new sink output")
                    .hasMessageContaining("--accept-module-change")
                    .satisfies(e -> assertThat(((ModuleChangedException) e).needsOperator()).isTrue());
            assertThat(Files.readAllBytes(files.out())).as("nothing emitted by the refused module").isEqualTo(before);
            assertThat(recordedModule()).contains(sha256("blocks"));
        }
    }

    @Test
    void acceptModuleChangeRecordsTheNewModuleAndLaterRunsNeedNoFlag() throws Exception {
        try (DevnetServer devnet = DevnetServer.builder().seed(52).initialHeight(8).build().start(0)) {
            runToTip(Daemon.create(DebshrewConfig.load(writeConfig(devnet, "blocks"))), devnet);
            Path txindex = writeConfig(devnet, "txindex");
            devnet.mine(1);

            // the real command line: refused without the flag (nothing emitted), accepted with it
            byte[] before = Files.readAllBytes(files.out());
            try (DaemonProcess d = files.start(txindex, null)) {
                // needs an operator: exit 3 once RunCommand maps PipelineException.needsOperator() (1 before)
                assertThat(d.awaitExit(WAIT)).as("exit status of a refused module change: needs an operator").isEqualTo(3);
            }
            assertThat(Files.readAllBytes(files.out())).isEqualTo(before);
            files.runToTip(txindex, devnet, WAIT, "--accept-module-change");
            assertThat(recordedModule()).contains(sha256("txindex"));

            devnet.mine(1);
            runToTip(Daemon.create(DebshrewConfig.load(txindex)), devnet);
        }
    }

    @Test
    void aStoreWrittenBeforeModuleTrackingAdoptsTheCurrentModule() throws Exception {
        try (DevnetServer devnet = DevnetServer.builder().seed(53).initialHeight(8).build().start(0)) {
            // a store written without the daemon's module tracking, as by an older build
            try (Transform t = Transform.load(Examples.assemblyScript("blocks"), TransformLimits.defaults());
                    Pipeline p = new Pipeline(devnet, t, RocksChainStore.open(files.stateDir(), 6),
                            new FileSink(new FileSinkConfig(files.out(), true, true)), 0L)) {
                p.awaitCaughtUp(WAIT);
            }
            assertThat(recordedModule()).isEmpty();

            devnet.mine(1);
            runToTip(Daemon.create(DebshrewConfig.load(writeConfig(devnet, "blocks"))), devnet);
            assertThat(recordedModule()).contains(sha256("blocks"));
        }
    }
}
