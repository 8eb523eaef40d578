package dev.debshrew.devnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Raw JSON-RPC over the JDK HTTP client, independent of the client under test. */
final class RawRpc {

    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private RawRpc() {
    }

    static HttpResponse<String> post(String url, String contentType, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Calls {@code method} with {@code paramsJson} and returns the whole response object. */
    static JsonNode call(String url, String method, String paramsJson) throws IOException, InterruptedException {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"" + method + "\""
                + (paramsJson == null ? "" : ",\"params\":" + paramsJson) + "}";
        HttpResponse<String> r = post(url, "application/json", body);
        if (r.statusCode() != 200) {
            throw new IOException("HTTP " + r.statusCode() + ": " + r.body());
        }
        JsonNode n = MAPPER.readTree(r.body());
        if (n.get("id").asInt() != 7) {
            throw new IOException("id not echoed: " + r.body());
        }
        return n;
    }

    static JsonNode result(String url, String method, String paramsJson) throws IOException, InterruptedException {
        JsonNode n = call(url, method, paramsJson);
        if (n.has("error")) {
            throw new IOException("unexpected error: " + n);
        }
        return n.get("result");
    }
}
