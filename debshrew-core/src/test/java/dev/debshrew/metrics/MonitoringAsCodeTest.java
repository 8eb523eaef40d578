package dev.debshrew.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.daemon.Daemon;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.ReorgStyle;
import dev.debshrew.testing.DaemonThread;
import dev.debshrew.testing.Examples;
import dev.debshrew.testing.TcpProxy;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Monitoring as code (issue 11 item 6): the Grafana dashboard and the Prometheus alert rules in
 * {@code config/} only use metrics and labels that a running daemon's {@code /metrics} serves, and
 * the rules pass {@code promtool} (syntax and their unit tests) where promtool is installed.
 */
class MonitoringAsCodeTest {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private String get(String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", url, r.body()).isEqualTo(200);
        return r.body();
    }

    private static void await(String what, Duration timeout, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for %s", what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private String scrape(String base) {
        try {
            return get(base + "/metrics");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static double sample(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        assertThat(m.find()).as("series %s in:\n%s", series, scrape).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private ObjectNode config(String url) {
        ObjectNode root = DebshrewConfig.emptyTree();
        root.putObject("metashrew").put("url", url).put("timeout", 1).put("connect_timeout", 1).put("max_retries", 1);
        root.putObject("transform").put("path", Examples.assemblyScript("txindex").toString());
        root.putObject("sink").put("type", "file").put("path", dir.resolve("out.jsonl").toString());
        root.put("state_store", "memory");
        root.put("data_dir", dir.resolve("data").toString());
        root.put("start_height", 0);
        root.put("poll_interval_ms", 20);
        root.put("cache_size", 6);
        root.putObject("admin").put("port", 0);
        return root;
    }

    /**
     * A real daemon on the devnet processes blocks, undoes a reorg and sees the node fail (so the
     * lazily registered meters exist); every metric and label of the dashboard and the alerts is
     * then in its {@code /metrics}.
     */
    @Test
    void everyMetricTheDashboardAndTheAlertsUseIsServedByARunningDaemon() throws Exception {
        List<MonitoringAsCode.Query> queries = new ArrayList<>(MonitoringAsCode.dashboardQueries());
        queries.addAll(MonitoringAsCode.alertQueries());
        String scrape;
        try (DevnetServer devnet = DevnetServer.builder().initialHeight(6).build().start(0);
                TcpProxy proxy = new TcpProxy(devnet.port()).start(0)) {
            Daemon daemon = Daemon.create(DebshrewConfig.fromJson(config(proxy.url()), "test"));
            String base = "http://127.0.0.1:" + daemon.adminAddress().orElseThrow().getPort();
            try (DaemonThread running = DaemonThread.start(daemon, "monitoring-test-daemon")) {
                BooleanSupplier caughtUp = () -> running.failure() == null
                        && daemon.follower().nextHeight() == devnet.height() + 1
                        && daemon.follower().windowTip().map(e -> e.hash().equals(devnet.blockHash(devnet.height())))
                        .orElse(false);
                await("catch-up", Duration.ofSeconds(60), caughtUp);
                devnet.reorg(2, 3, ReorgStyle.INSTANT).get(10, TimeUnit.SECONDS);
                await("the reorg undone", Duration.ofSeconds(60),
                        () -> caughtUp.getAsBoolean() && sample(scrape(base), "debshrew_reorgs_total") >= 1);
                proxy.stop();
                await("a node error, after a retry of the client", Duration.ofSeconds(30),
                        () -> scrape(base).contains("debshrew_node_errors_total{kind=\"transport\"}"));
                proxy.restart();
                devnet.mine(1);
                await("catch-up after the node came back", Duration.ofSeconds(60), caughtUp);
                scrape = get(base + "/metrics");
            }
        }
        assertThat(sample(scrape, "debshrew_window_size_blocks")).as("cache_size").isEqualTo(6);
        assertThat(sample(scrape, "debshrew_reorg_depth_blocks_max")).isEqualTo(2);

        Map<String, Set<String>> served = MonitoringAsCode.served(scrape);
        assertThat(MonitoringAsCode.problems(queries, served)).as("served:\n%s", scrape).isEmpty();

        // the checker can fail: a name or a label that is not served is reported
        assertThat(MonitoringAsCode.problems(List.of(
                new MonitoringAsCode.Query("made up", "rate(debshrew_blocks_processed[5m])", Set.of()),
                new MonitoringAsCode.Query("made up", "sum by (topic) (debshrew_sink_up{sink=~\".+\"})", Set.of()),
                new MonitoringAsCode.Query("made up", "debshrew_lag_blocks", Set.of("sink"))), served))
                .containsExactly("made up: metric debshrew_blocks_processed is not served by /metrics",
                        "made up: label topic is on none of [debshrew_sink_up]",
                        "made up: label sink is on none of [debshrew_lag_blocks]");
    }

    /** The dashboard has the panels and the rules the alerts the issue asks for, reading the right metrics. */
    @Test
    void theDashboardAndTheRulesCoverWhatAnOperatorWatches() throws Exception {
        List<String> panels = new ArrayList<>();
        new ObjectMapper().readTree(MonitoringAsCode.DASHBOARD.toFile()).path("panels")
                .forEach(p -> panels.add(p.path("title").asText()));
        assertThat(panels).contains("Blocks processed per second", "Processed height vs node height",
                "Lag (blocks behind the node)", "Sink commit latency (p50, p99)", "Messages per second per sink",
                "Sink up", "Node errors by kind", "Reorgs and depth", "Transform and block time (p50, p99)",
                "JVM memory");
        List<MonitoringAsCode.Query> alerts = MonitoringAsCode.alertQueries();
        assertThat(alerts).extracting(MonitoringAsCode.Query::where).contains("alert DebshrewStalled",
                "alert DebshrewLagging", "alert DebshrewSinkDown", "alert DebshrewDeepReorg",
                "alert DebshrewTransformFailing");
        Map<String, Set<String>> used = new java.util.TreeMap<>();
        alerts.forEach(a -> used.put(a.where(), MonitoringAsCode.usage(a.expr()).metrics()));
        assertThat(used.get("alert DebshrewStalled"))
                .containsExactlyInAnyOrder("debshrew_blocks_processed_total", "debshrew_lag_blocks");
        assertThat(used.get("alert DebshrewSinkDown")).containsExactly("debshrew_sink_up");
        assertThat(used.get("alert DebshrewDeepReorg"))
                .containsExactlyInAnyOrder("debshrew_reorg_depth_blocks_max", "debshrew_window_size_blocks");
        assertThat(used.get("alert DebshrewTransformFailing")).contains("debshrew_follower_up");
    }

    /**
     * {@code promtool check rules} on the alert rules and on the dashboard's queries (Grafana's
     * variables substituted), and {@code promtool test rules} on the rules' unit tests, which make
     * each alert fire and not fire. Skipped, saying so, where promtool is not installed (Debian
     * package {@code prometheus}).
     */
    @Test
    void promtoolAcceptsTheRulesTheirUnitTestsAndTheDashboardQueries() throws Exception {
        Optional<Path> promtool = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(d -> !d.isEmpty()).map(d -> Path.of(d, "promtool")).filter(Files::isExecutable).findFirst();
        Assumptions.assumeTrue(promtool.isPresent(),
                "promtool not on PATH (apt-get install prometheus): rules not checked by promtool");
        Path rules = MonitoringAsCode.ALERTS.toAbsolutePath().normalize();
        promtool(promtool.get(), rules.getParent(), "check", "rules", rules.toString());
        promtool(promtool.get(), rules.getParent(), "test", "rules",
                MonitoringAsCode.ALERT_TESTS.toAbsolutePath().normalize().toString());

        StringBuilder dashboardRules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        ObjectMapper json = new ObjectMapper();
        int i = 0;
        for (MonitoringAsCode.Query q : MonitoringAsCode.dashboardQueries()) {
            String expr = q.expr().replace("$__rate_interval", "5m").replace("$instance", ".*");
            dashboardRules.append("      - record: dashboard:query").append(i++).append('\n')
                    .append("        expr: ").append(json.writeValueAsString(expr)).append('\n');
        }
        Path file = Files.writeString(dir.resolve("dashboard-queries.yml"), dashboardRules);
        String out = promtool(promtool.get(), dir, "check", "rules", file.toString());
        assertThat(out).contains("SUCCESS: " + i + " rules found");
    }

    private static String promtool(Path promtool, Path workDir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(promtool.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished within 60 s", cmd).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("%s:\n%s", cmd, out).isZero();
        return out;
    }
}
