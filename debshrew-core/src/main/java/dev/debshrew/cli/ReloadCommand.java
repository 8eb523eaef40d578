package dev.debshrew.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.config.ConfigException;
import dev.debshrew.config.ConfigLoader;
import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.config.PipelinesConfig;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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

    @Option(names = {"-p", "--pipeline"}, paramLabel = "NAME",
            description = "With a config listing 'pipelines': the pipeline to reload (default: every one).")
    String pipeline;

    @Override
    public Integer call() {
        DebshrewConfig cfg;
        try {
            ObjectNode root = ConfigLoader.read(config, System.getenv());
            if (PipelinesConfig.declared(root)) {
                List<PipelinesConfig.Pipeline> pipelines = PipelinesConfig.read(root, config.toString());
                if (pipeline != null && pipelines.stream().noneMatch(p -> p.name().equals(pipeline))) {
                    System.err.println("debshrew reload: " + config + " has no pipeline named '" + pipeline
                            + "' (pipelines: " + pipelines.stream().map(PipelinesConfig.Pipeline::name).toList() + ")");
                    return ExitStatus.CONFIGURATION;
                }
                if (pipeline == null && module != null) {
                    System.err.println("debshrew reload: --module needs --pipeline NAME: " + config
                            + " lists several pipelines");
                    return ExitStatus.CONFIGURATION;
                }
                cfg = pipelines.get(0).config();
            } else if (pipeline != null) {
                System.err.println("debshrew reload: --pipeline needs a config listing 'pipelines'; " + config
                        + " has one pipeline");
                return ExitStatus.CONFIGURATION;
            } else {
                cfg = DebshrewConfig.fromJson(root, config.toString());
            }
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
        URI uri = URI.create("http://" + host + ":" + cfg.adminPort() + "/admin/reload"
                + (pipeline == null ? "" : "?pipeline=" + URLEncoder.encode(pipeline, StandardCharsets.UTF_8)));
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
        if (r.has("pipelines")) { // every pipeline of a daemon with several
            r.path("pipelines").fields().forEachRemaining(e -> System.out.println("debshrew reload: pipeline "
                    + e.getKey() + ": " + e.getValue().path("outcome").asText() + " " + e.getValue().path("module").asText()
                    + " (sha256 " + e.getValue().path("sha256").asText() + ")"));
            return ExitStatus.CLEAN;
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
