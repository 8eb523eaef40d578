package dev.debshrew.testing;

import dev.debshrew.follow.FollowerListener;

/**
 * Crash points for tests, installed through {@code META-INF/services} on the test class path: when
 * the daemon process runs with {@code -Ddebshrew.test.pauseAt=<point>@<height>} (e.g.
 * {@code after-state-commit@15}), it prints {@code PAUSED <point> <height>} to stderr on reaching
 * that point of the commit protocol for a group containing that height, and waits there forever,
 * so that the test can kill the process with SIGKILL at exactly that instant.
 *
 * <p>Points: {@code before-state-commit} (the block is run, nothing committed), {@code
 * after-state-commit} (store committed, sinks not yet), {@code after-sink-commit} (fully committed),
 * {@code after-undo-sink-commit} (reorg: the sinks have the block's inverse, the store has not
 * reverted it yet).
 *
 * <p>With {@code <point>@<height>:<ms>} the daemon only holds there for that many milliseconds (or
 * until its thread is interrupted) and then goes on: a test can stop it with SIGTERM while it is in
 * the middle of a commit or an undo.
 */
public final class PauseAtHook implements FollowerListener {

    private final String point;
    private final long height;
    private final long holdMs;

    /** Reads the system property; without it every hook does nothing. */
    public PauseAtHook() {
        String spec = System.getProperty("debshrew.test.pauseAt");
        if (spec == null) {
            point = null;
            height = -1;
            holdMs = -1;
        } else {
            int at = spec.lastIndexOf('@');
            int colon = spec.indexOf(':', at);
            point = spec.substring(0, at);
            height = Long.parseLong(spec.substring(at + 1, colon < 0 ? spec.length() : colon));
            holdMs = colon < 0 ? -1 : Long.parseLong(spec.substring(colon + 1));
        }
    }

    @Override
    public void beforeStoreCommit(long first, long last) {
        reached("before-state-commit", first, last);
    }

    @Override
    public void afterStoreCommit(long first, long last) {
        reached("after-state-commit", first, last);
    }

    @Override
    public void afterSinkCommit(long first, long last) {
        reached("after-sink-commit", first, last);
    }

    @Override
    public void afterUndoSinkCommit(long h) {
        reached("after-undo-sink-commit", h, h);
    }

    private void reached(String p, long first, long last) {
        if (point == null || !point.equals(p) || height < first || height > last) {
            return;
        }
        System.err.println("PAUSED " + p + " " + height);
        System.err.flush();
        if (holdMs >= 0) {
            try {
                Thread.sleep(holdMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        while (true) { // only SIGKILL ends this
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                // keep waiting
            }
        }
    }
}
