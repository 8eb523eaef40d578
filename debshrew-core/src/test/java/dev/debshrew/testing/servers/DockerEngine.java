package dev.debshrew.testing.servers;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * A quick, bounded look for a Docker engine before Testcontainers' own discovery runs: where no
 * engine is configured and no Docker socket answers a {@code GET /_ping}, the container path is
 * skipped at once, without Testcontainers' strategy-by-strategy error logging. Looks where
 * Testcontainers looks: {@code DOCKER_HOST}, {@code docker.host} / {@code tc.host} in
 * {@code ~/.testcontainers.properties}, then the usual sockets of Docker Engine, rootless Docker and
 * Docker Desktop.
 */
public final class DockerEngine {

    private static final int MAX_ANSWER = 4096;

    private final Map<String, String> env;
    private final Path home;
    private final List<Path> systemSockets;
    private final Duration timeout;

    /**
     * @param env the environment ({@code DOCKER_HOST}, {@code XDG_RUNTIME_DIR})
     * @param home the user's home directory
     * @param systemSockets the system-wide sockets to try ({@code /var/run/docker.sock})
     * @param timeout how long one socket may take to answer
     */
    public DockerEngine(Map<String, String> env, Path home, List<Path> systemSockets, Duration timeout) {
        this.env = env;
        this.home = home;
        this.systemSockets = systemSockets;
        this.timeout = timeout;
    }

    /** This machine's environment, home directory and {@code /var/run/docker.sock}, 5 s per socket. */
    public static DockerEngine ofThisMachine() {
        return new DockerEngine(System.getenv(), Path.of(System.getProperty("user.home")),
                List.of(Path.of("/var/run/docker.sock")), Duration.ofSeconds(5));
    }

    /**
     * Why no Docker engine is reachable; empty when a socket answered the ping or when an endpoint
     * other than a Unix socket is configured (TCP, possibly with TLS: only Testcontainers can tell).
     */
    public Optional<String> unreachable() {
        String configured = configuredHost();
        if (configured != null) {
            if (!configured.startsWith("unix://")) {
                return Optional.empty();
            }
            Path socket = Path.of(configured.substring("unix://".length()));
            return Optional.ofNullable(ping(socket)).map(why -> "the configured Docker host " + configured
                    + " does not answer: " + why);
        }
        List<String> tried = new ArrayList<>();
        for (Path socket : candidateSockets()) {
            String why = ping(socket);
            if (why == null) {
                return Optional.empty();
            }
            tried.add(socket + ": " + why);
        }
        return Optional.of("DOCKER_HOST is not set and no Docker socket answers (" + String.join("; ", tried) + ")");
    }

    private String configuredHost() {
        String host = env.get("DOCKER_HOST");
        if (host != null && !host.isBlank()) {
            return host.trim();
        }
        Path file = home.resolve(".testcontainers.properties");
        if (Files.isRegularFile(file)) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            } catch (IOException e) {
                return null;
            }
            for (String key : new String[] {"docker.host", "tc.host"}) {
                String v = p.getProperty(key);
                if (v != null && !v.isBlank()) {
                    return v.trim();
                }
            }
        }
        return null;
    }

    private List<Path> candidateSockets() {
        List<Path> out = new ArrayList<>(systemSockets);
        String runtimeDir = env.get("XDG_RUNTIME_DIR");
        if (runtimeDir != null && !runtimeDir.isBlank()) {
            out.add(Path.of(runtimeDir, "docker.sock"));
        }
        out.add(home.resolve(".docker/run/docker.sock"));
        out.add(home.resolve(".docker/desktop/docker.sock"));
        return out;
    }

    /** {@code GET /_ping} on the Unix socket: null when it answers HTTP 200, else why not. */
    String ping(Path socket) {
        if (!Files.exists(socket)) {
            return "no such socket";
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                Selector selector = Selector.open()) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer request = ByteBuffer.wrap("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            while (request.hasRemaining()) {
                ch.write(request);
            }
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_READ);
            ByteBuffer answer = ByteBuffer.allocate(MAX_ANSWER);
            long deadline = System.nanoTime() + timeout.toNanos();
            // the status line is all it takes
            while (answer.hasRemaining() && !statusLineIn(answer)) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return "no answer within " + timeout.toMillis() + " ms";
                }
                selector.select(left);
                selector.selectedKeys().clear();
                if (ch.read(answer) < 0) {
                    break;
                }
            }
            String status = new String(answer.array(), 0, answer.position(), StandardCharsets.US_ASCII)
                    .lines().findFirst().orElse("");
            return status.matches("HTTP/1\\.[01] 200( .*)?") ? null
                    : "not a Docker engine (answered \"" + status.strip() + "\")";
        } catch (IOException e) {
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
    }

    private static boolean statusLineIn(ByteBuffer answer) {
        for (int i = 0; i < answer.position(); i++) {
            if (answer.get(i) == '\n') {
                return true;
            }
        }
        return false;
    }
}
