package dev.debshrew.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Debian's {@code chromium}, headless, driven over the Chrome DevTools protocol (JDK WebSocket, no
 * library): navigate, evaluate JavaScript, take a screenshot. One fresh profile directory per
 * instance; the browser process is killed on {@link #close()}. Loopback only.
 */
public final class HeadlessChromium implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path profile;
    private final Path stderr;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    private HeadlessChromium(Process process, Path profile, Path stderr, WebSocket socket) {
        this.process = process;
        this.profile = profile;
        this.stderr = stderr;
        this.socket = socket;
    }

    /**
     * The chromium executable: {@code $DEBSHREW_CHROMIUM}, else {@code chromium},
     * {@code chromium-browser} or {@code google-chrome} on the {@code PATH}.
     */
    public static Optional<Path> find() {
        String env = System.getenv("DEBSHREW_CHROMIUM");
        if (env != null && !env.isBlank()) {
            return Optional.of(Path.of(env)).filter(Files::isExecutable);
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
            for (String dir : path.split(File.pathSeparator)) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /** Starts {@code executable} headless with a {@code width}x{@code height} window and connects to its first page. */
    public static HeadlessChromium start(Path executable, int width, int height, Duration timeout)
            throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("debshrew-chromium-");
        Path stderr = profile.resolve("chromium.stderr");
        List<String> cmd = new ArrayList<>(List.of(executable.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-dev-shm-usage", "--hide-scrollbars", "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0", "--window-size=" + width + "," + height,
                "--user-data-dir=" + profile.resolve("profile"), "about:blank"));
        Process process = new ProcessBuilder(cmd).redirectOutput(profile.resolve("chromium.stdout").toFile())
                .redirectError(stderr.toFile()).start();
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            Path portFile = profile.resolve("profile").resolve("DevToolsActivePort");
            List<String> lines = List.of();
            while (lines.size() < 2 || lines.get(0).isBlank()) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("chromium did not open its DevTools port within " + timeout.toSeconds()
                            + " s (alive: " + process.isAlive() + "); its stderr:\n" + Files.readString(stderr));
                }
                Thread.sleep(50);
                lines = Files.exists(portFile) ? Files.readAllLines(portFile) : List.of();
            }
            int port = Integer.parseInt(lines.get(0).trim());
            HttpClient http = HttpClient.newHttpClient();
            String wsUrl = null;
            while (wsUrl == null) {
                JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/json/list")).timeout(CALL_TIMEOUT).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                for (JsonNode t : targets) {
                    if ("page".equals(t.path("type").asText())) {
                        wsUrl = t.path("webSocketDebuggerUrl").asText();
                    }
                }
                if (wsUrl == null) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("chromium opened no page target: " + targets);
                    }
                    Thread.sleep(50);
                }
            }
            Listener listener = new Listener();
            WebSocket ws = http.newWebSocketBuilder().connectTimeout(CALL_TIMEOUT)
                    .buildAsync(URI.create(wsUrl), listener).get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            HeadlessChromium c = new HeadlessChromium(process, profile, stderr, ws);
            listener.owner = c;
            return c;
        } catch (IOException | InterruptedException | RuntimeException e) {
            process.destroyForcibly();
            throw e;
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IOException("cannot connect to chromium's DevTools: " + e, e);
        }
    }

    /** Sends one DevTools command and waits for its result. */
    public JsonNode call(String method, ObjectNode params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        ObjectNode msg = JSON.createObjectNode().put("id", id).put("method", method);
        msg.set("params", params == null ? JSON.createObjectNode() : params);
        socket.sendText(JSON.writeValueAsString(msg), true).get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        JsonNode r = answer.get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (r.has("error")) {
            throw new IOException(method + " failed: " + r.get("error"));
        }
        return r.path("result");
    }

    /** Opens {@code url} in the page. */
    public void navigate(String url) throws Exception {
        call("Page.navigate", JSON.createObjectNode().put("url", url));
    }

    /** Evaluates {@code expression} in the page and returns its value (JSON). */
    public JsonNode evaluate(String expression) throws Exception {
        JsonNode r = call("Runtime.evaluate", JSON.createObjectNode().put("expression", expression)
                .put("returnByValue", true));
        if (r.has("exceptionDetails")) {
            throw new IOException("page script failed: " + r.get("exceptionDetails"));
        }
        return r.path("result").path("value");
    }

    /** Saves a PNG screenshot of the page to {@code file}. */
    public void screenshot(Path file) throws Exception {
        JsonNode r = call("Page.captureScreenshot", JSON.createObjectNode().put("format", "png"));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Base64.getDecoder().decode(r.path("data").asText()));
    }

    /** What chromium wrote to its standard error (for failure messages). */
    public String stderr() throws IOException {
        return Files.readString(stderr);
    }

    /**
     * Stops chromium and every process it started (its network service and renderers write into the
     * profile until they exit), each within a bounded wait, then deletes the profile.
     */
    @Override
    public void close() throws IOException, InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        socket.abort();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (ProcessHandle child : children) {
            child.destroy();
            try {
                child.onExit().get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                child.destroyForcibly();
            }
        }
        deleteTree(profile);
    }

    /**
     * Deletes {@code dir} and everything in it; entries that vanish meanwhile are fine, and a file
     * written after a pass passed its directory is removed by the next pass (at most three).
     */
    private static void deleteTree(Path dir) throws IOException {
        for (int pass = 0; pass < 3 && Files.exists(dir); pass++) {
            Files.walkFileTree(dir, new java.nio.file.SimpleFileVisitor<>() {
                @Override
                public java.nio.file.FileVisitResult visitFile(Path file, java.nio.file.attribute.BasicFileAttributes a)
                        throws IOException {
                    Files.deleteIfExists(file);
                    return java.nio.file.FileVisitResult.CONTINUE;
                }

                @Override
                public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) {
                    return java.nio.file.FileVisitResult.CONTINUE; // gone before it was visited
                }

                @Override
                public java.nio.file.FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    try {
                        Files.deleteIfExists(d);
                    } catch (java.nio.file.DirectoryNotEmptyException late) {
                        // written after this pass listed it: the next pass removes it
                    }
                    return java.nio.file.FileVisitResult.CONTINUE;
                }
            });
        }
    }

    /** Collects (possibly fragmented) text frames and completes the matching {@link #call}. */
    private static final class Listener implements WebSocket.Listener {
        private final StringBuilder buffer = new StringBuilder();
        private volatile HeadlessChromium owner;

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            buffer.append(data);
            if (last) {
                String text = buffer.toString();
                buffer.setLength(0);
                try {
                    JsonNode msg = JSON.readTree(text);
                    HeadlessChromium c = owner;
                    if (msg.has("id") && c != null) {
                        CompletableFuture<JsonNode> f = c.pending.remove(msg.get("id").asInt());
                        if (f != null) {
                            f.complete(msg);
                        }
                    }
                } catch (IOException e) {
                    // not JSON: ignore (DevTools only sends JSON)
                }
            }
            ws.request(1);
            return null;
        }
    }
}
