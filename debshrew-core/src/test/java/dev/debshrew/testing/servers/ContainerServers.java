package dev.debshrew.testing.servers;

import dev.debshrew.sink.kafka.KafkaTestBroker;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Kafka and PostgreSQL in Docker containers started by Testcontainers (the images users deploy),
 * reached on the loopback interface through the ports Docker maps.
 */
final class ContainerServers implements TestServers {

    /** Apache Kafka's own image, KRaft mode (broker and controller in one node); the kafka-clients version. */
    static final DockerImageName KAFKA_IMAGE = DockerImageName.parse("apache/kafka:4.3.1");

    /** The official PostgreSQL image. */
    static final DockerImageName POSTGRES_IMAGE = DockerImageName.parse("postgres:16");

    /** How long Testcontainers' own discovery may take once a socket answered or a host is configured. */
    private static final Duration DISCOVERY_TIMEOUT = Duration.ofSeconds(60);

    private static Optional<String> unreachable;

    @Override
    public ServerChoice choice() {
        return ServerChoice.CONTAINERS;
    }

    @Override
    public TestKafka startKafka() {
        KafkaContainer kafka = kafkaContainer();
        kafka.start();
        return new TestKafka(kafka.getBootstrapServers(), kafka::stop);
    }

    @Override
    public TestPostgres startPostgres() {
        PostgreSQLContainer<?> pg = postgresContainer();
        pg.start();
        String url = "jdbc:postgresql://" + pg.getHost() + ":" + pg.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT)
                + "/postgres?user=postgres";
        return new TestPostgres(url, pg::stop);
    }

    /** The Kafka container, not started: the in-process broker's settings as the image's environment. */
    static KafkaContainer kafkaContainer() {
        KafkaContainer kafka = new KafkaContainer(KAFKA_IMAGE);
        KafkaTestBroker.TEST_CONFIG.forEach((key, value) -> kafka.withEnv(kafkaEnv(key), value));
        return kafka;
    }

    /** The PostgreSQL container, not started: database and user {@code postgres}, trust authentication. */
    static PostgreSQLContainer<?> postgresContainer() {
        return new PostgreSQLContainer<>(POSTGRES_IMAGE).withDatabaseName("postgres").withUsername("postgres")
                .withPassword("postgres").withEnv("POSTGRES_HOST_AUTH_METHOD", "trust");
    }

    /**
     * The environment variable of broker setting {@code key} for the apache/kafka image
     * ({@code .} becomes {@code _}, {@code _} becomes {@code __}, {@code -} becomes {@code ___}).
     */
    static String kafkaEnv(String key) {
        return "KAFKA_" + key.replace("_", "__").replace("-", "___").replace('.', '_').toUpperCase(Locale.ROOT);
    }

    /**
     * Why no Docker engine is reachable (empty when one is), decided once per JVM: first
     * {@link DockerEngine}'s quick look, then Testcontainers' own discovery bounded by
     * {@link #DISCOVERY_TIMEOUT}.
     */
    static synchronized Optional<String> dockerUnreachable() {
        if (unreachable == null) {
            unreachable = DockerEngine.ofThisMachine().unreachable().or(ContainerServers::discover);
        }
        return unreachable;
    }

    private static Optional<String> discover() {
        CompletableFuture<Optional<String>> result = new CompletableFuture<>();
        Thread probe = new Thread(() -> {
            try {
                DockerClientFactory.instance().client();
                result.complete(Optional.empty());
            } catch (RuntimeException | LinkageError e) {
                result.complete(Optional.of("Testcontainers: " + e));
            }
        }, "testcontainers-docker-discovery");
        probe.setDaemon(true);
        probe.start();
        try {
            return result.get(DISCOVERY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return Optional.of("Testcontainers found no usable Docker environment within "
                    + DISCOVERY_TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while looking for a Docker engine");
        } catch (ExecutionException e) {
            return Optional.of("Testcontainers: " + e.getCause());
        }
    }
}
