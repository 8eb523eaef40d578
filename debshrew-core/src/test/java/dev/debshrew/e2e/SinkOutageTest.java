package dev.debshrew.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.follow.BlockFollower;
import dev.debshrew.follow.PipelineException;
import dev.debshrew.journal.InMemoryChainStore;
import dev.debshrew.sink.Sink;
import dev.debshrew.sink.SinkFactory;
import dev.debshrew.testing.Examples;
import dev.debshrew.testing.Pipeline;
import dev.debshrew.testing.RestartablePostgres;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sinks retry like the node (hardening issue, item 5), against a real PostgreSQL that is stopped
 * and started again on the same port: a retriable sink failure, at open or at a commit, backs off
 * and retries without a limit by default, with the sink reported down meanwhile, and the output
 * ends exactly equal to an uninterrupted run; {@code sink_retry_max} gives up with a transient
 * (exit 1) failure.
 */
class SinkOutageTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    /** The follower used to give up after 5 attempts: outlast that by far. */
    private static final int ATTEMPTS_OUTLASTED = 12;

    @TempDir
    Path dir;

    private static Transform transform;
    private RestartablePostgres pg;

    @BeforeAll
    static void load() throws Exception {
        transform = Transform.load(Examples.assemblyScript("blocks"), TransformLimits.builder().build());
    }

    @AfterAll
    static void unload() {
        transform.close();
    }

    @BeforeEach
    void createPg() {
        pg = new RestartablePostgres(dir.resolve("pgdata"));
    }

    @AfterEach
    void closePg() throws Exception {
        pg.close();
    }

    private void startPg() throws Exception {
        pg.start();
    }

    private void stopPg() throws Exception {
        pg.stop();
    }

    private String url() {
        return pg.url();
    }

    private Sink postgresSink() {
        return SinkFactory.create("postgres", Map.of("url", url(), "schema", "outage", "connection_timeout_ms", 250));
    }

    @Test
    void postgresDownLongerThanTheOldRetryBudgetIsWaitedOutAndNothingIsLostOrDuplicated() throws Exception {
        startPg();
        try (DevnetServer devnet = DevnetServer.builder().seed(55).initialHeight(10).build().start(0);
                Pipeline p = new Pipeline(devnet, transform, new InMemoryChainStore(6), postgresSink(),
                        Pipeline.fastSettings().withStartHeight(0L))) {
            p.awaitCaughtUp(WAIT);
            stopPg();
            devnet.mine(3);
            int attempts = awaitFailedAttempts(p, ATTEMPTS_OUTLASTED);
            BlockFollower.SinkPosition down = p.follower().sinkPositions().get(0);
            assertThat(down.up()).as("sink reported down during the outage").isFalse();
            assertThat(down.lastError()).isNotBlank();
            assertThat(p.failure()).as("the follower did not give up after %d attempts", attempts).isNull();

            startPg();
            p.awaitCaughtUp(WAIT);
            assertThat(p.follower().sinkPositions().get(0).up()).as("sink reported up again").isTrue();
            assertThat(p.follower().sinkPositions().get(0).cursor().height()).isEqualTo(devnet.height());
            assertThat(materialized()).isEqualTo(reference(devnet));
        }
    }

    @Test
    void aSinkThatCannotBeOpenedAtStartIsRetriedUntilItComesUp() throws Exception {
        startPg();
        stopPg(); // a known port with nothing listening: "connection refused" at open
        try (DevnetServer devnet = DevnetServer.builder().seed(56).initialHeight(6).build().start(0);
                Pipeline p = new Pipeline(devnet, transform, new InMemoryChainStore(6), postgresSink(),
                        Pipeline.fastSettings().withStartHeight(0L))) {
            awaitFailedAttempts(p, ATTEMPTS_OUTLASTED);
            assertThat(p.follower().sinkPositions().get(0).up()).isFalse();
            assertThat(p.follower().nextHeight()).as("nothing processed while the sink is closed").isEqualTo(-1);
            startPg();
            p.awaitCaughtUp(WAIT);
            assertThat(materialized()).isEqualTo(reference(devnet));
        }
    }

    @Test
    void sinkRetryMaxGivesUpWithATransientFailureNamingTheSinkAndTheLimit() throws Exception {
        startPg();
        try (DevnetServer devnet = DevnetServer.builder().seed(57).initialHeight(4).build().start(0);
                Pipeline p = new Pipeline(devnet, transform, new InMemoryChainStore(6), postgresSink(),
                        Pipeline.fastSettings().withStartHeight(0L).withSinkRetryMax(Duration.ofMillis(300)))) {
            p.awaitCaughtUp(WAIT);
            stopPg();
            devnet.mine(1);
            p.awaitEnd(WAIT);
            assertThat(p.failure()).isInstanceOf(PipelineException.class)
                    .hasMessageContaining("postgres")
                    .hasMessageContaining("could not commit block 5")
                    .hasMessageContaining("sink_retry_max");
            assertThat(((PipelineException) p.failure()).needsOperator()).as("a transient give-up: exit 1").isFalse();
        }
    }

    /** Waits until the sink has failed at least {@code n} times in a row (distinct error instants seen). */
    private static int awaitFailedAttempts(Pipeline p, int n) throws InterruptedException {
        Set<Instant> seen = new HashSet<>();
        await("the sink to fail " + n + " times", () -> {
            BlockFollower.SinkPosition s = p.follower().sinkPositions().get(0);
            if (p.failure() != null) {
                throw new AssertionError("the follower gave up", p.failure());
            }
            if (!s.up() && s.lastErrorAt() != null) {
                seen.add(s.lastErrorAt());
            }
            return seen.size() >= n;
        });
        return seen.size();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(2);
        }
    }

    /** Every materialized table: table -> key -> row. */
    private Map<String, Map<String, JsonNode>> materialized() throws Exception {
        return PgRead.materialized(url(), "outage");
    }

    /** The final chain processed from scratch, folded: table -> key -> row. */
    private Map<String, Map<String, JsonNode>> reference(DevnetServer devnet) throws Exception {
        Map<String, Map<String, JsonNode>> tables = E2e.normaliseTables(
                E2e.fold(E2e.reference(devnet, transform, dir)).tables());
        assertThat(tables.get("blocks")).hasSize((int) devnet.height() + 1);
        return tables;
    }
}
