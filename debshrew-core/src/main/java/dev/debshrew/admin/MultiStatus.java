package dev.debshrew.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.metrics.DebshrewMetrics.FollowerState;
import dev.debshrew.metrics.DebshrewMetrics;
import dev.debshrew.util.Secrets;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The admin answers of a daemon with several pipelines (docs/operations.md, "Several pipelines"):
 * <ul>
 * <li>liveness ({@code /health}): 503 when a running pipeline is wedged, or when no pipeline runs;
 *     a pipeline that failed or was stopped does not fail it (it stopped alone; restarting the
 *     process would not help the others) but is named in the reason;</li>
 * <li>readiness ({@code /ready}): 200 only when every pipeline is ready (a failed one is not);</li>
 * <li>{@code /status}: the daemon at the top level ({@code role}, {@code version}, {@code healthy},
 *     {@code ready}, {@code node}) and {@code pipelines}: each pipeline's name and state with the
 *     fields a single-pipeline daemon shows at its top level.</li>
 * </ul>
 */
final class MultiStatus {

    private MultiStatus() {
    }

    static Health liveness(List<PipelineView> pipelines) {
        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        int running = 0;
        for (PipelineView p : pipelines) {
            FollowerState state = p.metrics().followerState();
            if (state == FollowerState.RUNNING) {
                running++;
                Health h = p.liveness();
                if (!h.healthy()) {
                    problems.add("pipeline " + p.name() + ": " + h.reason());
                }
            } else {
                notes.add("pipeline " + p.name() + " " + state.name().toLowerCase(Locale.ROOT));
            }
        }
        if (running == 0) {
            problems.add("no pipeline runs" + (notes.isEmpty() ? "" : " (" + String.join(", ", notes) + ")"));
        }
        if (!problems.isEmpty()) {
            return new Health(false, String.join("; ", problems), List.copyOf(problems));
        }
        return new Health(true, running + " of " + pipelines.size() + " pipelines alive"
                + (notes.isEmpty() ? "" : "; " + String.join(", ", notes)), List.of());
    }

    static Health readiness(List<PipelineView> pipelines) {
        List<String> problems = new ArrayList<>();
        for (PipelineView p : pipelines) {
            p.readiness().reasons().forEach(r -> problems.add("pipeline " + p.name() + ": " + r));
        }
        if (problems.isEmpty()) {
            return new Health(true, "every pipeline caught up, node reachable, every sink up", List.of());
        }
        return new Health(false, String.join("; ", problems), List.copyOf(problems));
    }

    /** The largest known lag of the pipelines, -1 when none is known. */
    static long maxLag(List<PipelineView> pipelines) {
        return pipelines.stream().mapToLong(p -> p.metrics().lag()).max().orElse(-1);
    }

    /** The pipeline named by {@code pipeline=NAME} in {@code query}; the first without a name; null: unknown. */
    static PipelineView named(List<PipelineView> pipelines, String query) {
        String name = parameter(query, "pipeline");
        if (name == null) {
            return pipelines.get(0);
        }
        return pipelines.stream().filter(p -> name.equals(p.name())).findFirst().orElse(null);
    }

    static ReloadEndpoint.Answer reload(HttpExchange ex, List<PipelineView> pipelines, ObjectMapper mapper)
            throws IOException {
        return ReloadEndpoint.handle(ex, pipelines, parameter(ex.getRequestURI().getRawQuery(), "pipeline"), mapper);
    }

    static ObjectNode status(List<PipelineView> pipelines, MetashrewClient client, ObjectMapper mapper) {
        ObjectNode root = mapper.createObjectNode();
        root.put("role", "active");
        root.put("version", DebshrewMetrics.version());
        Health live = liveness(pipelines);
        Health ready = readiness(pipelines);
        root.put("healthy", live.healthy());
        root.put("ready", ready.healthy());
        ready.reasons().forEach(root.putArray("not_ready_reasons")::add);
        ObjectNode node = root.putObject("node");
        node.put("url", Secrets.redactEndpoint(client.config().url()));
        node.put("version_line", client.versionLine().id());
        ArrayNode list = root.putArray("pipelines");
        for (PipelineView p : pipelines) {
            ObjectNode one = list.addObject();
            one.put("name", p.name());
            one.put("state", p.metrics().followerState().name().toLowerCase(Locale.ROOT));
            p.status(one, client);
        }
        return root;
    }

    private static String parameter(String query, String key) {
        if (query == null) {
            return null;
        }
        for (String part : query.split("&")) {
            int eq = part.indexOf('=');
            if (eq > 0 && URLDecoder.decode(part.substring(0, eq), StandardCharsets.UTF_8).equals(key)) {
                return URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
