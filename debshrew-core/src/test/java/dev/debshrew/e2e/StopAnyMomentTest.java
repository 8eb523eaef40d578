package dev.debshrew.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.Fault;
import dev.debshrew.devnet.ReorgStyle;
import dev.debshrew.reliability.Reliability;
import dev.debshrew.reliability.ReliabilitySuite;
import dev.debshrew.reliability.Report;
import dev.debshrew.testing.DaemonProcess;
import dev.debshrew.testing.Examples;
import dev.debshrew.testing.RestartablePostgres;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping at any moment (reliability suite): SIGTERM while the daemon catches up, in the middle of
 * an undo, during a PostgreSQL outage and while a node call hangs. Each time the process must exit
 * with status 0 within {@link #STOP_BOUND} (a liveness bound, not a timing target), and the next
 * start must end with the sink equal to an uninterrupted run: nothing lost, nothing duplicated.
 */
@ReliabilitySuite
class StopAnyMomentTest {

    private static final Duration STOP_BOUND = Duration.ofSeconds(30);
    private static Transform txindex;

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() throws Exception {
        txindex = Transform.load(Examples.assemblyScript("txindex"), TransformLimits.defaults());
    }

    @AfterAll
    static void close() {
        if (txindex != null) {
            txindex.close();
        }
    }

    private Path config(DevnetServer devnet, CrashTargets.Target target) throws Exception {
        return E2e.writeConfig(dir.resolve("config.json"), devnet, "txindex", dir.resolve("data"),
                shared.resolve("compile-cache"), "rocksdb", target.sinks());
    }

    private static void awaitTip(DaemonProcess d, DevnetServer devnet, CrashTargets.Target target) throws Exception {
        E2e.await("the sink to commit the devnet tip", d, E2e.WAIT, () -> {
            long h = devnet.height();
            return target.committed(h, devnet.blockHash(h));
        });
    }

    /** SIGTERM: exit 0 within the bound. */
    private static void stop(DaemonProcess d, String when) throws Exception {
        assertThat(d.terminate(STOP_BOUND)).as("exit status after SIGTERM %s:\n%s", when, E2e.tail(d.stderr()))
                .isZero();
    }

    /** Restarts, reaches the tip, stops cleanly and compares the sink with an uninterrupted run. */
    private void restartAndCheck(DevnetServer devnet, Path config, CrashTargets.Target target, Report report)
            throws Exception {
        try (DaemonProcess d = DaemonProcess.start(config, null, dir.resolve("logs"))) {
            awaitTip(d, devnet, target);
            devnet.mine(2);
            awaitTip(d, devnet, target);
            stop(d, "at the tip");
        }
        target.check(report, E2e.reference(devnet, txindex, dir));
    }

    @Test
    void duringCatchUp() throws Exception {
        Assumptions.assumeTrue(Reliability.full(), "in the full run only");
        Reliability.run("stop: SIGTERM during catch-up", "file", Reliability.seed(), report -> {
            try (DevnetServer devnet = DevnetServer.builder().seed(report.seed()).initialHeight(150).build().start(0)) {
                CrashTargets.Target target = CrashTargets.file(dir.resolve("out.jsonl"));
                Path config = config(devnet, target);
                try (DaemonProcess d = DaemonProcess.start(config, null, dir.resolve("logs"))) {
                    d.awaitCursorAtLeast(dir.resolve("out.jsonl.cursor"), 10, E2e.WAIT);
                    stop(d, "during catch-up");
                }
                restartAndCheck(devnet, config, target, report);
            }
        });
    }

    @Test
    void duringAnUndo() throws Exception {
        Reliability.run("stop: SIGTERM during an undo", "file", Reliability.seed() + 1, report -> {
            try (DevnetServer devnet = DevnetServer.builder().seed(report.seed()).initialHeight(20).build().start(0)) {
                CrashTargets.Target target = CrashTargets.file(dir.resolve("out.jsonl"));
                Path config = config(devnet, target);
                try (DaemonProcess d = DaemonProcess.start(config, null, dir.resolve("logs"))) {
                    awaitTip(d, devnet, target);
                    stop(d, "at the tip");
                }
                devnet.reorg(3, 4, ReorgStyle.INSTANT).get(60, TimeUnit.SECONDS);
                report.reorg();
                // held for 5 s after the sinks committed the inverse of block 20, before the store reverts it
                try (DaemonProcess d = DaemonProcess.start(config, "after-undo-sink-commit@20:5000",
                        dir.resolve("logs"))) {
                    d.awaitPaused(E2e.WAIT);
                    stop(d, "during an undo");
                }
                restartAndCheck(devnet, config, target, report);
            }
        });
    }

    @Test
    void duringASinkOutage() throws Exception {
        Assumptions.assumeTrue(Reliability.full(), "in the full run only");
        Reliability.run("stop: SIGTERM during a sink outage", "postgres", Reliability.seed() + 2, report -> {
            try (RestartablePostgres pg = new RestartablePostgres(dir.resolve("pgdata"));
                    DevnetServer devnet = DevnetServer.builder().seed(report.seed()).initialHeight(20).build()
                            .start(0)) {
                pg.start();
                CrashTargets.Target target = CrashTargets.postgres(pg.url(), "stop");
                Path config = config(devnet, target);
                try (DaemonProcess d = DaemonProcess.start(config, null, dir.resolve("logs"))) {
                    awaitTip(d, devnet, target);
                    pg.stop();
                    devnet.mine(2);
                    d.awaitStderr("could not commit", E2e.WAIT);
                    stop(d, "during a sink outage");
                }
                pg.start();
                restartAndCheck(devnet, config, target, report);
            }
        });
    }

    @Test
    void duringAHangingNodeCall() throws Exception {
        Assumptions.assumeTrue(Reliability.full(), "in the full run only");
        Reliability.run("stop: SIGTERM during a hanging node call", "file", Reliability.seed() + 3, report -> {
            try (DevnetServer devnet = DevnetServer.builder().seed(report.seed()).initialHeight(20).build().start(0)) {
                CrashTargets.Target target = CrashTargets.file(dir.resolve("out.jsonl"));
                Path config = config(devnet, target);
                try (DaemonProcess d = DaemonProcess.start(config, null, dir.resolve("logs"))) {
                    awaitTip(d, devnet, target);
                    // the node holds the next request for 2 minutes without answering
                    devnet.inject(Fault.timeout(Duration.ofMinutes(2)));
                    E2e.await("a node call to hang", d, E2e.WAIT, () -> devnet.activeFaults().isEmpty()
                            && devnet.inFlight() > 0);
                    stop(d, "while a node call hangs");
                }
                devnet.clearFaults();
                restartAndCheck(devnet, config, target, report);
            }
        });
    }
}
