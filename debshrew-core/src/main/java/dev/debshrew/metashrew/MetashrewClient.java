package dev.debshrew.metashrew;

import com.fasterxml.jackson.databind.JsonNode;
import dev.debshrew.metashrew.MetashrewException.Kind;
import dev.debshrew.metashrew.internal.JsonRpcTransport;
import dev.debshrew.util.Hex;
import dev.debshrew.util.Secrets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON-RPC client of a metashrew node ({@code rockshrew-mono}), hiding the differences between its
 * release lines (see {@link VersionLine}).
 *
 * <p>Every call is a POST of one JSON-RPC 2.0 request with the full parameter list to the configured
 * URL. Transport failures, timeouts, HTTP 5xx and malformed bodies are retried with exponential
 * backoff and jitter, up to {@link MetashrewClientConfig#maxRetries()} times per call, each retry
 * logged at WARN; JSON-RPC errors and {@link MetashrewException.Kind#NOT_FOUND} are never retried.
 * A response larger than {@link MetashrewClientConfig#maxResponseBytes()} fails at once with
 * {@link MetashrewException.Kind#RESPONSE_TOO_LARGE} (not retriable). Nothing this client logs or
 * throws shows the URL's credentials, path or query, the basic-auth password or a header value.
 * When the node stays down the call fails and the caller decides (the follower loops with its own
 * backoff). Thread-safe; close it to release its connection pool.
 */
public final class MetashrewClient implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MetashrewClient.class);
    private static final String PROBE_VIEW = "__debshrew_version_probe__";

    private final MetashrewClientConfig config;
    private final JsonRpcTransport transport;
    private volatile VersionLine detected;

    private MetashrewClient(MetashrewClientConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.transport = new JsonRpcTransport(config);
        this.detected = config.versionLine() == VersionLine.AUTO ? null : config.versionLine();
    }

    /** A client with the given configuration. */
    public static MetashrewClient create(MetashrewClientConfig config) {
        return new MetashrewClient(config);
    }

    /** A builder for a client of the node at {@code url} (used exactly as given). */
    public static Builder builder(String url) {
        return new Builder(url);
    }

    /** The configuration. */
    public MetashrewClientConfig config() {
        return config;
    }

    /**
     * The version line in use: the configured one, the detected one, or {@link VersionLine#AUTO}
     * while detection has not happened yet (it happens on the first call, or on
     * {@link #detectVersionLine()}).
     */
    public VersionLine versionLine() {
        VersionLine d = detected;
        return d == null ? VersionLine.AUTO : d;
    }

    /**
     * Returns the version line, detecting it first when configured as {@link VersionLine#AUTO}, with
     * side-effect-free probes: a JSON number from {@code metashrew_height} means {@link VersionLine#RC};
     * error -32601 on {@code metashrew_stateroot ["latest"]} means {@link VersionLine#V8}; a view call
     * with the fractional height 0.5 is rejected as an invalid height by {@link VersionLine#CURRENT}
     * and ignored by {@link VersionLine#RC11}.
     */
    public VersionLine detectVersionLine() throws MetashrewException {
        VersionLine d = detected;
        if (d != null) {
            return d;
        }
        synchronized (this) {
            if (detected == null) {
                detected = probe();
                LOG.info("metashrew at {} detected as version line {}", Secrets.redactEndpoint(config.url()), detected.id());
            }
            return detected;
        }
    }

    private VersionLine probe() throws MetashrewException {
        JsonNode h = transport.call("metashrew_height", List.of());
        if (h.isNumber()) {
            return VersionLine.RC;
        }
        try {
            transport.probe("metashrew_stateroot", List.of("latest"));
        } catch (MetashrewException e) {
            if (e.kind() == Kind.RPC_ERROR && e.rpcErrorCode().orElse(0) == -32601) {
                return VersionLine.V8;
            }
            if (e.kind() != Kind.RPC_ERROR) {
                throw e;
            }
        }
        try {
            transport.probe("metashrew_view", List.of(PROBE_VIEW, "0x", 0.5));
        } catch (MetashrewException e) {
            if (e.kind() != Kind.RPC_ERROR) {
                throw e;
            }
            if (e.getMessage().toLowerCase(Locale.ROOT).contains("invalid height")) {
                return VersionLine.CURRENT;
            }
        }
        return VersionLine.RC11;
    }

    /**
     * The last fully indexed height, normalised across version lines (v8 reports the next height;
     * this returns that minus one, so -1 means nothing indexed yet).
     */
    public long height() throws MetashrewException {
        VersionLine line = detectVersionLine();
        JsonNode r = transport.call("metashrew_height", List.of());
        long h;
        if (r.isTextual()) {
            try {
                h = Long.parseLong(r.asText().trim());
            } catch (NumberFormatException e) {
                throw malformed("metashrew_height: result " + r + " is not a decimal integer", e);
            }
        } else if (r.isIntegralNumber() && r.canConvertToLong()) {
            h = r.asLong();
        } else {
            throw malformed("metashrew_height: result " + r + " is neither a decimal string nor an integer", null);
        }
        if (h < 0) {
            throw malformed("metashrew_height: negative height " + h, null);
        }
        return line.heightIsNext() ? h - 1 : h;
    }

    /**
     * The hash of the indexed block at {@code height}: 64 lowercase hex characters, display order,
     * without {@code 0x}.
     *
     * @throws MetashrewException of kind {@link MetashrewException.Kind#NOT_FOUND} when the node has no
     *     hash for that height
     */
    public String blockHash(long height) throws MetashrewException {
        if (height < 0) {
            throw new IllegalArgumentException("height must be >= 0, got " + height);
        }
        JsonNode r;
        try {
            r = transport.call("metashrew_getblockhash", List.of(height));
        } catch (MetashrewException e) {
            if (e.kind() == Kind.RPC_ERROR && isNotFound(e)) {
                throw new MetashrewException(Kind.NOT_FOUND, "no block hash at height " + height + " (" + e.getMessage() + ")",
                        false, e, e.rpcErrorCode().orElse(0), 0);
            }
            throw e;
        }
        if (!r.isTextual()) {
            throw malformed("metashrew_getblockhash(" + height + "): result " + r + " is not a string", null);
        }
        String hex = Hex.strip0x(r.asText()).toLowerCase(Locale.ROOT);
        if (hex.length() != 64 || !hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            throw malformed("metashrew_getblockhash(" + height + "): result " + r + " is not 32 bytes of hex", null);
        }
        return hex;
    }

    private static boolean isNotFound(MetashrewException e) {
        if (e.rpcErrorCode().orElse(0) == -32601) {
            return false;
        }
        String m = e.getMessage().toLowerCase(Locale.ROOT);
        return m.contains("not found") && !m.contains("method not found");
    }

    /**
     * Runs view {@code name} with {@code input} against the state as of the end of block
     * {@code height} (the tip state when {@code height} is above the tip), encoding the height as the
     * version line requires.
     *
     * @return the view output (empty array for {@code "0x"})
     * @throws MetashrewException of kind {@link MetashrewException.Kind#MALFORMED_RESPONSE}, retriable,
     *     when the result stays null, not a string or not hex after the retries (a node failure: redo
     *     the block); of kind {@link MetashrewException.Kind#RESPONSE_TOO_LARGE}, not retriable, when the
     *     response exceeds {@link MetashrewClientConfig#maxResponseBytes()}; both name the view and height
     */
    public byte[] view(String name, byte[] input, long height) throws MetashrewException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(input, "input");
        if (height < 0) {
            throw new IllegalArgumentException("height must be >= 0, got " + height);
        }
        VersionLine line = detectVersionLine();
        Object h = line.viewHeightAsString() ? Long.toString(height) : (Object) height;
        String what = "metashrew_view of view '" + name + "' at height " + height;
        try {
            return transport.call("metashrew_view", List.of(name, "0x" + Hex.encode(input), h), r -> viewResult(what, r));
        } catch (MetashrewException e) {
            if (e.kind() == Kind.RESPONSE_TOO_LARGE) {
                throw new MetashrewException(Kind.RESPONSE_TOO_LARGE, what + ": " + e.getMessage(), false, e);
            }
            throw e;
        }
    }

    /** A view result: a hex string, else a retriable malformed-response failure naming view and height. */
    private static byte[] viewResult(String what, JsonNode r) throws MetashrewException {
        if (!r.isTextual()) {
            String shown = r.toString();
            throw new MetashrewException(Kind.MALFORMED_RESPONSE, what + ": result " + (shown.length() > 64
                    ? shown.substring(0, 64) + "..." : shown) + " is not a hex string", true, null);
        }
        try {
            return Hex.decode(r.asText());
        } catch (IllegalArgumentException e) {
            throw new MetashrewException(Kind.MALFORMED_RESPONSE, what + ": result is not hex: " + e.getMessage(), true, e);
        }
    }

    /** Per-method counters since the client was built, by JSON-RPC method name. */
    public Map<String, MethodStats> stats() {
        return transport.stats();
    }

    private static MetashrewException malformed(String message, Throwable cause) {
        return new MetashrewException(Kind.MALFORMED_RESPONSE, message, false, cause);
    }

    /**
     * Cancels the calls in progress (a hanging call fails at once) and makes every later call fail
     * at once with a retriable {@link MetashrewException.Kind#TRANSPORT} failure saying "cancelled":
     * for stopping; the client stays unusable. Safe from any thread.
     */
    public void cancelInFlight() {
        transport.cancelInFlight();
    }

    @Override
    public void close() {
        transport.close();
    }

    @Override
    public String toString() {
        return "MetashrewClient{" + Secrets.redactEndpoint(config.url()) + ", " + versionLine().id() + "}";
    }

    /** Builder of a {@link MetashrewClient}; see {@link MetashrewClientConfig.Builder} for each setting. */
    public static final class Builder {
        private final MetashrewClientConfig.Builder config;

        private Builder(String url) {
            this.config = MetashrewClientConfig.builder(url);
        }

        /** See {@link MetashrewClientConfig.Builder#connectTimeout}. */
        public Builder connectTimeout(Duration timeout) {
            config.connectTimeout(timeout);
            return this;
        }

        /** See {@link MetashrewClientConfig.Builder#readTimeout}. */
        public Builder readTimeout(Duration timeout) {
            config.readTimeout(timeout);
            return this;
        }

        /** See {@link MetashrewClientConfig.Builder#maxRetries}. */
        public Builder maxRetries(int retries) {
            config.maxRetries(retries);
            return this;
        }

        /** See {@link MetashrewClientConfig.Builder#backoffInitial}. */
        public Builder backoffInitial(Duration delay) {
            config.backoffInitial(delay);
            return this;
        }

        /** See {@link MetashrewClientConfig.Builder#backoffMax}. */
        public Builder backoffMax(Duration delay) {
            config.backoffMax(delay);
            return this;
        }

        /** See {@link MetashrewClientConfig.Builder#backoffMultiplier}. */
        public Builder backoffMultiplier(double multiplier) {
            config.backoffMultiplier(multiplier);
            return this;
        }

        /** See {@link MetashrewClientConfig.Builder#backoffJitter}. */
        public Builder backoffJitter(double jitter) {
            config.backoffJitter(jitter);
            return this;
        }

        /** See {@link MetashrewClientConfig.Builder#maxResponseBytes}. */
        public Builder maxResponseBytes(long bytes) {
            config.maxResponseBytes(bytes);
            return this;
        }

        /** See {@link MetashrewClientConfig.Builder#versionLine}. */
        public Builder versionLine(VersionLine line) {
            config.versionLine(line);
            return this;
        }

        /** See {@link MetashrewClientConfig.Builder#basicAuth}. */
        public Builder basicAuth(String user, String password) {
            config.basicAuth(user, password);
            return this;
        }

        /** See {@link MetashrewClientConfig.Builder#header}. */
        public Builder header(String name, String value) {
            config.header(name, value);
            return this;
        }

        /** See {@link MetashrewClientConfig.Builder#headers}. */
        public Builder headers(Map<String, String> headers) {
            config.headers(headers);
            return this;
        }

        /** See {@link MetashrewClientConfig.Builder#listener}. */
        public Builder listener(MetashrewClientListener listener) {
            config.listener(listener);
            return this;
        }

        /** Validates the settings and builds the client. */
        public MetashrewClient build() {
            return new MetashrewClient(config.build());
        }
    }
}
