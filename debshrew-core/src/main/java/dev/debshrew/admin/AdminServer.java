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
 * The admin HTTP server (JDK {@code com.sun.net.httpserver}): read-only endpoints for operators and
 * monitoring.
 *
 * <ul>
 * <li>{@code GET /metrics}: every metric in the Prometheus text format;</li>
 * <li>{@code GET /health}: 200 while the follower runs and a metashrew call succeeded recently, 503
 *     otherwise; JSON body {@code {"status": "ok"|"unhealthy", "reason": ...}};</li>
 * <li>{@code GET /status}: JSON with the node (URL without credentials, path or query, see
 *     {@link Secrets#redactEndpoint}; version line;
 *     height; lag), the follower (state, next height), the reorg window (tip, size) and each sink's
 *     cursor. Failure texts and sink names pass through {@link Secrets#scrub}.</li>
 * <li>{@code GET /}: the live status page ({@link StatusPage}), and {@code GET /status/history} its
 *     chart samples, recent reorgs, window blocks and last errors ({@link StatusHistory}).</li>
 * </ul>
 * It binds to {@code admin.bind} (default 127.0.0.1: it has no authentication) and serves on two
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
    private final Duration nodeStaleAfter;
    private final ObjectMapper mapper = new ObjectMapper();
    private final HttpServer http;
    private final ExecutorService executor;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final StatusHistory history;

    private AdminServer(HttpServer http, ExecutorService executor, DebshrewMetrics metrics, BlockFollower follower,
            MetashrewClient client, String transformName, Duration nodeStaleAfter) {
        this.http = http;
        this.executor = executor;
        this.metrics = metrics;
        this.follower = follower;
        this.client = client;
        this.transformName = transformName;
        this.nodeStaleAfter = nodeStaleAfter;
        this.history = StatusHistory.start(metrics, follower);
    }

    /**
     * Binds {@code bind:port} (port 0: any free port) and starts serving.
     *
     * @throws IOException when the address cannot be bound (in use, not local, unknown host)
     */
    public static AdminServer start(String bind, int port, DebshrewMetrics metrics, BlockFollower follower,
            MetashrewClient client, String transformName, Duration nodeStaleAfter) throws IOException {
        Objects.requireNonNull(metrics, "metrics");
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
        AdminServer server = new AdminServer(http, executor, metrics, follower, client, transformName, nodeStaleAfter);
        http.createContext("/", server::handle);
        http.start();
        log.info("admin server listening on http://{}:{}/ (metrics, health, status)",
                http.getAddress().getAddress().getHostAddress(), http.getAddress().getPort());
        return server;
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
            String method = ex.getRequestMethod();
            boolean head = "HEAD".equals(method);
            if (!head && !"GET".equals(method)) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                send(ex, 405, "text/plain; charset=utf-8", "only GET and HEAD are supported\n", false);
                return;
            }
            String path = ex.getRequestURI().getPath();
            switch (path) {
                case "/metrics" -> send(ex, 200, PROMETHEUS_TEXT, metrics.scrape(), head);
                case "/health" -> {
                    Health h = Health.evaluate(metrics, nodeStaleAfter);
                    ObjectNode body = mapper.createObjectNode();
                    body.put("status", h.healthy() ? "ok" : "unhealthy");
                    body.put("reason", h.reason());
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

    /** The body of {@code GET /status}. */
    ObjectNode status() {
        ObjectNode root = mapper.createObjectNode();
        root.put("transform", transformName);

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
        if (metrics.lastNodeFailure() != null) {
            node.put("last_failure", Secrets.scrub(metrics.lastNodeFailure()));
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

        ArrayNode sinks = root.putArray("sinks");
        for (BlockFollower.SinkPosition p : follower.sinkPositions()) {
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

    private static void send(HttpExchange ex, int status, String contentType, String body, boolean head)
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
