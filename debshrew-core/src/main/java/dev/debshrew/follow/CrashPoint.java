package dev.debshrew.follow;

/**
 * Named points of the commit protocol where crash tests stop the daemon. When the system property
 * {@code debshrew.test.pauseAt} is {@code <point>@<height>} (e.g. {@code after-state-commit@15}),
 * the follower prints {@code PAUSED <point> <height>} to stderr on reaching that point and waits
 * there forever, so that the test can kill the process with SIGKILL at exactly that instant.
 * Without the property this costs one field read per point.
 */
public enum CrashPoint {
    /** Transform done, nothing committed for the block. */
    BEFORE_STATE_COMMIT("before-state-commit"),
    /** State and journal committed, sink not yet. */
    AFTER_STATE_COMMIT("after-state-commit"),
    /** Block fully committed. */
    AFTER_SINK_COMMIT("after-sink-commit"),
    /** Reorg: the sink committed a block's inverse messages, the store has not reverted it yet. */
    AFTER_UNDO_SINK_COMMIT("after-undo-sink-commit");

    private static final String PAUSE_AT = System.getProperty("debshrew.test.pauseAt");

    private final String id;

    CrashPoint(String id) {
        this.id = id;
    }

    /** Pauses forever if this point at {@code height} was requested. */
    void reached(long height) {
        if (PAUSE_AT != null && PAUSE_AT.equals(id + "@" + height)) {
            System.err.println("PAUSED " + id + " " + height);
            System.err.flush();
            while (true) {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    // keep waiting: only SIGKILL ends this
                }
            }
        }
    }
}
