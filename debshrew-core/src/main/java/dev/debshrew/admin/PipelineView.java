package dev.debshrew.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.follow.BlockFollower;
import dev.debshrew.journal.JournalEntry;
import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.metrics.DebshrewMetrics;
import dev.debshrew.sink.Cursor;
import dev.debshrew.util.Secrets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One pipeline as the admin server shows it: its follower, metrics, transform, hot reload and
 * status history. A single-pipeline daemon has one (its fields are {@code GET /status}'s top
 * level); a daemon with several has one per pipeline ({@code pipelines} in {@code GET /status}).
 */
final class PipelineView implements AutoCloseable {

    private final String name;
    private final DebshrewMetrics metrics;
    private final BlockFollower follower;
    private final String transformName;
    private final AdminServer.Options options;
    private final StatusHistory history;
    private volatile ModuleReloads reloads;

    PipelineView(String name, DebshrewMetrics metrics, BlockFollower follower, String transformName,
            AdminServer.Options options) {
        this.name = name;
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.follower = Objects.requireNonNull(follower, "follower");
        this.transformName = transformName;
        this.options = Objects.requireNonNull(options, "options");
        this.history = StatusHistory.start(metrics, follower);
    }

    /** The pipeline's name (null for the single pipeline of a daemon without {@code pipelines}). */
    String name() {
        return name;
    }

    DebshrewMetrics metrics() {
        return metrics;
    }

    StatusHistory history() {
        return history;
    }

    ModuleReloads reloads() {
        return reloads;
    }

    void enableReload(ModuleReloads r) {
        this.reloads = r;
    }

    @Override
    public void close() {
        history.close();
    }

    /** Readiness of this pipeline ({@link Health#readiness}). */
    Health readiness() {
        return Health.readiness(metrics, follower.sinkPositions(), options.readyMaxLag(), options.nodeStaleAfter(),
                options.stallAfter());
    }

    /** Liveness of this pipeline ({@link Health#liveness}). */
    Health liveness() {
        return Health.liveness(metrics, options.stallAfter());
    }

    /** Writes this pipeline's part of {@code GET /status} into {@code root}. */
    void status(ObjectNode root, MetashrewClient client) {
        ModuleReloads r = reloads;
        String transform = r == null ? transformName : r.running(); // a hot reload changes it
        root.put("transform", transform);
        root.put("version", DebshrewMetrics.version());
        Health live = Health.liveness(metrics, options.stallAfter());
        Health ready = readiness();
        root.put("healthy", live.healthy());
        root.put("ready", ready.healthy());
        ready.reasons().forEach(root.putArray("not_ready_reasons")::add);

        ObjectNode f = root.putObject("follower");
        f.put("state", metrics.followerState().name().toLowerCase(Locale.ROOT));
        if (metrics.followerFailure() != null) {
            f.put("failure", Secrets.scrub(metrics.followerFailure()));
        }
        long next = follower.nextHeight();
        if (next >= 0) {
            f.put("next_height", next);
        } else {
            f.putNull("next_height");
        }
        f.put("processed_blocks", follower.processedBlocks());

        ObjectNode node = root.putObject("node");
        node.put("url", Secrets.redactEndpoint(client.config().url()));
        node.put("version_line", client.versionLine().id());
        long nodeHeight = metrics.nodeHeight();
        if (follower.confirmations() > 1) { // height and lag are then of the confirmed tip
            node.put("confirmations", follower.confirmations());
            node.put("node_tip", follower.nodeTip());
        }
        if (nodeHeight >= 0) {
            node.put("height", nodeHeight);
            if (next >= 0) {
                node.put("lag", Math.max(0, nodeHeight - (next - 1)));
            }
        } else {
            node.putNull("height");
        }
        Duration since = metrics.sinceLastNodeSuccess();
        if (since != null) {
            node.put("last_success_ms_ago", since.toMillis());
        } else {
            node.putNull("last_success_ms_ago");
        }
        String nodeFailure = metrics.lastNodeFailure();
        Instant nodeFailureAt = metrics.lastNodeFailureAt();
        boolean nodeUp = since != null && since.compareTo(options.nodeStaleAfter()) <= 0 && nodeFailure == null;
        node.put("up", nodeUp);
        if (nodeFailure != null) {
            node.put("last_failure", Secrets.scrub(nodeFailure));
            node.put("last_failure_at", String.valueOf(nodeFailureAt));
        }

        Optional<ModuleReloads.Report> lastReload = r == null ? Optional.empty() : r.last();
        if (lastReload.isPresent()) {
            lastReload.get().toJson(root.putObject("last_reload"));
        } else {
            root.putNull("last_reload");
        }

        ObjectNode w = root.putObject("window");
        Optional<JournalEntry> tip = follower.windowTip();
        if (tip.isPresent()) {
            w.put("tip_height", tip.get().height());
            w.put("tip_hash", tip.get().hash());
        } else {
            w.putNull("tip_height");
            w.putNull("tip_hash");
        }
        w.put("blocks", follower.windowBlocks());
        w.put("size", follower.windowSize());

        ArrayNode components = root.putArray("components");
        component(components, "node", Secrets.redactEndpoint(client.config().url()), nodeUp, nodeFailure, nodeFailureAt);
        component(components, "transform", transform, metrics.transformFailure() == null,
                metrics.transformFailure(), metrics.transformFailureAt());
        List<BlockFollower.SinkPosition> positions = follower.sinkPositions();
        for (BlockFollower.SinkPosition p : positions) {
            component(components, "sink", p.sink(), p.up(), p.lastError(), p.lastErrorAt());
        }

        ArrayNode sinks = root.putArray("sinks");
        for (BlockFollower.SinkPosition p : positions) {
            ObjectNode s = sinks.addObject();
            s.put("name", Secrets.scrub(p.sink()));
            s.put("up", p.up());
            if (p.lastError() != null) {
                s.put("last_error", Secrets.scrub(p.lastError()));
                s.put("last_error_at", p.lastErrorAt().toString());
            }
            Cursor c = p.cursor();
            if (c == null) {
                s.putNull("cursor");
            } else {
                ObjectNode cn = s.putObject("cursor");
                cn.put("height", c.height());
                cn.put("hash", c.hash());
            }
        }
    }

    /** One entry of {@code components}: kind, name, up, and the last error with its time (null when none). */
    private static void component(ArrayNode into, String kind, String name, boolean up, String error, Instant at) {
        ObjectNode c = into.addObject();
        c.put("kind", kind);
        c.put("name", Secrets.scrub(name));
        c.put("up", up);
        if (error != null) {
            c.put("last_error", Secrets.scrub(error));
            c.put("last_error_at", String.valueOf(at));
        } else {
            c.putNull("last_error");
            c.putNull("last_error_at");
        }
    }
}
