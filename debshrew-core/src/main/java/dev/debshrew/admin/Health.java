package dev.debshrew.admin;

import dev.debshrew.follow.BlockFollower;
import dev.debshrew.metrics.DebshrewMetrics;
import dev.debshrew.metrics.DebshrewMetrics.FollowerState;
import dev.debshrew.util.Secrets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The verdicts of {@code GET /health} (liveness) and {@code GET /ready} (readiness).
 *
 * <p><b>Liveness</b> ({@link #liveness}): the follower runs and is not wedged: it recorded a
 * heartbeat (a poll, a node call or retry, a sink retry) within {@code stallAfter}. A node or sink
 * that is down does not make the daemon unhealthy: the follower waits for it with a bounded back-off,
 * and restarting the process would not help.
 *
 * <p><b>Readiness</b> ({@link #readiness}): live, the node answered within {@code nodeStaleAfter},
 * the last processed block is within {@code maxLag} blocks of the node's tip, and every sink is up.
 *
 * @param healthy whether to answer 200 (else 503)
 * @param reason  one line saying why (the problems joined by "; ", or what is fine)
 * @param reasons each problem on its own (empty when {@code healthy})
 */
public record Health(boolean healthy, String reason, List<String> reasons) {

    /** A verdict with a single reason. */
    public Health(boolean healthy, String reason) {
        this(healthy, reason, healthy ? List.of() : List.of(reason));
    }

    /** Evaluates liveness from what {@code metrics} observed. */
    public static Health liveness(DebshrewMetrics metrics, Duration stallAfter) {
        FollowerState state = metrics.followerState();
        switch (state) {
            case NOT_STARTED -> {
                return new Health(false, "the follower has not started yet");
            }
            case STOPPED -> {
                return new Health(false, "the follower stopped");
            }
            case FAILED -> {
                return new Health(false, "the follower failed: " + Secrets.scrub(metrics.followerFailure()));
            }
            default -> {
            }
        }
        Duration since = metrics.sinceLastHeartbeat();
        if (since != null && since.compareTo(stallAfter) > 0) {
            return new Health(false, "the follower is wedged: no progress and no known wait for " + since.toSeconds()
                    + " s (limit " + stallAfter.toSeconds() + " s)");
        }
        return new Health(true, "the follower is alive; last heartbeat "
                + (since == null ? "at start" : since.toMillis() + " ms ago"));
    }

    /**
     * Evaluates readiness: live, node reachable, caught up within {@code maxLag} blocks, every sink
     * in {@code sinks} up. Every problem found is listed.
     */
    public static Health readiness(DebshrewMetrics metrics, List<BlockFollower.SinkPosition> sinks, long maxLag,
            Duration nodeStaleAfter, Duration stallAfter) {
        List<String> problems = new ArrayList<>();
        Health live = liveness(metrics, stallAfter);
        if (!live.healthy()) {
            problems.add(live.reason());
        }
        Duration since = metrics.sinceLastNodeSuccess();
        String nodeFailure = metrics.lastNodeFailure();
        if (since == null || since.compareTo(nodeStaleAfter) > 0) {
            problems.add("node: no successful metashrew call "
                    + (since == null ? "yet" : "for " + since.toSeconds() + " s (limit " + nodeStaleAfter.toSeconds() + " s)")
                    + (nodeFailure == null ? "" : "; last failure: " + Secrets.scrub(nodeFailure)));
        }
        long lag = metrics.lag();
        if (lag < 0) {
            problems.add("lag: unknown (node height or processed height not known yet)");
        } else if (lag > maxLag) {
            problems.add("lag: " + lag + " blocks behind the node (ready_max_lag " + maxLag + ")");
        }
        for (BlockFollower.SinkPosition s : sinks) {
            if (!s.up()) {
                problems.add("sink " + Secrets.scrub(s.sink()) + " is down"
                        + (s.lastError() == null ? "" : ": " + Secrets.scrub(s.lastError())));
            }
        }
        if (problems.isEmpty()) {
            return new Health(true, "caught up (lag " + lag + " blocks), node reachable, every sink up", List.of());
        }
        return new Health(false, String.join("; ", problems), List.copyOf(problems));
    }
}
