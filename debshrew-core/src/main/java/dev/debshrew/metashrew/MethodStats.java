package dev.debshrew.metashrew;

import java.time.Duration;

/**
 * Counters of one JSON-RPC method of a {@link MetashrewClient} since it was built.
 *
 * @param method the JSON-RPC method name
 * @param calls logical calls completed (successful or not)
 * @param failures calls that ended with an exception
 * @param attempts HTTP attempts made
 * @param retries attempts that were retried after a failure
 * @param totalLatency sum of call latencies (retries and backoff included)
 * @param maxLatency largest call latency
 */
public record MethodStats(String method, long calls, long failures, long attempts, long retries, Duration totalLatency,
        Duration maxLatency) {
}
