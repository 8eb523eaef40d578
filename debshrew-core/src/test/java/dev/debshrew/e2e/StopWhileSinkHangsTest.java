package dev.debshrew.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.sink.Cursor;
import dev.debshrew.testing.DaemonProcess;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLimits;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SIGTERM while a PostgreSQL commit hangs (another session holds a lock the block's transaction
 * waits for) ends the daemon within the bound: the sink's connection is aborted, nothing of the
 * block is committed, and the next start delivers it from the journal: nothing lost or repeated.
 */
class StopWhileSinkHangsTest {

    /** Below the daemon's halt bound (10 s after the stop request, which would exit 1). */
    private static final Duration STOP_BOUND = Duration.ofSeconds(9);
    private static final String SCHEMA = "hang";
    private static final String PIPELINE = "hang";

    @TempDir
    Path dir;

    @Test
    void sigtermWhileAPostgresCommitWaitsForALockStopsWithinTheBoundAndTheNextStartLosesNothing() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
                DevnetServer devnet = DevnetServer.builder().seed(606).initialHeight(12).build().start(0)) {
            String url = pg.getJdbcUrl("postgres", "postgres");
            Path config = E2e.writeConfig(dir.resolve("config.json"), devnet, "txindex", dir.resolve("data"),
                    dir.resolve("compile-cache"), "rocksdb", E2e.sink("postgres").put("url", url)
                            .put("schema", SCHEMA).put("pipeline", PIPELINE).put("connection_timeout_ms", 5000));
            try (DaemonProcess d = DaemonProcess.start(config, null, dir.resolve("logs"))) {
                awaitCommitted(d, devnet, url);
                long before = devnet.height();
                try (Connection locker = PgRead.lockCursorTable(url, SCHEMA)) {
                    devnet.mine(1);
                    E2e.await("the daemon's commit to wait for the lock", d, E2e.WAIT,
                            () -> PgRead.waitsForALock(locker, "debshrew-" + PIPELINE));
                    long started = System.nanoTime();
                    int status = d.terminate(E2e.WAIT);
                    Duration took = Duration.ofNanos(System.nanoTime() - started);
                    String err = d.stderr();
                    assertThat(status).as("exit status after SIGTERM:\n%s", err).isZero();
                    assertThat(took).as("time to stop").isLessThan(STOP_BOUND);
                    assertThat(err).contains("stop requested").contains("aborting the sinks")
                            .doesNotContain(" ERROR ").doesNotContain("\tat ");
                    locker.rollback();
                }
                assertThat(PgRead.cursor(url, SCHEMA, PIPELINE).height()).as("block in progress not committed")
                        .isEqualTo(before);
            }
            try (DaemonProcess d = DaemonProcess.start(config, null, dir.resolve("logs"))) {
                awaitCommitted(d, devnet, url);
                assertThat(d.terminate(E2e.WAIT)).isZero();
            }
            try (Transform t = Transform.load(dev.debshrew.testing.Examples.assemblyScript("txindex"),
                    TransformLimits.defaults())) {
                var expected = E2e.normaliseTables(E2e.fold(E2e.reference(devnet, t, dir)).tables());
                assertThat(PgRead.materialized(url, SCHEMA)).as("materialized tables").isEqualTo(expected);
            }
        }
    }

    private static void awaitCommitted(DaemonProcess d, DevnetServer devnet, String url) throws Exception {
        long h = devnet.height();
        Cursor tip = new Cursor(h, devnet.blockHash(h));
        E2e.await("PostgreSQL to commit the devnet tip " + h, d, E2e.WAIT,
                () -> tip.equals(PgRead.cursor(url, SCHEMA, PIPELINE)));
    }
}
