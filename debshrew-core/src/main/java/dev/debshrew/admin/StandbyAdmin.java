package dev.debshrew.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.debshrew.metrics.DebshrewMetrics;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin endpoints of a standby daemon (docs/operations.md, "Standby pair"), served on
 * {@code admin.port} while it waits for the pipeline lock; closed before the daemon takes over and
 * starts the full {@link AdminServer} on the same address. {@code GET /status} answers
 * {@code {"role": "standby", "lock_file": ..., "active_pid": ..., "standby_since": ...}},
 * {@code /health} 200 (the standby is alive and doing its job), {@code /ready} 503 (it serves no
 * output). {@code admin.token} applies as on the full server.
 */
public final class StandbyAdmin implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StandbyAdmin.class);
    private static final String JSON = "application/json";

    private final HttpServer http;
    private final ExecutorService executor;
    private final ObjectMapper mapper = new ObjectMapper();
    private final String token;
    private final Path lockFile;
    private final Supplier<String> activePid;
    private final Instant since = Instant.now();

    private StandbyAdmin(HttpServer http, ExecutorService executor, String token, Path lockFile,
            Supplier<String> activePid) {
        this.http = http;
        this.executor = executor;
        this.token = token;
        this.lockFile = lockFile;
        this.activePid = activePid;
    }

    /**
     * Binds {@code bind:port} and serves the standby's answers; {@code activePid} names the lock's
     * holder as last read.
     *
     * @throws IOException when the address cannot be bound
     */
    public static StandbyAdmin start(String bind, int port, String token, Path lockFile, Supplier<String> activePid)
            throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getByName(bind), port), 16);
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "debshrew-standby-admin");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(executor);
        StandbyAdmin server = new StandbyAdmin(http, executor, token, lockFile, activePid);
        http.createContext("/", server::handle);
        http.start();
        log.info("admin server listening on http://{}:{}/ (standby: status, health, ready)",
                http.getAddress().getAddress().getHostAddress(), http.getAddress().getPort());
        return server;
    }

    /** The bound address. */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    private void handle(HttpExchange ex) {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            boolean head = "HEAD".equals(ex.getRequestMethod());
            if (!"/health".equals(path) && !AdminAuth.authorized(token, ex)) {
                ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"debshrew-admin\"");
                AdminServer.send(ex, 401, "text/plain; charset=utf-8", "401 unauthorized\n", head);
                return;
            }
            String reason = "standby: waiting for the pipeline lock " + lockFile + " held by pid " + activePid.get();
            ObjectNode body = mapper.createObjectNode();
            switch (path) {
                case "/health" -> {
                    body.put("status", "ok").put("reason", reason);
                    AdminServer.send(ex, 200, JSON, mapper.writeValueAsString(body) + "\n", head);
                }
                case "/ready" -> {
                    body.put("status", "not_ready").put("reason", reason);
                    body.putArray("reasons").add(reason);
                    AdminServer.send(ex, 503, JSON, mapper.writeValueAsString(body) + "\n", head);
                }
                case "/status" -> {
                    body.put("role", "standby").put("version", DebshrewMetrics.version())
                            .put("healthy", true).put("ready", false)
                            .put("lock_file", lockFile.toString()).put("active_pid", activePid.get())
                            .put("standby_since", since.toString());
                    AdminServer.send(ex, 200, JSON, mapper.writerWithDefaultPrettyPrinter().writeValueAsString(body)
                            + "\n", head);
                }
                default -> AdminServer.send(ex, 404, "text/plain; charset=utf-8",
                        "not found: " + path + " (standby: /status, /health, /ready)\n", head);
            }
        } catch (IOException e) {
            log.debug("standby admin server: cannot answer a request: {}", e.toString());
        }
    }

    /** Stops serving (the port is free again when this returns). Idempotent. */
    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
    }
}
