package dev.debshrew.devnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.debshrew.metashrew.VersionLine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A metashrew node simulator serving JSON-RPC over real HTTP on the loopback interface, backed by a
 * deterministic {@link DevnetChain}. It answers on any path, with the shapes and errors of the
 * configured {@link VersionLine}, and serves the views {@code blocktracker} and {@code getblock} of
 * metashrew-minimal at any indexed height.
 *
 * <p>Control methods ({@link #mine}, {@link #reorg}, {@link #inject}, ...) are thread-safe and can be
 * called from tests while clients are connected; {@link DevnetScenario} drives them over time.
 */
public final class DevnetServer implements AutoCloseable {

    /** Largest accepted request body: 2 MiB. */
    public static final int MAX_BODY_BYTES = 2 * 1024 * 1024;
    private static final int MAX_RECORDED = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(DevnetServer.class);

    static {
        // The JDK server writes response headers and body separately; without TCP_NODELAY, Nagle's
        // algorithm and the client's delayed ACK add ~40 ms to every response. The property is read
        // once, when the JDK creates its first HttpServer; an explicit setting is respected.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final VersionLine versionLine;
    private final DevnetChain chain;
    private final DevnetNode node;
    private final DevnetRpc rpc;
    private final ReorgTiming defaultTiming;
    private final FaultInjector faults;
    private final RpcLatency latency;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final LongAdder total = new LongAdder();
    private final Deque<RecordedRequest> recorded = new ArrayDeque<>();
    private HttpServer http;
    private ExecutorService executor;
    private volatile String url;

    private DevnetServer(Builder b) {
        this.versionLine = b.versionLine;
        this.chain = new DevnetChain(b.seed);
        this.node = new DevnetNode(chain, b.initialHeight);
        this.rpc = new DevnetRpc(node, b.versionLine, b.maxMetadataBlock);
        this.defaultTiming = b.reorgTiming;
        this.faults = new FaultInjector(b.seed);
        this.latency = new RpcLatency(b.latency);
    }

    /** A builder with defaults: version line current, seed 1, initial height 10. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts serving on 127.0.0.1:{@code port} (0 = an ephemeral port).
     *
     * @return this
     */
    public DevnetServer start(int port) throws IOException {
        return start(InetAddress.getLoopbackAddress(), port);
    }

    /**
     * Starts serving on {@code address}:{@code port} (0 = an ephemeral port), e.g. the host end of a
     * virtual ethernet pair that a test puts real network conditions on.
     *
     * @return this
     */
    public synchronized DevnetServer start(InetAddress address, int port) throws IOException {
        if (http != null) {
            throw new IllegalStateException("devnet already started at " + url);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be within 0..65535, got " + port);
        }
        // The JDK server writes headers and body separately; without TCP_NODELAY, Nagle's algorithm
        // and delayed ACKs add ~40 ms to every request. Read once, when the server class initialises.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer s = HttpServer.create(new InetSocketAddress(address, port), 128);
        AtomicInteger n = new AtomicInteger();
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "devnet-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        s.setExecutor(executor);
        s.createContext("/", this::handle);
        s.start();
        http = s;
        String host = address instanceof java.net.Inet6Address ? "[" + address.getHostAddress() + "]"
                : address.getHostAddress();
        url = "http://" + host + ":" + s.getAddress().getPort() + "/";
        LOG.info("devnet ({}) listening on {} with tip {}", versionLine.id(), url, node.tip());
        return this;
    }

    /** The base URL, {@code http://127.0.0.1:PORT/} (or the address it was started on; any path is served). */
    public String url() {
        String u = url;
        if (u == null) {
            throw new IllegalStateException("devnet not started");
        }
        return u;
    }

    /** The bound port. */
    public int port() {
        return http.getAddress().getPort();
    }

    /** The simulated version line. */
    public VersionLine versionLine() {
        return versionLine;
    }

    /** The chain generator (for expected hashes and blocks of any branch). */
    public DevnetChain chain() {
        return chain;
    }

    /** The indexed tip height (what {@code metashrew_height} reports, normalised). */
    public long height() {
        return node.tip();
    }

    /** The canonical chain tip, which the indexed tip catches up with after a phased reorg. */
    public long canonicalHeight() {
        return node.canonicalTip();
    }

    /** The branch of the canonical chain. */
    public int branch() {
        return node.branch();
    }

    /** The indexed block at {@code height}, or null above the indexed tip. */
    public DevnetBlock block(long height) {
        return node.indexedBlock(height);
    }

    /** Display-order hash of the indexed block at {@code height}, or null above the indexed tip. */
    public String blockHash(long height) {
        DevnetBlock b = node.indexedBlock(height);
        return b == null ? null : b.hash();
    }

    /** Mines {@code n} blocks on the canonical branch; indexed at once unless a phased reorg is running. */
    public long mine(int n) {
        return node.mine(n);
    }

    /** Reorg with the server's default {@link ReorgTiming}; see {@link #reorg(int, int, ReorgStyle, ReorgTiming)}. */
    public CompletableFuture<Void> reorg(int depth, int newBlocks, ReorgStyle style) {
        return reorg(depth, newBlocks, style, defaultTiming);
    }

    /**
     * Replaces the top {@code depth} indexed blocks by {@code newBlocks} blocks of a new branch forking
     * after the common ancestor {@code tip - depth}.
     *
     * @return completes when the node serves the new branch (at once for {@link ReorgStyle#INSTANT})
     * @throws IllegalStateException while a phased reorg is still running
     * @throws IllegalArgumentException unless {@code 1 <= depth <= tip} and {@code newBlocks >= 1}
     */
    public CompletableFuture<Void> reorg(int depth, int newBlocks, ReorgStyle style, ReorgTiming timing) {
        return node.reorg(depth, newBlocks, style, timing);
    }

    /**
     * Switches back to the earlier branch {@code branch} (an A->B->A flip-flop): it becomes canonical
     * one block above the current tip, replacing the blocks above the highest block both share.
     *
     * @throws IllegalArgumentException for the current or an unknown branch
     */
    public CompletableFuture<Void> reorgTo(int branch, ReorgStyle style) {
        return node.reorgTo(branch, style, defaultTiming);
    }

    /** The current reorg phase ({@link ReorgPhase#DONE} when idle). */
    public ReorgPhase reorgPhase() {
        return node.phase();
    }

    /** Waits until the last reorg is done; returns false on timeout. */
    public boolean awaitReorg(Duration timeout) throws InterruptedException {
        try {
            node.reorgDone().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("reorg failed", e.getCause());
        }
    }

    /** Activates a fault (see {@link Fault}). */
    public void inject(Fault fault) {
        faults.add(Objects.requireNonNull(fault, "fault"));
    }

    /** Removes all active faults. */
    public void clearFaults() {
        faults.clear();
    }

    /** The active faults (counted faults disappear once used up). */
    public List<Fault> activeFaults() {
        return faults.active();
    }

    /** The base latency added to every request (see {@link Builder#latency}). */
    public Duration latency() {
        return latency.get();
    }

    /**
     * Changes the base latency; requests already waiting are re-timed against the new value (zero
     * releases them at once).
     *
     * @throws IllegalArgumentException if {@code latency} is negative
     */
    public void setLatency(Duration latency) {
        this.latency.set(latency);
    }

    /** Requests in progress now (received, not yet answered). */
    public int inFlight() {
        return latency.inFlight();
    }

    /** The most requests that were in progress at once since start or {@link #clearRequests()}. */
    public int maxInFlight() {
        return latency.maxInFlight();
    }

    /** Requests received, faulted ones included. */
    public long requestCount() {
        return total.sum();
    }

    /** Requests received for JSON-RPC method {@code method}, faulted ones included. */
    public long requestCount(String method) {
        LongAdder a = counts.get(method);
        return a == null ? 0 : a.sum();
    }

    /** The last received requests (at most 10,000), oldest first. */
    public List<RecordedRequest> requests() {
        synchronized (recorded) {
            return new ArrayList<>(recorded);
        }
    }

    /** Forgets recorded requests and resets the counters. */
    public void clearRequests() {
        synchronized (recorded) {
            recorded.clear();
            counts.clear();
            total.reset();
            latency.resetMax();
        }
    }

    /** Stops the server and any running reorg; held requests are interrupted. */
    @Override
    public synchronized void close() {
        node.close();
        if (http != null) {
            http.stop(0);
            executor.shutdownNow();
            LOG.info("devnet at {} stopped", url);
        }
    }

    private void record(HttpExchange ex, String method, JsonNode params) {
        Map<String, String> headers = new LinkedHashMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.isEmpty() ? "" : v.get(0)));
        RecordedRequest r = new RecordedRequest(ex.getRequestURI().toString(), method, params == null ? null : params.toString(),
                headers);
        synchronized (recorded) {
            total.increment();
            counts.computeIfAbsent(method == null ? "" : method, m -> new LongAdder()).increment();
            recorded.addLast(r);
            while (recorded.size() > MAX_RECORDED) {
                recorded.removeFirst();
            }
        }
    }

    /** Every request: counted in flight, held for the base latency (in parallel with others), answered. */
    private void handle(HttpExchange ex) {
        long arrived = System.nanoTime();
        latency.started();
        try {
            latency.await(arrived);
            answer(ex);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ex.close();
        } finally {
            latency.finished();
        }
    }

    private void answer(HttpExchange ex) {
        try {
            if (!"POST".equals(ex.getRequestMethod())) {
                sendText(ex, 405, "only POST is supported");
                return;
            }
            String ct = ex.getRequestHeaders().getFirst("Content-Type");
            if (ct == null || !ct.trim().toLowerCase(Locale.ROOT).startsWith("application/json")) {
                sendText(ex, 400, "Content-Type must be application/json");
                return;
            }
            byte[] body = readLimited(ex.getRequestBody());
            if (body == null) {
                ex.getResponseHeaders().set("Connection", "close");
                sendText(ex, 413, "request body exceeds " + MAX_BODY_BYTES + " bytes");
                return;
            }
            JsonNode req;
            try {
                req = mapper.readTree(body);
            } catch (IOException e) {
                record(ex, null, null);
                sendJson(ex, DevnetRpc.error(null, -32700, "Parse error"));
                return;
            }
            JsonNode id = req == null ? null : req.get("id");
            JsonNode m = req == null ? null : req.get("method");
            if (req == null || !req.isObject() || m == null || !m.isTextual()) {
                record(ex, null, null);
                sendJson(ex, DevnetRpc.error(id, -32600, "Invalid Request"));
                return;
            }
            String method = m.asText();
            JsonNode params = req.get("params");
            record(ex, method, params);

            FaultInjector.Hit hit = faults.match(method, requestHeight(method, params));
            if (hit.latencyMillis() > 0) {
                Thread.sleep(hit.latencyMillis());
            }
            if (hit.reorg() != null) {
                LOG.info("devnet fault {}: switching branch before answering {} {}", hit.reorg(), method, params);
                node.reorg((int) hit.reorg().by(), hit.reorg().newBlocks(), ReorgStyle.INSTANT, defaultTiming);
            }
            Fault f = hit.terminal();
            if (f != null) {
                LOG.debug("devnet fault {} on {}", f, method);
                switch (f.type()) {
                    case TIMEOUT -> Thread.sleep(f.delay().toMillis());
                    case HTTP_500 -> {
                        sendText(ex, 500, "Internal Server Error (devnet fault)");
                        return;
                    }
                    case MALFORMED_JSON -> {
                        send(ex, 200, "application/json",
                                ("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":\"0x").getBytes(StandardCharsets.UTF_8));
                        return;
                    }
                    case DROP_CONNECTION -> {
                        ex.close(); // no response headers sent: the JDK server closes the socket
                        return;
                    }
                    case RPC_ERROR -> {
                        sendJson(ex, DevnetRpc.error(id, -32000, "View function error: devnet fault"));
                        return;
                    }
                    case OVERSIZED_RESULT -> {
                        sendOversized(ex, id, f.by());
                        return;
                    }
                    case BAD_RESULT -> {
                        send(ex, 200, "application/json", ("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":"
                                + f.result() + "}").getBytes(StandardCharsets.UTF_8));
                        return;
                    }
                    default -> {
                    }
                }
            }
            ObjectNode resp = rpc.handle(id, method, params, hit.heightBackwards());
            sendJson(ex, resp);
        } catch (DevnetRpc.DropConnection e) {
            ex.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ex.close();
        } catch (IOException e) {
            LOG.debug("devnet: I/O error answering a request: {}", e.toString());
            ex.close();
        } catch (RuntimeException e) {
            LOG.error("devnet: internal error", e);
            try {
                sendText(ex, 500, "devnet internal error: " + e);
            } catch (IOException ignored) {
                ex.close();
            }
        }
    }

    /** The height a request is about (getblockhash: first parameter, view: third), or null. */
    private static Long requestHeight(String method, JsonNode params) {
        int index = switch (method) {
            case "metashrew_getblockhash" -> 0;
            case "metashrew_view" -> 2;
            default -> -1;
        };
        if (index < 0 || params == null || !params.isArray() || params.size() <= index) {
            return null;
        }
        JsonNode h = params.get(index);
        if (h.isIntegralNumber()) {
            return h.asLong();
        }
        if (h.isTextual() && h.asText().matches("\\d{1,18}")) {
            return Long.parseLong(h.asText());
        }
        return null;
    }

    private static byte[] readLimited(InputStream in) throws IOException {
        byte[] data = in.readNBytes(MAX_BODY_BYTES + 1);
        return data.length > MAX_BODY_BYTES ? null : data;
    }

    /** A valid response whose result is {@code "0x"} plus {@code bytes} bytes of hex, streamed (chunked). */
    private static void sendOversized(HttpExchange ex, JsonNode id, long bytes) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, 0);
        byte[] chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, (byte) 'a');
        try (OutputStream out = ex.getResponseBody()) {
            out.write(("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":\"0x").getBytes(StandardCharsets.UTF_8));
            for (long left = 2 * bytes; left > 0; left -= chunk.length) {
                out.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
            out.write("\"}".getBytes(StandardCharsets.UTF_8));
        }
    }

    private void sendJson(HttpExchange ex, ObjectNode body) throws IOException {
        send(ex, 200, "application/json", mapper.writeValueAsBytes(body));
    }

    private static void sendText(HttpExchange ex, int status, String text) throws IOException {
        send(ex, status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /** Builder of a {@link DevnetServer}. */
    public static final class Builder {
        private VersionLine versionLine = VersionLine.CURRENT;
        private long seed = 1;
        private long initialHeight = 10;
        private ReorgTiming reorgTiming = ReorgTiming.defaults();
        private Duration maxMetadataBlock = Duration.ofSeconds(30);
        private Duration latency = Duration.ZERO;

        private Builder() {
        }

        /**
         * Base network latency added to every request's round trip. Requests wait in parallel (each on
         * its own handler thread), so it models a distant node without limiting concurrency. Default 0.
         */
        public Builder latency(Duration latency) {
            this.latency = RpcLatency.check(latency);
            return this;
        }

        /** The simulated line (not {@link VersionLine#AUTO}). Default current. */
        public Builder versionLine(VersionLine line) {
            if (line == null || line == VersionLine.AUTO) {
                throw new IllegalArgumentException("the devnet needs a concrete version line (v8, rc, rc11 or current), got " + line);
            }
            this.versionLine = line;
            return this;
        }

        /** Seed of the chain and of probabilistic faults. Default 1. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Height of the initial tip (blocks 0..height are indexed at start). Default 10. */
        public Builder initialHeight(long height) {
            if (height < 0) {
                throw new IllegalArgumentException("initial height must be >= 0, got " + height);
            }
            this.initialHeight = height;
            return this;
        }

        /** Timing of phased reorgs started without explicit timing. Default {@link ReorgTiming#defaults()}. */
        public Builder reorgTiming(ReorgTiming timing) {
            this.reorgTiming = Objects.requireNonNull(timing, "reorgTiming");
            return this;
        }

        /** Upper bound of how long a metadata call blocks during a rollback. Default 30 s. */
        public Builder maxMetadataBlock(Duration max) {
            this.maxMetadataBlock = Objects.requireNonNull(max, "maxMetadataBlock");
            return this;
        }

        /** Builds the (not yet started) server. */
        public DevnetServer build() {
            return new DevnetServer(this);
        }
    }
}
