package dev.debshrew.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.config.ConfigException;
import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.daemon.Daemon;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.testing.Examples;
import dev.debshrew.util.Secrets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The admin API's optional bearer token (operations issue, item 7): every endpoint but
 * {@code /health} requires it, answering 401 with {@code WWW-Authenticate} otherwise; it can come
 * from a file; it is a secret (never logged, never echoed in a configuration error).
 */
class AdminTokenTest {

    private static final String TOKEN = "t0k3n-Adm1n-Q7xR9vLp";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private ObjectNode config(String url) {
        ObjectNode root = DebshrewConfig.emptyTree();
        root.putObject("metashrew").put("url", url);
        root.putObject("transform").put("path", Examples.assemblyScript("txindex").toString());
        root.putObject("sink").put("type", "file").put("path", dir.resolve("out.jsonl").toString());
        root.put("state_store", "memory");
        root.put("data_dir", dir.resolve("data").toString());
        root.putObject("admin").put("port", 0);
        return root;
    }

    private HttpResponse<String> send(String base, String method, String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .method(method, "POST".equals(method) ? HttpRequest.BodyPublishers.ofString("x")
                        : HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void adminTokenIsRequiredByEveryEndpointButHealthAndNeverLogged() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        root.addAppender(logged);
        try (DevnetServer devnet = DevnetServer.builder().initialHeight(2).build().start(0)) {
            ObjectNode cfg = config(devnet.url());
            ((ObjectNode) cfg.path("admin")).put("token", TOKEN);
            Daemon daemon = Daemon.create(DebshrewConfig.fromJson(cfg, "test"));
            try {
                String base = "http://127.0.0.1:" + daemon.adminAddress().orElseThrow().getPort();
                assertThat(send(base, "GET", "/health", null).statusCode()).as("/health needs no token")
                        .isEqualTo(503); // not started: but answered, not 401
                assertThat(send(base, "GET", "/", null).statusCode())
                        .as("the status page itself holds no data: it loads without the token").isEqualTo(200);
                for (String path : List.of("/metrics", "/status", "/status/history", "/ready", "/nope")) {
                    for (String auth : new String[] {null, "Bearer wrong-token-of-some-length", "Bearer " + TOKEN + "x",
                        "Basic " + TOKEN, "Bearer"}) {
                        HttpResponse<String> r = send(base, "GET", path, auth);
                        assertThat(r.statusCode()).as("GET %s with %s", path, auth).isEqualTo(401);
                        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                                v -> assertThat(v).startsWith("Bearer"));
                        assertThat(r.body()).doesNotContain(TOKEN);
                    }
                    assertThat(send(base, "GET", path, "Bearer " + TOKEN).statusCode()).as("GET %s with the token", path)
                            .isEqualTo("/nope".equals(path) ? 404 : "/ready".equals(path) ? 503 : 200);
                    assertThat(send(base, "GET", path, "bearer " + TOKEN).statusCode()).as("scheme is case-insensitive")
                            .isNotEqualTo(401);
                }
                assertThat(send(base, "POST", "/status", null).statusCode()).as("no state change without the token")
                        .isEqualTo(401);
                assertThat(send(base, "POST", "/status", "Bearer " + TOKEN).statusCode()).isEqualTo(405);
            } finally {
                daemon.close();
            }
        } finally {
            root.detachAppender(logged);
        }
        assertThat(logged.list).isNotEmpty();
        assertThat(logged.list).noneMatch(e -> e.getFormattedMessage().contains(TOKEN));
        assertThat(Secrets.scrub("token is " + TOKEN)).doesNotContain(TOKEN);
    }

    @Test
    void adminTokenFileIsReadAndBadTokenOptionsAreClearErrors() throws Exception {
        Path file = dir.resolve("admin-token");
        Files.writeString(file, TOKEN + "\n");
        try (DevnetServer devnet = DevnetServer.builder().initialHeight(2).build().start(0)) {
            ObjectNode cfg = config(devnet.url());
            ((ObjectNode) cfg.path("admin")).put("token_file", file.toString());
            Daemon daemon = Daemon.create(DebshrewConfig.fromJson(cfg, "test"));
            try {
                String base = "http://127.0.0.1:" + daemon.adminAddress().orElseThrow().getPort();
                assertThat(send(base, "GET", "/metrics", null).statusCode()).isEqualTo(401);
                assertThat(send(base, "GET", "/metrics", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
            } finally {
                daemon.close();
            }
        }

        ObjectNode both = config("http://127.0.0.1:1/");
        ((ObjectNode) both.path("admin")).put("token", TOKEN).put("token_file", file.toString());
        assertThatThrownBy(() -> DebshrewConfig.fromJson(both, "cfg.json")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("admin.token").hasMessageContaining("admin.token_file")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(TOKEN));

        ObjectNode missing = config("http://127.0.0.1:1/");
        ((ObjectNode) missing.path("admin")).put("token_file", dir.resolve("absent").toString());
        assertThatThrownBy(() -> DebshrewConfig.fromJson(missing, "cfg.json")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("admin.token_file").hasMessageContaining("no such file")
                .hasMessageContaining(dir.resolve("absent").toString());

        String shortToken = "s3cr";
        ObjectNode tooShort = config("http://127.0.0.1:1/");
        ((ObjectNode) tooShort.path("admin")).put("token", shortToken);
        assertThatThrownBy(() -> DebshrewConfig.fromJson(tooShort, "cfg.json")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("admin.token").hasMessageContaining("at least 16")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(shortToken));
    }
}
