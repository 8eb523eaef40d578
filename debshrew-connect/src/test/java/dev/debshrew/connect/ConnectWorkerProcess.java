package dev.debshrew.connect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A distributed Kafka Connect worker ({@code org.apache.kafka.connect.cli.ConnectDistributed}) in a
 * child JVM, with a {@code worker.properties} written here: exactly-once source support, immediate
 * reassignment of a departed worker's tasks, short session timeouts, the REST API on a free loopback
 * port, and the connector loaded from {@code plugin.path} only (debshrew's own classes are not on the
 * child's class path). Its output goes to {@code <dir>/worker.log}.
 */
final class ConnectWorkerProcess implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final int port;
    private final Path log;
    /** Kills the worker when the test JVM exits without {@link #close} (e.g. a fork stopped on timeout). */
    private final Thread reaper;

    private ConnectWorkerProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.reaper = new Thread(process::destroyForcibly, "connect-worker-reaper-" + port);
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /**
     * Starts a worker of group {@code group} (internal topics {@code <group>.config/offset/status})
     * against {@code bootstrap}; {@link #awaitRest} waits until its REST API answers.
     */
    static ConnectWorkerProcess start(String bootstrap, String group, Path pluginPath, Path dir)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        int port = freePort();
        Map<String, String> props = new java.util.TreeMap<>();
        props.put("bootstrap.servers", bootstrap);
        props.put("group.id", group);
        for (String store : List.of("config", "offset", "status")) {
            props.put(store + ".storage.topic", group + "." + store);
            props.put(store + ".storage.replication.factor", "1");
        }
        props.put("offset.storage.partitions", "1");
        props.put("status.storage.partitions", "1");
        props.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        props.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
        props.put("exactly.once.source.support", "enabled");
        // a departed worker's tasks are reassigned at the next rebalance, not after up to 5 minutes
        props.put("scheduled.rebalance.max.delay.ms", "0");
        // a SIGKILLed worker leaves the group when its session expires (the broker's minimum is lowered)
        props.put("session.timeout.ms", "3000");
        props.put("heartbeat.interval.ms", "500");
        props.put("worker.unsync.backoff.ms", "1000");
        props.put("listeners", "http://127.0.0.1:" + port);
        props.put("rest.advertised.host.name", "127.0.0.1");
        props.put("rest.advertised.port", Integer.toString(port));
        props.put("plugin.path", pluginPath.toString());
        props.put("plugin.discovery", "service_load");
        Path properties = dir.resolve("worker.properties");
        Files.writeString(properties, props.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("\n", "", "\n")));
        Path logback = dir.resolve("logback.xml");
        Files.writeString(logback, """
                <configuration>
                  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
                  </appender>
                  <logger name="org.apache.kafka.clients" level="WARN"/>
                  <logger name="org.apache.kafka.common" level="WARN"/>
                  <root level="INFO"><appender-ref ref="OUT"/></root>
                </configuration>
                """);
        Path log = dir.resolve("worker.log");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m",
                "-Dlogback.configurationFile=" + logback, "-cp", childClassPath(),
                "org.apache.kafka.connect.cli.ConnectDistributed", properties.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ConnectWorkerProcess(p, port, log);
    }

    /**
     * The test's class path without debshrew's own modules (module directories and jars of this
     * repository, debshrew artifacts of the local repository): Kafka Connect and its dependencies,
     * so the connector can only come from {@code plugin.path}.
     */
    static String childClassPath() {
        Path home = Path.of(System.getProperty("debshrew.home", "..")).toAbsolutePath().normalize();
        String sep = File.separator;
        List<String> kept = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry).toAbsolutePath().normalize();
            if (!p.startsWith(home) && !p.toString().contains(sep + "dev" + sep + "debshrew" + sep)) {
                kept.add(p.toString());
            }
        }
        if (kept.stream().noneMatch(e -> e.contains("connect-runtime"))) {
            throw new IllegalStateException("connect-runtime is not on the test class path: "
                    + System.getProperty("java.class.path"));
        }
        return String.join(File.pathSeparator, kept);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Waits until the REST API answers; fails naming the log when the worker exits or does not answer. */
    void awaitRest(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("Connect worker exited with " + process.exitValue() + " before its REST API"
                        + " answered; log " + log + ":\n" + logTail());
            }
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri("/")).timeout(Duration.ofSeconds(5))
                        .GET().build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("Connect worker on port " + port + " did not answer within " + timeout + " (" + last
                + "); log " + log + ":\n" + logTail());
    }

    /** The worker's id as the REST status names it ({@code host:port}). */
    String workerId() {
        return "127.0.0.1:" + port;
    }

    /** The worker's output so far (the last 60 lines). */
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** {@code GET path} on the REST API: the JSON body, failing on any status but 200. */
    JsonNode get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build(), 200);
    }

    /** {@code PUT /connectors/<name>/config}: creates (201) or updates (200) a connector. */
    JsonNode putConnector(String name, Map<String, String> config) throws IOException, InterruptedException {
        HttpRequest put = HttpRequest.newBuilder(uri("/connectors/" + name + "/config")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(config))).build();
        return send(put, 200, 201);
    }

    private JsonNode send(HttpRequest request, int... ok) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (Arrays.stream(ok).noneMatch(s -> s == r.statusCode())) {
            throw new AssertionError(request.method() + " " + request.uri() + " answered " + r.statusCode() + ": "
                    + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** Whether the process still runs. */
    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Kills the worker with SIGKILL ({@link Process#destroyForcibly()} on Linux: no shutdown hook, no
     * task stop, no group leave) and returns its exit status (137 = 128 + SIGKILL).
     */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("Connect worker " + workerId() + " still runs 30 s after SIGKILL");
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException e) {
            // the JVM is exiting: the hook runs anyway
        }
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "Connect worker " + workerId() + " (pid " + process.pid() + ", log " + log + ")";
    }
}
