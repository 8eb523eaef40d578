package dev.debshrew.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.debshrew.follow.BlockFollower;
import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.metrics.DebshrewMetrics;
import dev.debshrew.util.Secrets;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
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

    private final List<PipelineView> pipelines;
    /** Whether the config listed pipelines: {@code GET /status} then describes the daemon at the top level. */
    private final boolean multi;
    private final MetashrewClient client;
    private final Options options;
    private final ObjectMapper mapper = new ObjectMapper();
    private final HttpServer http;
    private final ExecutorService executor;
    private final AtomicBoolean closed = new AtomicBoolean();

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

    /**
     * One pipeline of a daemon with several ({@link #startPipelines}).
     *
     * @param name          the pipeline's name
     * @param metrics       its metrics (tagged {@code pipeline=<name>} in the daemon's registry)
     * @param follower      its follower
     * @param transformName its transform's name
     * @param options       its health thresholds (the token of the first pipeline's options guards every endpoint)
     * @param reloads       its hot reload
     */
    public record Pipeline(String name, DebshrewMetrics metrics, BlockFollower follower, String transformName,
            Options options, ModuleReloads reloads) {
    }

    private AdminServer(HttpServer http, ExecutorService executor, List<PipelineView> pipelines, boolean multi,
            MetashrewClient client, Options options) {
        this.http = http;
        this.executor = executor;
        this.pipelines = pipelines;
        this.multi = multi;
        this.client = client;
        this.options = options;
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
        Objects.requireNonNull(options, "options");
        return start(bind, port, List.of(new PipelineView(null, metrics, follower, transformName, options)), false,
                client, options);
    }

    /**
     * The admin server of a daemon with several pipelines sharing {@code client}: {@code GET /status}
     * describes the daemon and lists each pipeline, {@code /metrics} is the shared registry (every
     * pipeline's meters tagged {@code pipeline}), {@code /health} fails when a running pipeline is
     * wedged or none runs, {@code /ready} needs every pipeline ready, {@code POST /admin/reload?pipeline=NAME}
     * reloads one (without a name: all).
     */
    public static AdminServer startPipelines(String bind, int port, MetashrewClient client, List<Pipeline> list)
            throws IOException {
        if (list.isEmpty()) {
            throw new IllegalArgumentException("no pipeline");
        }
        List<PipelineView> views = new java.util.ArrayList<>();
        for (Pipeline p : list) {
            PipelineView v = new PipelineView(p.name(), p.metrics(), p.follower(), p.transformName(), p.options());
            v.enableReload(p.reloads());
            views.add(v);
        }
        return start(bind, port, List.copyOf(views), true, client, list.get(0).options());
    }

    private static AdminServer start(String bind, int port, List<PipelineView> views, boolean multi,
            MetashrewClient client, Options options) throws IOException {
        Objects.requireNonNull(client, "client");
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getByName(bind), port), 16);
        } catch (IOException | RuntimeException e) {
            views.forEach(PipelineView::close); // their history samplers
            throw e;
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "debshrew-admin-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(executor);
        AdminServer server = new AdminServer(http, executor, views, multi, client, options);
        http.createContext("/", server::handle);
        http.start();
        log.info("admin server listening on http://{}:{}/ (metrics, health, ready, status; {})",
                http.getAddress().getAddress().getHostAddress(), http.getAddress().getPort(),
                options.token() == null ? "no token" : "bearer token required except for /health and the page");
        return server;
    }

    /** Offers {@code POST /admin/reload} with {@code reloads} (until then it answers 503). */
    public void enableReload(ModuleReloads reloads) {
        pipelines.get(0).enableReload(reloads);
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
            pipelines.forEach(PipelineView::close);
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
                ReloadEndpoint.Answer a = multi ? MultiStatus.reload(ex, pipelines, mapper)
                        : ReloadEndpoint.handle(ex, pipelines.get(0).reloads(), mapper);
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
                case "/metrics" -> send(ex, 200, PROMETHEUS_TEXT, pipelines.get(0).metrics().scrape(), head);
                case "/health" -> {
                    Health h = multi ? MultiStatus.liveness(pipelines) : pipelines.get(0).liveness();
                    ObjectNode body = mapper.createObjectNode();
                    body.put("status", h.healthy() ? "ok" : "unhealthy");
                    body.put("reason", h.reason());
                    send(ex, h.healthy() ? 200 : 503, JSON, mapper.writeValueAsString(body) + "\n", head);
                }
                case "/ready" -> {
                    Health h = multi ? MultiStatus.readiness(pipelines) : pipelines.get(0).readiness();
                    ObjectNode body = mapper.createObjectNode();
                    body.put("status", h.healthy() ? "ready" : "not_ready");
                    body.put("reason", h.reason());
                    h.reasons().forEach(body.putArray("reasons")::add);
                    body.put("lag", multi ? MultiStatus.maxLag(pipelines) : pipelines.get(0).metrics().lag());
                    send(ex, h.healthy() ? 200 : 503, JSON, mapper.writeValueAsString(body) + "\n", head);
                }
                case "/status" -> send(ex, 200, JSON,
                        mapper.writerWithDefaultPrettyPrinter().writeValueAsString(status()) + "\n", head);
                case "/", "/index.html" -> {
                    ex.getResponseHeaders().set("Content-Security-Policy", StatusPage.CONTENT_SECURITY_POLICY);
                    send(ex, 200, "text/html; charset=utf-8", StatusPage.html(), head);
                }
                case "/status/history" -> {
                    PipelineView v = MultiStatus.named(pipelines, ex.getRequestURI().getQuery());
                    if (v == null) {
                        send(ex, 404, "text/plain; charset=utf-8", "no such pipeline\n", head);
                    } else {
                        send(ex, 200, JSON, mapper.writeValueAsString(v.history().toJson(mapper)) + "\n", head);
                    }
                }
                default -> send(ex, 404, "text/plain; charset=utf-8", "not found: " + path + "\n", head);
            }
        } catch (IOException e) {
            log.debug("admin server: cannot answer a request: {}", e.toString());
        } catch (RuntimeException e) {
            log.warn("admin server: internal error answering {}", ex.getRequestURI(), e);
        }
    }

    /** The body of {@code GET /status}. */
    ObjectNode status() {
        if (multi) {
            return MultiStatus.status(pipelines, client, mapper);
        }
        ObjectNode root = mapper.createObjectNode();
        root.put("role", "active"); // a standby's own server answers "standby" (StandbyAdmin)
        pipelines.get(0).status(root, client);
        return root;
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
