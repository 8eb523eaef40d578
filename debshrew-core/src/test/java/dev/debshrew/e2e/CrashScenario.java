package dev.debshrew.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.ReorgStyle;
import dev.debshrew.testing.DaemonProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The daemon as a real process through instant and phased reorgs, SIGKILLs at named crash points
 * and at random instants (one in the middle of a phased reorg), and restarts, ending caught up
 * with the devnet's tip after a clean SIGTERM. The sinks' content is checked by the caller.
 */
final class CrashScenario {

    /** Whether every sink of the daemon committed the block {@code height} / {@code hash}. */
    interface TipProbe {
        boolean committed(long height, String hash) throws Exception;
    }

    /** What the scenario did. */
    record Result(int kills, int reorgs, int starts, long tip) {
        @Override
        public String toString() {
            return starts + " daemon starts, " + kills + " SIGKILLs, " + reorgs + " reorgs, tip " + tip;
        }
    }

    private final DevnetServer devnet;
    private final Path config;
    private final Path logs;
    private final TipProbe probe;
    private final Random rnd;
    private int kills;
    private int reorgs;
    private int starts;
    private final long began = System.nanoTime();

    CrashScenario(DevnetServer devnet, Path config, Path logs, TipProbe probe, long seed) {
        this.devnet = devnet;
        this.config = config;
        this.logs = logs;
        this.probe = probe;
        this.rnd = new Random(seed);
    }

    /** Progress with the elapsed time, in the test's output (for diagnosing slow runs). */
    private void step(String what) {
        System.out.printf("[%6.1f s %s] %s%n", (System.nanoTime() - began) / 1e9, java.time.LocalTime.now(), what);
    }

    private DaemonProcess start(String pauseAt) throws Exception {
        step("start daemon" + (pauseAt == null ? "" : " pausing at " + pauseAt));
        starts++;
        return DaemonProcess.start(config, pauseAt, logs);
    }

    private void awaitTip(DaemonProcess d) throws Exception {
        step("await tip " + devnet.height());
        E2e.await("the sinks to commit the devnet tip", d, E2e.WAIT, () -> {
            long h = devnet.height();
            return probe.committed(h, devnet.blockHash(h));
        });
    }

    private void killAt(String pauseAt) throws Exception {
        try (DaemonProcess d = start(pauseAt)) {
            d.awaitPaused(E2e.WAIT);
            step("paused; kill");
            d.kill();
            kills++;
        }
    }

    /** Runs the scenario; the devnet must have at least 20 blocks and no sink output yet. */
    Result run() throws Exception {
        assertThat(devnet.height()).isGreaterThanOrEqualTo(20);
        // 1. killed after the state store committed block 12 but before any sink did
        killAt("after-state-commit@12");

        // 2. killed at a random instant while catching up
        try (DaemonProcess d = start(null)) {
            d.awaitStderr("resuming", E2e.WAIT);
            Thread.sleep(rnd.nextInt(400));
            d.kill();
            kills++;
        }

        try (DaemonProcess d = start(null)) {
            awaitTip(d);
            // 3. an instant reorg while running
            devnet.reorg(3, 4, ReorgStyle.INSTANT).get(60, TimeUnit.SECONDS);
            reorgs++;
            awaitTip(d);
            devnet.mine(2);
            awaitTip(d);
            // 4. a phased reorg (height drops, stale hashes above the tip), killed at a random instant in it
            CompletableFuture<Void> reorg = devnet.reorg(4, 5, ReorgStyle.PHASED);
            reorgs++;
            Thread.sleep(rnd.nextInt(300));
            d.kill();
            kills++;
            reorg.get(60, TimeUnit.SECONDS);
        }

        try (DaemonProcess d = start(null)) {
            awaitTip(d);
            assertThat(d.terminate(E2e.WAIT)).as("exit status after SIGTERM").isZero();
        }

        // 5. a reorg while the daemon is down, killed right after the sinks committed the undo of
        //    the old tip, before the state store reverted it
        long oldTip = devnet.height();
        devnet.reorg(2, 3, ReorgStyle.INSTANT).get(60, TimeUnit.SECONDS);
        reorgs++;
        killAt("after-undo-sink-commit@" + oldTip);

        try (DaemonProcess d = start(null)) {
            awaitTip(d);
            devnet.mine(3);
            awaitTip(d);
            assertThat(d.terminate(E2e.WAIT)).as("exit status after SIGTERM").isZero();
        }
        step("done");
        return new Result(kills, reorgs, starts, devnet.height());
    }

    static Duration since(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }
}
