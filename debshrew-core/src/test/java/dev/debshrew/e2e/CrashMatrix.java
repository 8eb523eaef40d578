package dev.debshrew.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.ReorgStyle;
import dev.debshrew.reliability.Reliability;
import dev.debshrew.reliability.Report;
import dev.debshrew.testing.DaemonProcess;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The kill schedule of the crash matrix: {@code kills} SIGKILLs of the daemon (a real process)
 * while the devnet mines and reorgs (instant and phased, while the daemon runs, catches up or is
 * down), each followed by a restart. The schedule comes from a seeded {@link Random}: what happens
 * and when to kill are reproducible from the seed (the instants are random delays: correctness must
 * hold at any instant). Kinds of kill:
 * <ul>
 *   <li>at a random instant while the daemon catches up, follows new blocks or goes through a reorg
 *       (one in five while it still starts up);
 *   <li>at a crash point ({@code -Ddebshrew.test.pauseAt}) before, inside or after the commit of a
 *       group of a catch-up: before the state store commit, between it and the sinks' commit, after both;
 *   <li>in an undo: after the sinks committed the inverse of a block orphaned while the daemon was
 *       down, before the state store reverted it.
 * </ul>
 * Reorgs stay within the reorg window: a reorg is made only once the sinks reached the tip after
 * the previous one (the daemon may have kept blocks of an older branch), at most 4 deep (cache 6).
 */
final class CrashMatrix {

    private static final String[] POINTS = {"before-state-commit", "after-state-commit", "after-sink-commit"};

    private final DevnetServer devnet;
    private final Path config;
    private final Path logs;
    private final CrashTargets.Target target;
    private final Report report;
    private final Random rnd;
    /** Highest height the devnet's tip ever had: every block above it was never seen by the daemon. */
    private long highest;
    /** Whether a reorg happened since the sinks were last seen at the tip. */
    private boolean unsettledReorg;

    CrashMatrix(DevnetServer devnet, Path config, Path logs, CrashTargets.Target target, Report report) {
        this.devnet = devnet;
        this.config = config;
        this.logs = logs;
        this.target = target;
        this.report = report;
        this.rnd = new Random(report.seed());
        this.highest = devnet.height();
    }

    private void step(String what) {
        Reliability.progress(String.format("[%s %s kill %d] %s", java.time.LocalTime.now(), report.sink(),
                report.kills(), what));
    }

    private void mine(int n) {
        highest = Math.max(highest, devnet.mine(n));
    }

    private boolean atTip() throws Exception {
        long h = devnet.height();
        return target.committed(h, devnet.blockHash(h));
    }

    private void awaitTip(DaemonProcess d) throws Exception {
        E2e.await("the sinks to commit the devnet tip " + devnet.height(), d, E2e.WAIT, this::atTip);
        unsettledReorg = false;
    }

    /** A reorg of 1..4 blocks with 1..depth+2 new blocks; first waits for the sinks to settle if needed. */
    private CompletableFuture<Void> reorg(DaemonProcess running, ReorgStyle style) throws Exception {
        if (unsettledReorg) {
            if (running == null) {
                return CompletableFuture.completedFuture(null);
            }
            awaitTip(running);
        }
        int depth = 1 + rnd.nextInt(4);
        int blocks = 1 + rnd.nextInt(depth + 2);
        long newTip = devnet.height() - depth + blocks;
        step("reorg " + style + " depth " + depth + ", " + blocks + " new blocks");
        CompletableFuture<Void> f = devnet.reorg(depth, blocks, style);
        report.reorg();
        unsettledReorg = true;
        highest = Math.max(highest, newTip);
        return f;
    }

    private DaemonProcess start(String pauseAt) throws Exception {
        step("start" + (pauseAt == null ? "" : " pausing at " + pauseAt) + ", tip " + devnet.height());
        return DaemonProcess.start(config, pauseAt, logs);
    }

    private void kill(DaemonProcess d) throws Exception {
        assertThat(d.isAlive()).as("the daemon stopped by itself:\n%s", E2e.tail(d.stderr())).isTrue();
        d.kill();
        report.kill();
    }

    /** Runs the schedule, then a last run to the tip ended by SIGTERM (exit 0). */
    void run(int kills) throws Exception {
        while (report.kills() < kills) {
            int kind = rnd.nextInt(20);
            if (kind < 12) {
                randomInstant();
            } else if (kind < 17) {
                crashPoint();
            } else {
                undoCrashPoint();
            }
        }
        try (DaemonProcess d = start(null)) {
            awaitTip(d);
            mine(2);
            awaitTip(d);
            assertThat(d.terminate(E2e.WAIT)).as("exit status after SIGTERM").isZero();
        }
    }

    private void randomInstant() throws Exception {
        mine(1 + rnd.nextInt(6));
        if (rnd.nextInt(4) == 0) {
            reorg(null, ReorgStyle.INSTANT); // while the daemon is down
        }
        int action = rnd.nextInt(6);
        int delay = rnd.nextInt(1500);
        // mostly once it follows the node (its store and sinks open), sometimes still starting up
        boolean startingUp = rnd.nextInt(5) == 0;
        try (DaemonProcess d = start(null)) {
            if (!startingUp) {
                d.awaitStderr("debshrew following", E2e.WAIT);
            }
            CompletableFuture<Void> reorg = CompletableFuture.completedFuture(null);
            if (action == 0 || action == 1) {
                reorg = reorg(d, action == 0 ? ReorgStyle.INSTANT : ReorgStyle.PHASED);
            } else if (action == 2) {
                mine(1 + rnd.nextInt(3));
            }
            Thread.sleep(delay); // when to kill; the verdict never depends on it
            step("kill " + delay + " ms after " + (startingUp ? "start" : "following") + " (action " + action + ")");
            kill(d);
            reorg.get(60, TimeUnit.SECONDS);
        }
    }

    private void crashPoint() throws Exception {
        // blocks above every earlier tip were never seen by the daemon: it will commit them in groups
        long unseen = highest + 1;
        mine((int) (unseen + 3 + rnd.nextInt(8) - devnet.height()));
        long h = unseen + rnd.nextInt((int) (devnet.height() - unseen + 1));
        String point = POINTS[rnd.nextInt(POINTS.length)] + "@" + h;
        try (DaemonProcess d = start(point)) {
            d.awaitPaused(E2e.WAIT);
            kill(d);
        }
    }

    private void undoCrashPoint() throws Exception {
        try (DaemonProcess d = start(null)) {
            awaitTip(d);
            assertThat(d.terminate(E2e.WAIT)).as("exit status after SIGTERM").isZero();
        }
        long oldTip = devnet.height();
        reorg(null, ReorgStyle.INSTANT).get(60, TimeUnit.SECONDS);
        try (DaemonProcess d = start("after-undo-sink-commit@" + oldTip)) {
            d.awaitPaused(E2e.WAIT);
            kill(d);
        }
    }

    static List<String> points() {
        return List.of(POINTS);
    }
}
