package dev.debshrew.testing.servers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/**
 * The choice between in-process and container servers ({@code debshrew.test.servers}) and the
 * decision to skip the container path when no Docker engine is reachable, against real Unix
 * sockets: missing, stale, silent, foreign and a fake engine answering {@code /_ping}.
 */
class ServerProvisioningTest {

    private static final String PING = "GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n";

    @TempDir
    Path dir;

    @Test
    void thePropertyChoosesTheProvisioningAndUnsetMeansInProcess() {
        assertThat(ServerChoice.parse(null)).isEqualTo(ServerChoice.IN_PROCESS);
        assertThat(ServerChoice.parse("in-process")).isEqualTo(ServerChoice.IN_PROCESS);
        assertThat(ServerChoice.parse("containers")).isEqualTo(ServerChoice.CONTAINERS);
        assertThat(ServerChoice.parse(" containers ")).isEqualTo(ServerChoice.CONTAINERS);
    }

    @Test
    void anUnknownValueIsAnErrorNamingThePropertyAndTheAllowedValues() {
        for (String bad : new String[] {"docker", "", "Containers", "inprocess"}) {
            assertThatThrownBy(() -> ServerChoice.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("system property debshrew.test.servers=\"" + bad
                            + "\" is not a test server choice; allowed values: in-process, containers");
        }
    }

    @Test
    void theInProcessPathNeverLooksForDocker() {
        TestServers servers = TestServers.select(ServerChoice.IN_PROCESS, () -> {
            throw new AssertionError("Docker probed on the in-process path");
        });
        assertThat(servers).isInstanceOf(InProcessServers.class);
        assertThat(servers.choice()).isEqualTo(ServerChoice.IN_PROCESS);
    }

    @Test
    void theContainerPathWithoutDockerIsSkippedWithTheReason() {
        DockerEngine none = engine(Map.of(), List.of(dir.resolve("docker.sock")));
        assertThatThrownBy(() -> TestServers.select(ServerChoice.CONTAINERS, none::unreachable))
                .isInstanceOf(TestAbortedException.class)
                .hasMessage("Testcontainers path selected (-Pcontainers, debshrew.test.servers=containers) but no"
                        + " Docker engine is reachable: DOCKER_HOST is not set and no Docker socket answers ("
                        + dir.resolve("docker.sock") + ": no such socket; "
                        + dir.resolve("home/.docker/run/docker.sock") + ": no such socket; "
                        + dir.resolve("home/.docker/desktop/docker.sock") + ": no such socket)"
                        + "; container tests skipped");
    }

    @Test
    void theContainerPathWithDockerGivesTheContainerServers() throws Exception {
        Path sock = dir.resolve("docker.sock");
        try (UnixServer docker = new UnixServer(sock, "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nOK")) {
            TestServers servers = TestServers.select(ServerChoice.CONTAINERS,
                    engine(Map.of(), List.of(sock))::unreachable);
            assertThat(servers).isInstanceOf(ContainerServers.class);
            assertThat(servers.choice()).isEqualTo(ServerChoice.CONTAINERS);
            assertThat(docker.stop(1)).containsExactly(PING);
        }
    }

    @Test
    void aSocketFileNobodyListensOnIsNotAnEngine() throws Exception {
        Path sock = dir.resolve("stale.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
        }
        assertThat(sock).exists();
        assertThat(engine(Map.of(), List.of(sock)).unreachable()).get().asString()
                .contains(sock + ": Connection refused");
    }

    @Test
    void aSilentOrForeignServerIsNotAnEngine() throws Exception {
        Path sock = dir.resolve("silent.sock");
        try (UnixServer silent = new UnixServer(sock, null)) {
            assertThat(engine(Map.of(), List.of(sock)).unreachable()).get().asString()
                    .contains(sock + ": no answer within 200 ms");
            assertThat(silent.stop(1)).containsExactly(PING);
        }
        Path ssh = dir.resolve("ssh.sock");
        try (UnixServer foreign = new UnixServer(ssh, "SSH-2.0-OpenSSH_9.2\r\n")) {
            assertThat(engine(Map.of(), List.of(ssh)).unreachable()).get().asString()
                    .contains(ssh + ": not a Docker engine (answered \"SSH-2.0-OpenSSH_9.2\")");
        }
    }

    @Test
    void aConfiguredHostIsTheOnlyOneTried() throws Exception {
        Path other = dir.resolve("other.sock");
        Path missing = dir.resolve("missing.sock");
        try (UnixServer engine = new UnixServer(other, "HTTP/1.1 200 OK\r\n\r\n")) {
            // a configured Unix socket is pinged; the default sockets are not tried instead
            assertThat(engine(Map.of("DOCKER_HOST", "unix://" + missing), List.of(other)).unreachable())
                    .contains("the configured Docker host unix://" + missing + " does not answer: no such socket");
            // the same from ~/.testcontainers.properties
            Files.createDirectories(dir.resolve("home"));
            Files.writeString(dir.resolve("home/.testcontainers.properties"), "docker.host=unix\\://" + missing + "\n");
            assertThat(engine(Map.of(), List.of(other)).unreachable())
                    .contains("the configured Docker host unix://" + missing + " does not answer: no such socket");
            assertThat(engine.stop(0)).as("requests to the unconfigured socket").isEmpty();
        }
        Path configured = dir.resolve("configured.sock");
        try (UnixServer engine = new UnixServer(configured, "HTTP/1.1 200 OK\r\n\r\n")) {
            assertThat(engine(Map.of("DOCKER_HOST", "unix://" + configured), List.of(missing)).unreachable())
                    .isEmpty();
            assertThat(engine.stop(1)).containsExactly(PING);
        }
        // TCP (maybe TLS): left to Testcontainers' own discovery
        assertThat(engine(Map.of("DOCKER_HOST", "tcp://127.0.0.1:2376"), List.of(missing)).unreachable()).isEmpty();
    }

    @Test
    void kafkaSettingsBecomeTheImagesEnvironmentVariables() {
        assertThat(ContainerServers.kafkaEnv("transaction.state.log.min.isr"))
                .isEqualTo("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR");
        assertThat(ContainerServers.kafkaEnv("a_b-c.d")).isEqualTo("KAFKA_A__B___C_D");
    }

    @Test
    void theContainersGetTheImagesAndTheInProcessServersSettings() {
        // configured only: creating a container does not contact Docker (starting it or asking its image does)
        var kafka = ContainerServers.kafkaContainer();
        assertThat(ContainerServers.KAFKA_IMAGE.asCanonicalNameString()).isEqualTo("apache/kafka:4.3.1");
        assertThat(kafka.getEnvMap()).containsEntry("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
                .containsEntry("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1").containsEntry("KAFKA_NUM_PARTITIONS", "1")
                .containsEntry("KAFKA_TRANSACTION_ABORT_TIMED_OUT_TRANSACTION_CLEANUP_INTERVAL_MS", "200")
                .containsEntry("KAFKA_PROCESS_ROLES", "broker,controller");
        assertThat(kafka.getEnvMap().keySet()).containsAll(dev.debshrew.sink.kafka.KafkaTestBroker.TEST_CONFIG
                .keySet().stream().map(ContainerServers::kafkaEnv).toList());
        var pg = ContainerServers.postgresContainer();
        assertThat(ContainerServers.POSTGRES_IMAGE.asCanonicalNameString()).isEqualTo("postgres:16");
        assertThat(pg.getEnvMap()).containsEntry("POSTGRES_HOST_AUTH_METHOD", "trust");
        assertThat(pg.getDatabaseName()).isEqualTo("postgres");
        assertThat(pg.getUsername()).isEqualTo("postgres");
    }

    private DockerEngine engine(Map<String, String> env, List<Path> systemSockets) {
        return new DockerEngine(env, dir.resolve("home"), systemSockets, Duration.ofMillis(200));
    }

    /**
     * A Unix socket server on its own thread: reads each connection's request, records it and writes
     * {@code answer} (nothing when null), keeping the connection open until closed.
     */
    private static final class UnixServer implements AutoCloseable {

        private final ServerSocketChannel server;
        private final BlockingQueue<String> requests = new LinkedBlockingQueue<>();
        private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
        private final Thread thread;

        UnixServer(Path sock, String answer) throws IOException {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(sock));
            thread = new Thread(() -> serve(answer), "fake-docker " + sock.getFileName());
            thread.start();
        }

        private void serve(String answer) {
            try {
                while (true) {
                    SocketChannel ch = server.accept();
                    open.add(ch);
                    ByteBuffer request = ByteBuffer.allocate(256);
                    ch.read(request);
                    requests.add(new String(request.array(), 0, request.position(), StandardCharsets.US_ASCII));
                    if (answer != null) {
                        ch.write(ByteBuffer.wrap(answer.getBytes(StandardCharsets.US_ASCII)));
                    }
                }
            } catch (IOException closed) {
                // the server was closed: done
            }
        }

        /** Waits (bounded) for {@code expected} requests, stops the server and returns the requests it read. */
        List<String> stop(int expected) throws Exception {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < expected; i++) {
                String r = requests.poll(10, TimeUnit.SECONDS);
                if (r == null) {
                    break;
                }
                out.add(r);
            }
            server.close();
            thread.join(10_000);
            assertThat(thread.isAlive()).as("fake Docker server thread stopped").isFalse();
            requests.drainTo(out);
            return out;
        }

        @Override
        public void close() throws Exception {
            stop(0);
            for (SocketChannel ch : open) {
                ch.close();
            }
        }
    }
}
