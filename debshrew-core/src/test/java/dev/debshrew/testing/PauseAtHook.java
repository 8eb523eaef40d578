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
 */
public final class PauseAtHook implements FollowerListener {

    private final String point;
    private final long height;

    /** Reads the system property; without it every hook does nothing. */
    public PauseAtHook() {
        String spec = System.getProperty("debshrew.test.pauseAt");
        if (spec == null) {
            point = null;
            height = -1;
        } else {
            int at = spec.lastIndexOf('@');
            point = spec.substring(0, at);
            height = Long.parseLong(spec.substring(at + 1));
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
        while (true) { // only SIGKILL ends this
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                // keep waiting
            }
        }
    }
}
