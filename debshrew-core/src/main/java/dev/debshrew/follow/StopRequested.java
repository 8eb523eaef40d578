package dev.debshrew.follow;

/**
 * The stop was requested while the follower waited for a sink: the follower leaves its run
 * without failing, and the sink receives the block again at the next start.
 */
final class StopRequested extends Exception {

    private static final long serialVersionUID = 1L;

    StopRequested() {
        super("stop requested", null, false, false);
    }
}
