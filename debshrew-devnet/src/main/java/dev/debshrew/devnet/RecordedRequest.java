package dev.debshrew.devnet;

import java.util.Map;

/**
 * A request received by a {@link DevnetServer}, as recorded for assertions.
 *
 * @param path the request path (with query, if any)
 * @param method the JSON-RPC method, or null when the body was not a JSON-RPC request
 * @param params the {@code params} member as compact JSON, or null when absent
 * @param headers request headers, names lowercase, first value only
 */
public record RecordedRequest(String path, String method, String params, Map<String, String> headers) {
}
