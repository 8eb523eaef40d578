package dev.debshrew.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.debshrew.config.ConfigException;
import dev.debshrew.config.DebshrewConfig;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code debshrew reload --config FILE [--module WASM]}: asks the running daemon to load a new
 * transform module and swap it in at its next block boundary (hot reload), through its admin
 * endpoint {@code POST /admin/reload} found in the same config file ({@code admin.bind},
 * {@code admin.port}, {@code admin.token}). Prints the outcome: the new module's SHA-256 and the
 * height it applies from, or why it was refused (the old module runs on). Exit status: 0 accepted,
 * 1 refused or the daemon unreachable, 2 invalid configuration or no admin endpoint configured.
 */
@Command(name = "reload", mixinStandardHelpOptions = true,
        description = "Hot-reload the transform module of the running daemon (via its admin endpoint).")
final class ReloadCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The daemon's config file.")
    Path config;

    @Option(names = {"-t", "--module"}, paramLabel = "WASM",
            description = "The module to load (default: the daemon's transform.path, read again from disk).")
    Path module;

    @Override
    public Integer call() {
        DebshrewConfig cfg;
        try {
            cfg = DebshrewConfig.load(config);
        } catch (ConfigException e) {
            System.err.println("debshrew reload: invalid configuration: " + e.getMessage());
            return ExitStatus.CONFIGURATION;
        }
        if (cfg.adminPort() == null || cfg.adminPort() == 0) {
            System.err.println("debshrew reload: " + config + " sets no admin.port, so the daemon has no admin endpoint"
                    + " to ask; send it SIGHUP instead (kill -HUP PID reloads transform.path)");
            return ExitStatus.CONFIGURATION;
        }
        String host = cfg.adminBind();
        if ("0.0.0.0".equals(host) || "::".equals(host) || "[::]".equals(host)) {
            host = "127.0.0.1"; // listening everywhere: ask over loopback
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        URI uri = URI.create("http://" + host + ":" + cfg.adminPort() + "/admin/reload");
        ObjectMapper mapper = new ObjectMapper();
        String body = module == null ? "{}"
                : mapper.createObjectNode().put("module", module.toAbsolutePath().toString()).toString();
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (cfg.adminToken() != null) {
            request.header("Authorization", "Bearer " + cfg.adminToken());
        }
        HttpResponse<String> response;
        try {
            response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()
                    .send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            System.err.println("debshrew reload: no daemon answers at " + uri + " (admin.bind, admin.port of " + config
                    + "): is it running?");
            return ExitStatus.TRANSIENT;
        } catch (IOException e) {
            System.err.println("debshrew reload: asking " + uri + " failed: " + e);
            return ExitStatus.TRANSIENT;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitStatus.TRANSIENT;
        }
        return report(response, uri, mapper);
    }

    private int report(HttpResponse<String> response, URI uri, ObjectMapper mapper) {
        if (response.statusCode() == 401) {
            System.err.println("debshrew reload: the daemon at " + uri + " refused the admin token (401): admin.token"
                    + " (or admin.token_file) in " + config + " must be the daemon's");
            return ExitStatus.TRANSIENT;
        }
        JsonNode r;
        try {
            r = mapper.readTree(response.body());
        } catch (IOException e) {
            r = null;
        }
        if (r == null || !r.isObject()) {
            System.err.println("debshrew reload: unexpected answer from " + uri + " (HTTP " + response.statusCode()
                    + "): " + response.body().strip());
            return ExitStatus.TRANSIENT;
        }
        if (!r.path("ok").asBoolean(false)) {
            System.err.println("debshrew reload: refused, the running module stays: " + r.path("error").asText());
            return ExitStatus.TRANSIENT;
        }
        String module = r.path("module").asText();
        String sha = r.path("sha256").asText();
        if ("unchanged".equals(r.path("outcome").asText())) {
            System.out.println("debshrew reload: " + module + " (sha256 " + sha + ") is already running;"
                    + " nothing changed");
        } else if (r.path("from_height").isNumber()) {
            System.out.println("debshrew reload: " + module + " (sha256 " + sha + ") runs from block "
                    + r.path("from_height").asLong() + " on");
        } else {
            System.out.println("debshrew reload: " + module + " (sha256 " + sha + ") loaded; it runs from the"
                    + " daemon's next block boundary (see last_reload in /status)");
        }
        return ExitStatus.CLEAN;
    }
}
