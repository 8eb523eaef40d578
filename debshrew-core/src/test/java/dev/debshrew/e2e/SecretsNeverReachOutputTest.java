package dev.debshrew.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.Fault;
import dev.debshrew.devnet.RecordedRequest;
import dev.debshrew.testing.DaemonProcess;
import dev.debshrew.testing.Examples;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 item 9: the daemon, run as a real process with a secret in every place a secret can be
 * configured (credentials in {@code metashrew.url}, the basic-auth password, header values, a
 * PostgreSQL sink's password in its JDBC URL and as an option), is driven through start-up, node
 * failures, the admin pages and a stop; none of the secrets appears in its stdout, its stderr, any
 * file it wrote, or the admin pages.
 */
@Timeout(300)
class SecretsNeverReachOutputTest {

    /** Percent-encoded in the URL; the decoded form (with '@') is a secret too. */
    private static final String URL_PASSWORD_ENCODED = "UrlPass-9d8c7b6a5f%40tail-31a7";
    private static final String URL_PASSWORD = "UrlPass-9d8c7b6a5f@tail-31a7";
    private static final String BASIC_PASSWORD = "BasicPass-e4f1a9c03b77d2";
    private static final String API_KEY = "HeaderKey-5c2e8f0a1d9b64";
    private static final String BEARER = "BearerTok-77ab31e9c0f2d8";
    private static final String PG_URL_PASSWORD = "PgUrlPass-0b9e4c7a2d51f6";
    private static final String PG_PASSWORD = "PgOptPass-a18d3f6e9c20b4";
    private static final String ADMIN_TOKEN = "AdminTok-3e7f0c9a1b5d28";

    private static final Pattern ADMIN = Pattern.compile("admin server listening on http://127\\.0\\.0\\.1:(\\d+)/");
    private static final Duration WAIT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void secretsNeverReachLogsFilesOrAdminPages() throws Exception {
        Map<String, String> secrets = new LinkedHashMap<>();
        secrets.put("metashrew.url password (encoded)", URL_PASSWORD_ENCODED);
        secrets.put("metashrew.url password (decoded)", URL_PASSWORD);
        secrets.put("metashrew.password", BASIC_PASSWORD);
        secrets.put("metashrew.password as sent (base64 user:password)",
                Base64.getEncoder().encodeToString(("gwuser:" + BASIC_PASSWORD).getBytes(StandardCharsets.UTF_8)));
        secrets.put("header X-Api-Key", API_KEY);
        secrets.put("header X-Gateway-Token", BEARER);
        secrets.put("postgres password in the JDBC URL", PG_URL_PASSWORD);
        secrets.put("postgres password option", PG_PASSWORD);
        secrets.put("admin.token", ADMIN_TOKEN);

        Path work = dir.resolve("work");
        Path configDir = dir.resolve("config");
        Files.createDirectories(work);
        Files.createDirectories(configDir);
        List<String> pages = new ArrayList<>();
        DaemonProcess daemon = null;
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
                DevnetServer devnet = DevnetServer.builder().seed(99).initialHeight(8).build().start(0)) {
            Path fileSink = work.resolve("out").resolve("blocks.jsonl");
            Path config = writeConfig(configDir.resolve("config.json"), devnet, pg, work, fileSink);

            daemon = DaemonProcess.start(config, null, work.resolve("logs"));
            DaemonProcess d = daemon;
            daemon.awaitStderr("admin server listening on", WAIT);
            Matcher m = ADMIN.matcher(daemon.stderr());
            assertThat(m.find()).as("admin address in:\n%s", daemon.stderr()).isTrue();
            String admin = "http://127.0.0.1:" + m.group(1);
            Path cursor = fileSink.resolveSibling("blocks.jsonl.cursor");
            daemon.awaitCursor(cursor, 8, devnet.blockHash(8), WAIT);

            // the secrets were really configured and used: explicit basic auth wins over the URL's
            RecordedRequest sent = devnet.requests().get(devnet.requests().size() - 1);
            assertThat(sent.headers()).containsEntry("x-api-key", API_KEY).containsEntry("x-gateway-token", BEARER)
                    .containsEntry("authorization", "Basic " + secrets.get("metashrew.password as sent (base64 user:password)"));
            assertThat(sent.path()).isEqualTo("/");

            // node failures: errors get logged (WARN with the cause) and reach /status while the node
            // fails (a successful call clears them: the fault stays until the page showed it)
            devnet.inject(Fault.http500().forMethod("metashrew_height").withProbability(1.0));
            E2e.await("the node failure to be logged and shown on /status", daemon, WAIT,
                    () -> d.stderr().contains("HTTP 500") && CdcCodec.mapper().readTree(get(admin + "/status", pages))
                            .path("node").path("last_failure").asText().contains("metashrew_height"));
            devnet.clearFaults();
            devnet.inject(Fault.dropConnection().forMethod("metashrew_height"));
            E2e.await("the dropped connection to be hit", daemon, WAIT, () -> devnet.activeFaults().isEmpty());
            devnet.mine(1);
            daemon.awaitCursor(cursor, 9, devnet.blockHash(9), WAIT);

            String status = get(admin + "/status", pages);
            assertThat(CdcCodec.mapper().readTree(status).path("node").path("url").asText())
                    .isEqualTo("http://***@127.0.0.1:" + devnet.port() + "/");
            get(admin + "/metrics", pages);
            get(admin + "/health", pages);

            assertThat(daemon.terminate(WAIT)).as("exit status after SIGTERM").isZero();
        } finally {
            if (daemon != null) {
                daemon.close();
            }
        }

        // positive controls: the outputs are the real ones
        String stderr = daemon.stderr();
        String stdout = daemon.stdout();
        assertThat(stderr).contains("debshrew following MetashrewClient{http://***@127.0.0.1:")
                .contains("metashrew call failed").contains("stop requested");
        assertThat(stdout).as("console sink output").contains("\"height\"");
        Map<String, String> outputs = new LinkedHashMap<>();
        outputs.put("stdout", stdout);
        outputs.put("stderr", stderr);
        for (int i = 0; i < pages.size(); i++) {
            outputs.put("admin page #" + i, pages.get(i));
        }
        try (Stream<Path> files = Files.walk(work)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                outputs.put(work.relativize(f).toString(), new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
            }
        }
        assertThat(outputs.keySet()).anyMatch(k -> k.endsWith("blocks.jsonl")).anyMatch(k -> k.contains("state"));

        List<String> leaks = new ArrayList<>();
        outputs.forEach((where, text) -> secrets.forEach((what, secret) -> {
            if (text.contains(secret)) {
                int at = text.indexOf(secret);
                leaks.add(what + " in " + where + ": ..."
                        + text.substring(Math.max(0, at - 120), Math.min(text.length(), at + secret.length() + 40)));
            }
        }));
        assertThat(leaks).as("secrets found in the daemon's output").isEmpty();
    }

    @Test
    void configurationErrorsNeverQuoteSecrets() throws Exception {
        String secret = "CfgSecret-6e1b9d4a7c03f8";
        List<ObjectNode> bad = new ArrayList<>();
        bad.add(base("ftp://u:" + secret + "@127.0.0.1:1/")); // wrong scheme
        bad.add(base("http://u:" + secret + " x@127.0.0.1:1/")); // not a URI at all
        ObjectNode numeric = base("http://127.0.0.1:1/");
        ((ObjectNode) numeric.get("metashrew")).put("username", "u").put("password", 4815162342108L);
        bad.add(numeric);
        ObjectNode pgUrl = base("http://127.0.0.1:1/");
        pgUrl.putObject("sink").put("type", "postgres").put("url", "mysql://u:" + secret + "@db/x"); // not PostgreSQL
        bad.add(pgUrl);
        ObjectNode pgPassword = base("http://127.0.0.1:1/");
        pgPassword.putObject("sink").put("type", "postgres").put("url", "jdbc:postgresql://127.0.0.1:1/x")
                .put("password", 4815162342108L);
        bad.add(pgPassword);
        for (ObjectNode cfg : bad) {
            String message;
            try {
                DebshrewConfig c = DebshrewConfig.fromJson(cfg, "test");
                try (var daemon = dev.debshrew.daemon.Daemon.create(c)) {
                    throw new AssertionError("accepted: " + cfg);
                }
            } catch (dev.debshrew.config.ConfigException | IllegalArgumentException e) {
                message = e.getMessage() + " " + e.getCause();
            }
            assertThat(message).as("error for %s", cfg.toString().replace(secret, "<secret>"))
                    .doesNotContain(secret).doesNotContain("4815162342108").containsAnyOf("metashrew", "password", "url");
        }
    }

    @Test
    void invalidConfigFileNeverEchoesASecret() throws Exception {
        String secret = "UnquotedPw-2f7a9c41e8";
        Path config = dir.resolve("broken.json");
        Files.writeString(config, "{\"metashrew\": {\"url\": \"http://127.0.0.1:1/\", \"username\": \"u\",\n"
                + "  \"password\": " + secret + "}}\n");
        try (DaemonProcess d = DaemonProcess.start(config, null, dir.resolve("broken-logs"))) {
            assertThat(d.awaitExit(WAIT)).as("exit status for an invalid config").isEqualTo(2);
            assertThat(d.stderr()).contains("is not valid JSON").contains("line 2").doesNotContain(secret);
            assertThat(d.stdout()).doesNotContain(secret);
        }
    }

    private ObjectNode base(String url) throws Exception {
        ObjectNode cfg = DebshrewConfig.emptyTree();
        cfg.putObject("metashrew").put("url", url);
        cfg.putObject("transform").put("path", Examples.assemblyScript("blocks").toString()).put("compile_cache_dir", "");
        cfg.put("state_store", "memory").put("data_dir", dir.resolve("cfg-data").toString());
        return cfg;
    }

    private static Path writeConfig(Path file, DevnetServer devnet, EmbeddedPostgres pg, Path work, Path fileSink)
            throws Exception {
        ObjectNode cfg = DebshrewConfig.emptyTree();
        ObjectNode metashrew = cfg.putObject("metashrew")
                .put("url", "http://urluser:" + URL_PASSWORD_ENCODED + "@127.0.0.1:" + devnet.port() + "/")
                .put("username", "gwuser").put("password", BASIC_PASSWORD)
                .put("timeout", 10).put("max_retries", 0);
        metashrew.putObject("headers").put("X-Api-Key", API_KEY).put("X-Gateway-Token", BEARER);
        cfg.putObject("transform").put("path", Examples.assemblyScript("blocks").toString())
                .put("compile_cache_dir", work.resolve("compile-cache").toString());
        ArrayNode sinks = cfg.putArray("sinks");
        sinks.addObject().put("type", "console");
        sinks.addObject().put("type", "file").put("path", fileSink.toString());
        sinks.addObject().put("type", "postgres")
                .put("url", pg.getJdbcUrl("postgres", "postgres") + "&password=" + PG_URL_PASSWORD)
                .put("password", PG_PASSWORD).put("mode", "changelog").put("schema", "secrets")
                .put("pipeline", "secrets").put("connection_timeout_ms", 5000);
        cfg.put("cache_size", 6).put("start_height", 0).put("data_dir", work.resolve("data").toString())
                .put("state_store", "rocksdb").put("poll_interval_ms", 50);
        cfg.putObject("admin").put("port", 0).put("token", ADMIN_TOKEN);
        Files.writeString(file, cfg.toPrettyString());
        return file;
    }

    private static String get(String url, List<String> pages) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", url, r.body()).isIn(200, 503);
        pages.add(r.body());
        return r.body();
    }
}
