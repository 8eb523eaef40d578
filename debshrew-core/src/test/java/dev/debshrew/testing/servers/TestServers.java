package dev.debshrew.testing.servers;

import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;

/**
 * Where the Kafka and PostgreSQL end-to-end suites get their servers: the same test code runs
 * against in-process servers (default) or Testcontainers containers ({@code -Pcontainers}), only
 * the provisioning differs (docs/testing.md).
 */
public interface TestServers {

    /** Which provisioning this is. */
    ServerChoice choice();

    /** Starts a single-node Kafka (KRaft) with {@code KafkaTestBroker.TEST_CONFIG}. */
    TestKafka startKafka() throws Exception;

    /** Starts a PostgreSQL with database and user {@code postgres}, trust authentication. */
    TestPostgres startPostgres() throws Exception;

    /**
     * The servers this JVM's system property {@value ServerChoice#PROPERTY} chooses. On the
     * container path without a reachable Docker engine, aborts the calling test or class: JUnit
     * reports it skipped, with the reason.
     */
    static TestServers selected() {
        return select(ServerChoice.current(), ContainerServers::dockerUnreachable);
    }

    /**
     * The servers of {@code choice}; for {@link ServerChoice#CONTAINERS} first asks
     * {@code dockerUnreachable} why no Docker engine is reachable, and aborts with that reason.
     */
    static TestServers select(ServerChoice choice, Supplier<Optional<String>> dockerUnreachable) {
        if (choice == ServerChoice.IN_PROCESS) {
            return new InProcessServers();
        }
        dockerUnreachable.get().ifPresent(why -> Assumptions.abort(skipReason(why)));
        return new ContainerServers();
    }

    /** The one message of a container test skipped because Docker is missing. */
    static String skipReason(String why) {
        return "Testcontainers path selected (-Pcontainers, " + ServerChoice.PROPERTY + "="
                + ServerChoice.CONTAINERS.value() + ") but no Docker engine is reachable: " + why
                + "; container tests skipped";
    }

    /**
     * Aborts (skips) the calling test unless the in-process servers are chosen: for a test that
     * needs control of a server that the container path does not give the same way.
     *
     * @param needs what the test needs, e.g. "stops PostgreSQL and starts it again on the same port"
     */
    static void assumeInProcess(String needs) {
        ServerChoice c = ServerChoice.current();
        Assumptions.assumeTrue(c == ServerChoice.IN_PROCESS, () -> "runs on the in-process servers only: it "
                + needs + "; skipped on the " + c.value() + " path (" + ServerChoice.PROPERTY + "=" + c.value() + ")");
    }
}
