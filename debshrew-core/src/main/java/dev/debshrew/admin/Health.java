package dev.debshrew.admin;

import dev.debshrew.metrics.DebshrewMetrics;
import dev.debshrew.metrics.DebshrewMetrics.FollowerState;
import java.time.Duration;

/**
 * The verdict of {@code GET /health}: healthy while the follower runs and a metashrew call succeeded
 * within {@code nodeStaleAfter}.
 *
 * @param healthy whether to answer 200 (else 503)
 * @param reason  one line saying why
 */
public record Health(boolean healthy, String reason) {

    /** Evaluates the health from what {@code metrics} observed. */
    public static Health evaluate(DebshrewMetrics metrics, Duration nodeStaleAfter) {
        FollowerState state = metrics.followerState();
        switch (state) {
            case NOT_STARTED -> {
                return new Health(false, "the follower has not started yet");
            }
            case STOPPED -> {
                return new Health(false, "the follower stopped");
            }
            case FAILED -> {
                return new Health(false, "the follower failed: " + metrics.followerFailure());
            }
            default -> {
            }
        }
        Duration since = metrics.sinceLastNodeSuccess();
        String lastFailure = metrics.lastNodeFailure();
        if (since == null) {
            return new Health(false, "no metashrew call has succeeded yet"
                    + (lastFailure == null ? "" : "; last failure: " + lastFailure));
        }
        if (since.compareTo(nodeStaleAfter) > 0) {
            return new Health(false, "the last successful metashrew call was " + since.toMillis() + " ms ago (limit "
                    + nodeStaleAfter.toMillis() + " ms)" + (lastFailure == null ? "" : "; last failure: " + lastFailure));
        }
        return new Health(true, "following; last successful metashrew call " + since.toMillis() + " ms ago");
    }
}
