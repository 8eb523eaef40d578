package dev.debshrew.devnet;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * A fault to inject into a {@link DevnetServer}'s responses. Immutable: {@link #forMethod},
 * {@link #times} and {@link #withProbability} return modified copies. By default a fault applies to
 * the next matching request only.
 *
 * <pre>{@code
 * server.inject(Fault.http500().times(2));
 * server.inject(Fault.latency(Duration.ofMillis(50)).withProbability(0.3).forMethod("metashrew_view"));
 * }</pre>
 */
public final class Fault {

    /** What the fault does. */
    public enum Type {
        /** Delays the response, then answers normally (combines with other faults). */
        LATENCY,
        /** Holds the request for the given duration without answering (then answers, to nobody). */
        TIMEOUT,
        /** Answers HTTP 500 with a text body. */
        HTTP_500,
        /** Answers HTTP 200 with a truncated JSON body. */
        MALFORMED_JSON,
        /** Closes the connection without any response. */
        DROP_CONNECTION,
        /** Answers a JSON-RPC error (code -32000), as metashrew does when a view function fails. */
        RPC_ERROR,
        /** {@code metashrew_height} reports the height minus {@code by} (state unchanged). */
        HEIGHT_BACKWARDS,
        /**
         * Performs an instant reorg of {@code depth} blocks at the indexed tip (with
         * {@code newBlocks} new blocks) right before answering the request, which then sees the new
         * branch: a branch switch between two of the client's calls.
         */
        REORG,
        /** Answers a well-formed response whose result is a hex string of {@code bytes} bytes (huge responses). */
        OVERSIZED_RESULT,
        /** Answers a well-formed response whose result is the given JSON value (null, non-hex, a number...). */
        BAD_RESULT;

        /** Parses a snake_case or upper-case name such as {@code http_500}. */
        public static Type parse(String name) {
            for (Type t : values()) {
                if (t.name().equalsIgnoreCase(name == null ? "" : name.trim())) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unknown fault type '" + name
                    + "' (expected latency, timeout, http_500, malformed_json, drop_connection, rpc_error,"
                    + " height_backwards, reorg, oversized_result, bad_result)");
        }

        /** The snake_case name. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Type type;
    private final String method;
    private final int times;
    private final double probability;
    private final Duration delay;
    private final long by;
    private final int newBlocks;
    private final Long atHeight;
    private final String result;

    private Fault(Type type, String method, int times, double probability, Duration delay, long by) {
        this(type, method, times, probability, delay, by, 0, null, null);
    }

    private Fault(Type type, String method, int times, double probability, Duration delay, long by, int newBlocks,
            Long atHeight, String result) {
        this.type = type;
        this.method = method;
        this.times = times;
        this.probability = probability;
        this.delay = delay;
        this.by = by;
        this.newBlocks = newBlocks;
        this.atHeight = atHeight;
        this.result = result;
    }

    /** Delays matching responses by {@code delay}. */
    public static Fault latency(Duration delay) {
        return new Fault(Type.LATENCY, null, 1, 0, nonNegative(delay), 0);
    }

    /** Holds matching requests for {@code hold} (longer than the client's read timeout to cause one). */
    public static Fault timeout(Duration hold) {
        return new Fault(Type.TIMEOUT, null, 1, 0, nonNegative(hold), 0);
    }

    /** Answers HTTP 500. */
    public static Fault http500() {
        return new Fault(Type.HTTP_500, null, 1, 0, Duration.ZERO, 0);
    }

    /** Answers a truncated JSON body. */
    public static Fault malformedJson() {
        return new Fault(Type.MALFORMED_JSON, null, 1, 0, Duration.ZERO, 0);
    }

    /** Closes the connection without answering. */
    public static Fault dropConnection() {
        return new Fault(Type.DROP_CONNECTION, null, 1, 0, Duration.ZERO, 0);
    }

    /** Answers a JSON-RPC error (code -32000): not retriable by the client. */
    public static Fault rpcError() {
        return new Fault(Type.RPC_ERROR, null, 1, 0, Duration.ZERO, 0);
    }

    /** {@code metashrew_height} answers {@code by} less than the real height (never below 0). */
    public static Fault heightBackwards(long by) {
        if (by < 1) {
            throw new IllegalArgumentException("height_backwards 'by' must be >= 1, got " + by);
        }
        return new Fault(Type.HEIGHT_BACKWARDS, "metashrew_height", 1, 0, Duration.ZERO, by);
    }

    /**
     * Switches the node to a new branch right before answering the matching request: an instant
     * reorg of {@code depth} blocks at the indexed tip, replaced by {@code newBlocks} blocks. With
     * {@link #forMethod} and {@link #atHeight} it hits one chosen call, e.g. the first
     * {@code metashrew_getblockhash} for height H.
     */
    public static Fault reorg(int depth, int newBlocks) {
        if (depth < 1 || newBlocks < 1) {
            throw new IllegalArgumentException("reorg fault: depth and new_blocks must be >= 1, got " + depth + ", "
                    + newBlocks);
        }
        return new Fault(Type.REORG, null, 1, 0, Duration.ZERO, depth, newBlocks, null, null);
    }

    /**
     * {@code metashrew_view} answers a well-formed response whose result is {@code "0x"} followed by
     * {@code bytes} bytes of hex (2 * bytes + 2 characters), to exceed a client's response size limit.
     */
    public static Fault oversizedResult(long bytes) {
        if (bytes < 1 || bytes > 1L << 30) {
            throw new IllegalArgumentException("oversized_result 'bytes' must be in [1, 2^30], got " + bytes);
        }
        return new Fault(Type.OVERSIZED_RESULT, "metashrew_view", 1, 0, Duration.ZERO, bytes);
    }

    /**
     * {@code metashrew_view} answers a well-formed JSON-RPC response whose {@code result} is
     * {@code resultJson} verbatim (a JSON value such as {@code null}, {@code "0xzz"} or {@code 42}).
     */
    public static Fault badResult(String resultJson) {
        if (resultJson == null || resultJson.isBlank()) {
            throw new IllegalArgumentException("bad_result needs a JSON value, e.g. null or \"0xzz\"");
        }
        return new Fault(Type.BAD_RESULT, "metashrew_view", 1, 0, Duration.ZERO, 0, 0, null, resultJson);
    }

    /** Restricts the fault to JSON-RPC method {@code method} (null = any request). */
    public Fault forMethod(String method) {
        return new Fault(type, method, times, probability, delay, by, newBlocks, atHeight, result);
    }

    /**
     * Restricts the fault to requests about height {@code h}: the height parameter of
     * {@code metashrew_getblockhash} (first) or {@code metashrew_view} (third).
     */
    public Fault atHeight(long h) {
        if (h < 0) {
            throw new IllegalArgumentException("fault height must be >= 0, got " + h);
        }
        return new Fault(type, method, times, probability, delay, by, newBlocks, h, result);
    }

    /** Applies to the next {@code n} matching requests. */
    public Fault times(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("fault times must be >= 1, got " + n);
        }
        return new Fault(type, method, n, 0, delay, by, newBlocks, atHeight, result);
    }

    /** Applies to each matching request with probability {@code p} (seeded RNG) until cleared. */
    public Fault withProbability(double p) {
        if (!(p > 0 && p <= 1)) {
            throw new IllegalArgumentException("fault probability must be in (0, 1], got " + p);
        }
        return new Fault(type, method, 0, p, delay, by, newBlocks, atHeight, result);
    }

    /** The fault type. */
    public Type type() {
        return type;
    }

    /** The JSON-RPC method it is restricted to, or null. */
    public String method() {
        return method;
    }

    /** Remaining count for a counted fault; 0 for a probabilistic one. */
    public int times() {
        return times;
    }

    /** Probability for a probabilistic fault; 0 for a counted one. */
    public double probability() {
        return probability;
    }

    /** Delay of a latency fault, hold time of a timeout fault. */
    public Duration delay() {
        return delay;
    }

    /** Height decrease of a height-backwards fault; depth of a reorg fault. */
    public long by() {
        return by;
    }

    /** The JSON result of a bad-result fault, else null. */
    public String result() {
        return result;
    }

    /** New blocks of a reorg fault (0 for other faults). */
    public int newBlocks() {
        return newBlocks;
    }

    /** The request height the fault is restricted to, or null for any. */
    public Long atHeight() {
        return atHeight;
    }

    /** Whether the fault applies to a request for {@code method} about {@code height} (null: none). */
    boolean matches(String requestMethod, Long height) {
        return (method == null || method.equals(requestMethod)) && (atHeight == null || atHeight.equals(height));
    }

    private static Duration nonNegative(Duration d) {
        Objects.requireNonNull(d, "delay");
        if (d.isNegative()) {
            throw new IllegalArgumentException("fault delay must not be negative: " + d);
        }
        return d;
    }

    @Override
    public String toString() {
        return "Fault{" + type.id() + (method == null ? "" : " " + method)
                + (probability > 0 ? " p=" + probability : " x" + times)
                + (delay.isZero() ? "" : " " + delay.toMillis() + "ms") + (by == 0 ? "" : (type == Type.OVERSIZED_RESULT ? " bytes=" : " by=") + by)
                + (newBlocks == 0 ? "" : " new_blocks=" + newBlocks) + (atHeight == null ? "" : " at=" + atHeight)
                + (result == null ? "" : " result=" + result) + "}";
    }
}
