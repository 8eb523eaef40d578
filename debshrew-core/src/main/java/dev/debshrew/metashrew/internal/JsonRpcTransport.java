package dev.debshrew.metashrew.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.util.Backoff;
import dev.debshrew.util.Secrets;
import dev.debshrew.metashrew.MetashrewClientConfig;
import dev.debshrew.metashrew.MetashrewClientListener;
import dev.debshrew.metashrew.MetashrewException;
import dev.debshrew.metashrew.MetashrewException.Kind;
import dev.debshrew.metashrew.MethodStats;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import okhttp3.HttpUrl;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON-RPC 2.0 over HTTP POST with bounded retries, exponential backoff and per-method counters.
 * Response bodies are read up to {@link MetashrewClientConfig#maxResponseBytes()} and no further.
 * Every error message is passed through {@link Secrets#scrub} and never shows the URL's credentials,
 * the basic-auth password or a header value. Not part of the public API.
 */
public final class JsonRpcTransport implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("dev.debshrew.metashrew.MetashrewClient");
    private static final MediaType JSON = MediaType.get("application/json");
    private static final int SNIPPET = 200;

    private final MetashrewClientConfig config;
    private final OkHttpClient http;
    private final ObjectMapper mapper;
    private final HttpUrl url;
    private final Backoff backoff;
    private final AtomicLong ids = new AtomicLong();
    private final String authorization;
    private final Map<String, Counters> counters = new ConcurrentHashMap<>();
    /** Calls in progress, cancelled by {@link #cancelInFlight()}. */
    private final Set<Call> inFlight = ConcurrentHashMap.newKeySet();
    private final CountDownLatch cancelled = new CountDownLatch(1);

    private static final class Counters {
        final LongAdder calls = new LongAdder();
        final LongAdder failures = new LongAdder();
        final LongAdder attempts = new LongAdder();
        final LongAdder retries = new LongAdder();
        final LongAdder totalNanos = new LongAdder();
        final LongAccumulator maxNanos = new LongAccumulator(Math::max, 0);
    }

    /**
     * Turns a call's result into the caller's value; a retriable {@link MetashrewException} it throws
     * (a malformed result) is retried like a transport failure.
     *
     * @param <T> the decoded type
     */
    @FunctionalInterface
    public interface Decoder<T> {
        /** Decodes {@code result} (never null; may be a JSON null node). */
        T decode(JsonNode result) throws MetashrewException;
    }

    /** A transport for {@code config}. */
    public JsonRpcTransport(MetashrewClientConfig config) {
        this.config = config;
        // the URL's user info is sent as basic auth (see MetashrewClientConfig), never in the request line
        this.url = HttpUrl.get(config.url()).newBuilder().username("").password("").build();
        int limit = (int) Math.min(Integer.MAX_VALUE - 8, config.maxResponseBytes());
        this.mapper = new ObjectMapper(JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(limit)
                        .maxDocumentLength(config.maxResponseBytes()).build())
                .build());
        this.http = new OkHttpClient.Builder()
                .connectTimeout(config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(config.readTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .writeTimeout(config.readTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .retryOnConnectionFailure(false) // retries are ours, counted and logged
                .followRedirects(false)
                // the engine keeps up to engine.fetch_concurrency calls plus a view per speculative block
                // in flight: keep that many connections alive between batches instead of reconnecting
                .connectionPool(new okhttp3.ConnectionPool(IDLE_CONNECTIONS, 5, TimeUnit.MINUTES))
                .build();
        this.backoff = new Backoff(config.backoffInitial(), config.backoffMax(), config.backoffMultiplier(), config.backoffJitter());
        this.authorization = config.basicAuthUser() == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(
                        (config.basicAuthUser() + ":" + config.basicAuthPassword()).getBytes(StandardCharsets.UTF_8));
    }

    /** Connections kept alive to the node between calls. */
    private static final int IDLE_CONNECTIONS = 64;

    /**
     * Calls {@code method} with {@code params} (always the full list), retrying retriable failures.
     *
     * @return the {@code result} member of the response (never null; may be a JSON null node)
     */
    public JsonNode call(String method, List<?> params) throws MetashrewException {
        return call(method, params, r -> r);
    }

    /**
     * Calls {@code method} and decodes its result with {@code decoder}, retrying retriable
     * failures of either (up to the configured bound).
     */
    public <T> T call(String method, List<?> params, Decoder<T> decoder) throws MetashrewException {
        return call(method, params, decoder, false);
    }

    /**
     * Like {@link #call(String, List)}, for a probe whose JSON-RPC error answer is an expected
     * outcome (version-line detection): such an answer shows the node is reachable, so it is
     * reported to the listener as a success, never as a node failure.
     */
    public JsonNode probe(String method, List<?> params) throws MetashrewException {
        return call(method, params, r -> r, true);
    }

    private <T> T call(String method, List<?> params, Decoder<T> decoder, boolean rpcErrorExpected)
            throws MetashrewException {
        Counters c = counters.computeIfAbsent(method, m -> new Counters());
        MetashrewClientListener listener = config.listener();
        long start = System.nanoTime();
        int attempt = 0;
        MetashrewException failure = null;
        try {
            while (true) {
                attempt++;
                c.attempts.increment();
                try {
                    return decoder.decode(once(method, params));
                } catch (MetashrewException e) {
                    if (cancelled.getCount() == 0) {
                        failure = cancelledFailure(method, e);
                        throw failure;
                    }
                    if (!e.isRetriable() || attempt > config.maxRetries()) {
                        failure = attempt > 1 ? withAttempts(e, attempt) : e;
                        throw failure;
                    }
                    Duration delay = backoff.delay(attempt);
                    c.retries.increment();
                    LOG.warn("metashrew {} attempt {}/{} failed ({}: {}); retrying in {} ms", method, attempt,
                            config.maxRetries() + 1, e.kind(), e.getMessage(), delay.toMillis());
                    if (listener != null) {
                        listener.onRetry(method, attempt, delay, e);
                    }
                    try {
                        if (cancelled.await(delay.toNanos(), TimeUnit.NANOSECONDS)) {
                            failure = cancelledFailure(method, e);
                            throw failure;
                        }
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        failure = new MetashrewException(Kind.TRANSPORT, method + ": interrupted while waiting to retry after: "
                                + e.getMessage(), false, e);
                        throw failure;
                    }
                }
            }
        } finally {
            long nanos = System.nanoTime() - start;
            c.calls.increment();
            c.totalNanos.add(nanos);
            c.maxNanos.accumulate(nanos);
            MetashrewException reported = rpcErrorExpected && failure != null && failure.kind() == Kind.RPC_ERROR
                    ? null : failure;
            if (reported != null) {
                c.failures.increment();
            }
            if (listener != null) {
                listener.onCallCompleted(method, Duration.ofNanos(nanos), attempt, reported);
            }
        }
    }

    /**
     * Cancels every call in progress (a hanging read ends at once) and makes every later call fail
     * at once: for stopping. The failure is retriable (a transient condition: the work it was part of
     * is redone at the next start), of kind {@link Kind#TRANSPORT}, and says "cancelled".
     */
    public void cancelInFlight() {
        cancelled.countDown();
        for (Call c : inFlight) {
            c.cancel();
        }
    }

    private static MetashrewException cancelledFailure(String method, Exception cause) {
        return new MetashrewException(Kind.TRANSPORT, method + ": cancelled: the client is stopping", true, cause);
    }

    private static MetashrewException withAttempts(MetashrewException e, int attempts) {
        return new MetashrewException(e.kind(), e.getMessage() + " (after " + attempts + " attempts)", e.isRetriable(),
                e.getCause() != null ? e.getCause() : e, e.rpcErrorCode().isPresent() ? e.rpcErrorCode().getAsInt() : null,
                e.httpStatus());
    }

    private JsonNode once(String method, List<?> params) throws MetashrewException {
        long id = ids.incrementAndGet();
        ObjectNode req = mapper.createObjectNode();
        req.put("jsonrpc", "2.0");
        req.put("id", id);
        req.put("method", method);
        ArrayNode p = req.putArray("params");
        for (Object o : params) {
            p.add(mapper.valueToTree(o));
        }
        byte[] body;
        try {
            body = mapper.writeValueAsBytes(req);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise request", e);
        }
        Request.Builder rb = new Request.Builder().url(url).post(RequestBody.create(body, JSON));
        config.headers().forEach(rb::header);
        if (authorization != null) {
            rb.header("Authorization", authorization);
        }
        byte[] bytes;
        int status;
        Call call = http.newCall(rb.build());
        inFlight.add(call);
        if (cancelled.getCount() == 0) {
            call.cancel(); // after the add: cancelInFlight() either sees the call or was seen here
        }
        try (Response resp = call.execute()) {
            status = resp.code();
            ResponseBody rbody = resp.body();
            bytes = rbody == null ? new byte[0] : readBounded(method, rbody);
        } catch (SocketTimeoutException e) {
            throw new MetashrewException(Kind.TIMEOUT, method + ": timed out (" + clean(e.getMessage()) + ")", true, e);
        } catch (InterruptedIOException e) {
            throw new MetashrewException(Kind.TIMEOUT, method + ": interrupted I/O (" + clean(e.getMessage()) + ")", true, e);
        } catch (IOException e) {
            throw new MetashrewException(Kind.TRANSPORT, method + ": " + e.getClass().getSimpleName() + ": "
                    + clean(e.getMessage()), true, e);
        } finally {
            inFlight.remove(call);
        }
        String text = new String(bytes, 0, Math.min(bytes.length, 4 * SNIPPET), StandardCharsets.UTF_8);
        if (status < 200 || status > 299) {
            boolean retriable = status >= 500 || status == 408 || status == 429;
            throw new MetashrewException(Kind.HTTP_STATUS, method + ": HTTP " + status + snippet(text), retriable, null, null, status);
        }
        JsonNode resp;
        try {
            resp = mapper.readTree(bytes);
        } catch (IOException e) { // JsonProcessingException; nothing else from an in-memory array
            throw new MetashrewException(Kind.MALFORMED_RESPONSE, method + ": response is not valid JSON" + snippet(text), true, e);
        }
        if (resp == null || !resp.isObject()) {
            throw new MetashrewException(Kind.MALFORMED_RESPONSE, method + ": response is not a JSON object" + snippet(text), true, null);
        }
        JsonNode rid = resp.get("id");
        if (rid == null || !rid.canConvertToLong() || rid.asLong() != id) {
            throw new MetashrewException(Kind.MALFORMED_RESPONSE, method + ": response id " + rid + " does not match request id " + id,
                    true, null);
        }
        JsonNode error = resp.get("error");
        if (error != null && !error.isNull()) {
            JsonNode code = error.get("code");
            JsonNode msg = error.get("message");
            Integer c = code != null && code.canConvertToInt() ? code.asInt() : null;
            String m = msg != null && msg.isTextual() ? msg.asText() : String.valueOf(error);
            throw new MetashrewException(Kind.RPC_ERROR, method + ": RPC error " + c + ": " + clean(m), false, null, c, 0);
        }
        JsonNode result = resp.get("result");
        if (result == null) {
            throw new MetashrewException(Kind.MALFORMED_RESPONSE, method + ": response has neither result nor error" + snippet(text),
                    true, null);
        }
        return result;
    }

    /**
     * The body, read up to the configured limit: a larger body (announced or actual) is abandoned
     * at once with a non-retriable {@link Kind#RESPONSE_TOO_LARGE}, never buffered whole.
     */
    private byte[] readBounded(String method, ResponseBody body) throws IOException, MetashrewException {
        long limit = config.maxResponseBytes();
        long announced = body.contentLength();
        if (announced > limit) {
            throw tooLarge(method, "announces " + announced + " bytes");
        }
        try (InputStream in = body.byteStream()) {
            byte[] data = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (data.length > limit) {
                throw tooLarge(method, "exceeds it");
            }
            return data;
        }
    }

    private MetashrewException tooLarge(String method, String what) {
        return new MetashrewException(Kind.RESPONSE_TOO_LARGE, method + ": response " + what + ": the limit is "
                + config.maxResponseBytes() + " bytes (metashrew.max_response_bytes)", false, null);
    }

    private String snippet(String text) {
        if (text == null || text.isEmpty()) {
            return "";
        }
        String t = text.length() > SNIPPET ? text.substring(0, SNIPPET) + "..." : text;
        return ": " + clean(t.replaceAll("\\s+", " "));
    }

    /** {@code text} without the node URL's path, query or credentials, nor any other secret. */
    private String clean(String text) {
        if (text == null) {
            return null;
        }
        String s = text.replace(config.url(), Secrets.redactEndpoint(config.url()));
        if (config.basicAuthPassword() != null && !config.basicAuthPassword().isEmpty()) {
            s = s.replace(config.basicAuthPassword(), Secrets.MASK);
        }
        for (String v : config.headers().values()) {
            if (!v.isEmpty()) {
                s = s.replace(v, Secrets.MASK);
            }
        }
        if (authorization != null) {
            s = s.replace(authorization.substring("Basic ".length()), Secrets.MASK);
        }
        return Secrets.scrub(s);
    }

    /** Snapshot of the counters, by method name. */
    public Map<String, MethodStats> stats() {
        Map<String, MethodStats> r = new TreeMap<>();
        counters.forEach((m, c) -> r.put(m, new MethodStats(m, c.calls.sum(), c.failures.sum(), c.attempts.sum(), c.retries.sum(),
                Duration.ofNanos(c.totalNanos.sum()), Duration.ofNanos(c.maxNanos.get()))));
        return r;
    }

    @Override
    public void close() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
