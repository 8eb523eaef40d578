package dev.debshrew.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.debshrew.follow.BlockFollower;
import dev.debshrew.journal.JournalEntry;
import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.metrics.DebshrewMetrics;
import dev.debshrew.sink.Cursor;
import dev.debshrew.util.Secrets;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP server (JDK {@code com.sun.net.httpserver}): endpoints for operators and
 * monitoring.
 *
 * <ul>
 * <li>{@code GET /metrics}: every metric in the Prometheus text format;</li>
 * <li>{@code GET /health}: liveness ({@link Health#liveness}): 200 while the follower runs and is not
 *     wedged, whether or not the node and the sinks are up; 503 otherwise; JSON body
 *     {@code {"status": "ok"|"unhealthy", "reason": ...}};</li>
 * <li>{@code GET /ready}: readiness ({@link Health#readiness}): 200 when caught up within
 *     {@code admin.ready_max_lag} blocks, the node reachable and every sink up; 503 otherwise; JSON body
 *     {@code {"status": "ready"|"not_ready", "reason": ..., "reasons": [...], "lag": n}};</li>
 * <li>{@code GET /status}: JSON with the node (URL without credentials, path or query, see
 *     {@link Secrets#redactEndpoint}; version line;
 *     height; lag; up; last error), the follower (state, next height), the reorg window (tip, size),
 *     each sink's cursor, and {@code components} (node, transform, each sink: up/down and the last
 *     error with its time, cleared on recovery). Failure texts and sink names pass through
 *     {@link Secrets#scrub}.</li>
 * <li>{@code POST /admin/reload}: hot reload of the transform module ({@link ReloadEndpoint}), when the
 *     daemon offers it ({@link #enableReload}); {@code /status} shows the last one ({@code last_reload}).</li>
 * <li>{@code GET /}: the live status page ({@link StatusPage}), and {@code GET /status/history} its
 *     chart samples, recent reorgs, window blocks and last errors ({@link StatusHistory}).</li>
 * </ul>
 * With {@code admin.token} set, every endpoint but {@code /health} and the static page itself
 * ({@code GET /}, which holds no data and sends the token given as {@code /#token=T} with its own
 * requests) requires the header
 * {@code Authorization: Bearer TOKEN} (compared in constant time); otherwise 401 with
 * {@code WWW-Authenticate}. It binds to {@code admin.bind} (default 127.0.0.1) and serves on two
 * daemon threads, so a slow client never blocks the follower.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String JSON = "application/json";

    static {
        // The JDK server writes headers and body separately; without TCP_NODELAY every answer waits
        // ~40 ms for a delayed ACK. Read once, when the JDK creates its first server.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final DebshrewMetrics metrics;
    private final BlockFollower follower;
    private final MetashrewClient client;
    private final String transformName;
    private final Options options;
    private final ObjectMapper mapper = new ObjectMapper();
    private final HttpServer http;
    private final ExecutorService executor;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final StatusHistory history;
    private volatile ModuleReloads reloads;

    /**
     * How the admin server judges health and who may call it.
     *
     * @param nodeStaleAfter /ready fails when no metashrew call succeeded for this long
     * @param readyMaxLag    /ready fails when the follower is more blocks than this behind the node
     * @param stallAfter     /health fails when the follower recorded no heartbeat for this long
     * @param token          bearer token required by every endpoint but /health; null: none
     */
    public record Options(Duration nodeStaleAfter, long readyMaxLag, Duration stallAfter, String token) {
        /** Options without a token, with {@code readyMaxLag} 2 and {@code stallAfter} 120 s. */
        public static Options defaults(Duration nodeStaleAfter) {
            return new Options(nodeStaleAfter, 2, Duration.ofSeconds(120), null);
        }

        /** Never shows the token. */
        @Override
        public String toString() {
            return "Options[nodeStaleAfter=" + nodeStaleAfter + ", readyMaxLag=" + readyMaxLag + ", stallAfter="
                    + stallAfter + ", token=" + (token == null ? "none" : Secrets.MASK) + "]";
        }
    }

    private AdminServer(HttpServer http, ExecutorService executor, DebshrewMetrics metrics, BlockFollower follower,
            MetashrewClient client, String transformName, Options options) {
        this.http = http;
        this.executor = executor;
        this.metrics = metrics;
        this.follower = follower;
        this.client = client;
        this.transformName = transformName;
        this.options = options;
        this.history = StatusHistory.start(metrics, follower);
    }

    /**
     * Binds {@code bind:port} (port 0: any free port) and starts serving.
     *
     * @throws IOException when the address cannot be bound (in use, not local, unknown host)
     */
    public static AdminServer start(String bind, int port, DebshrewMetrics metrics, BlockFollower follower,
            MetashrewClient client, String transformName, Duration nodeStaleAfter) throws IOException {
        return start(bind, port, metrics, follower, client, transformName, Options.defaults(nodeStaleAfter));
    }

    /** Like the other {@code start}, with every option. */
    public static AdminServer start(String bind, int port, DebshrewMetrics metrics, BlockFollower follower,
            MetashrewClient client, String transformName, Options options) throws IOException {
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(follower, "follower");
        Objects.requireNonNull(client, "client");
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(bind), port);
        HttpServer http = HttpServer.create(address, 16);
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "debshrew-admin-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(executor);
        AdminServer server = new AdminServer(http, executor, metrics, follower, client, transformName, options);
        http.createContext("/", server::handle);
        http.start();
        log.info("admin server listening on http://{}:{}/ (metrics, health, ready, status; {})",
                http.getAddress().getAddress().getHostAddress(), http.getAddress().getPort(),
                options.token() == null ? "no token" : "bearer token required except for /health and the page");
        return server;
    }

    /** Offers {@code POST /admin/reload} with {@code reloads} (until then it answers 503). */
    public void enableReload(ModuleReloads reloads) {
        this.reloads = reloads;
    }

    /** The bound address (the actual port when started with port 0). */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    /** Stops serving. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            http.stop(0);
            executor.shutdownNow();
            history.close();
            log.info("admin server stopped");
        }
    }

    private void handle(HttpExchange ex) {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            boolean open = "/health".equals(path) || StatusPage.isPagePath(path, ex.getRequestMethod());
            if (!open && !AdminAuth.authorized(options.token(), ex)) {
                ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"debshrew-admin\"");
                send(ex, 401, "text/plain; charset=utf-8", "401 unauthorized: this endpoint requires the header"
                        + " 'Authorization: Bearer <admin.token>'\n", "HEAD".equals(ex.getRequestMethod()));
                return;
            }
            String method = ex.getRequestMethod();
            if (ReloadEndpoint.PATH.equals(path)) {
                ReloadEndpoint.Answer a = ReloadEndpoint.handle(ex, reloads, mapper);
                send(ex, a.status(), JSON, a.body(), false);
                return;
            }
            boolean head = "HEAD".equals(method);
            if (!head && !"GET".equals(method)) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                send(ex, 405, "text/plain; charset=utf-8", "only GET and HEAD are supported\n", false);
                return;
            }
            switch (path) {
                case "/metrics" -> send(ex, 200, PROMETHEUS_TEXT, metrics.scrape(), head);
                case "/health" -> {
                    Health h = Health.liveness(metrics, options.stallAfter());
                    ObjectNode body = mapper.createObjectNode();
                    body.put("status", h.healthy() ? "ok" : "unhealthy");
                    body.put("reason", h.reason());
                    send(ex, h.healthy() ? 200 : 503, JSON, mapper.writeValueAsString(body) + "\n", head);
                }
                case "/ready" -> {
                    Health h = readiness();
                    ObjectNode body = mapper.createObjectNode();
                    body.put("status", h.healthy() ? "ready" : "not_ready");
                    body.put("reason", h.reason());
                    h.reasons().forEach(body.putArray("reasons")::add);
                    body.put("lag", metrics.lag());
                    send(ex, h.healthy() ? 200 : 503, JSON, mapper.writeValueAsString(body) + "\n", head);
                }
                case "/status" -> send(ex, 200, JSON,
                        mapper.writerWithDefaultPrettyPrinter().writeValueAsString(status()) + "\n", head);
                case "/", "/index.html" -> {
                    ex.getResponseHeaders().set("Content-Security-Policy", StatusPage.CONTENT_SECURITY_POLICY);
                    send(ex, 200, "text/html; charset=utf-8", StatusPage.html(), head);
                }
                case "/status/history" -> send(ex, 200, JSON, mapper.writeValueAsString(history.toJson(mapper)) + "\n",
                        head);
                default -> send(ex, 404, "text/plain; charset=utf-8", "not found: " + path + "\n", head);
            }
        } catch (IOException e) {
            log.debug("admin server: cannot answer a request: {}", e.toString());
        } catch (RuntimeException e) {
            log.warn("admin server: internal error answering {}", ex.getRequestURI(), e);
        }
    }

    private Health readiness() {
        return Health.readiness(metrics, follower.sinkPositions(), options.readyMaxLag(), options.nodeStaleAfter(),
                options.stallAfter());
    }

    /** The body of {@code GET /status}. */
    ObjectNode status() {
        ObjectNode root = mapper.createObjectNode();
        root.put("role", "active"); // a standby's own server answers "standby" (StandbyAdmin)
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
        return root;
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

    static void send(HttpExchange ex, int status, String contentType, String body, boolean head)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        if (head) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
