package dev.debshrew.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.ReorgStyle;
import dev.debshrew.reliability.Recorded;
import dev.debshrew.sink.Cursor;
import dev.debshrew.testing.DaemonProcess;
import dev.debshrew.testing.RestartablePostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 13 item 4, PostgreSQL: the real daemon process writing a changelog to a real PostgreSQL
 * that is stopped and started again on the same port and data directory, mid-run for a few retry
 * cycles ("seconds") and for 40 of them at the {@code retry_max_delay_ms} cap (what minutes are at
 * the default cap), and stopped while a group commit's transaction is in flight (held on a lock
 * of the cursor table, then the server shut down under it). The daemon backs off, resumes by
 * itself, and the changelog holds every canonical message exactly once (counted explicitly).
 */
@Tag("reliability")
@DisabledIfSystemProperty(named = "debshrew.reliability", matches = "quick",
        disabledReason = "part of the full reliability run and of mvn verify, not of the quick run")
class SinkFaultDaemonTest {

    private final long started = System.nanoTime();

    private static final String SCHEMA = "sf";
    private static final String PIPELINE = "sf";

    @TempDir
    Path dir;

    private RestartablePostgres pg;

    @BeforeEach
    void startPg() throws Exception {
        pg = new RestartablePostgres(dir.resolve("pgdata")).start();
    }

    @AfterEach
    void stopPg() throws Exception {
        pg.close();
    }

    private Path config(DevnetServer devnet) throws Exception {
        Path f = E2e.writeConfig(dir.resolve("config.json"), devnet, "blocks", dir.resolve("data"),
                dir.resolve("compile-cache"), "rocksdb", E2e.sink("postgres").put("url", pg.url())
                        .put("mode", "changelog").put("events_table", "events").put("schema", SCHEMA)
                        .put("pipeline", PIPELINE).put("connection_timeout_ms", 250));
        return E2e.fastSinkRetries(f, 200);
    }

    @ParameterizedTest(name = "down for {0} retry cycles")
    @ValueSource(ints = {3, 40})
    void postgresStoppedMidRunIsWaitedOutAndTheChangelogIsExact(int cycles) throws Exception {
        try (DevnetServer devnet = DevnetServer.builder().seed(81).initialHeight(12).reorgTiming(E2e.FAST).build()
                .start(0);
                DaemonProcess d = DaemonProcess.start(config(devnet), null, dir.resolve("logs"))) {
            devnet.mine(3);
            awaitTip(d, devnet);
            pg.stop();
            // orphans blocks the changelog has: their inverse messages wait for the database too
            devnet.reorg(2, 3, ReorgStyle.INSTANT).get(60, TimeUnit.SECONDS);
            E2e.await(cycles + " failed attempts of the sink", d, E2e.WAIT, () -> E2e.sinkDownAttempts(d.stderr()) >= cycles);
            assertThat(d.stderr()).contains("is down: could not");
            pg.start();
            awaitTip(d, devnet);
            String log = d.stderr();
            assertThat(log).contains("is up again").contains("advisory lock of pipeline 'sf' re-acquired");
            assertThat(E2e.count(log, "the advisory lock connection was lost")).as("one WARN per outage, not per attempt")
                    .isEqualTo(1);
            assertThat(d.terminate(E2e.WAIT)).isZero();
            E2e.Checked c = assertExact("postgres down for " + cycles + " retry cycles", devnet);
            assertThat(c.inverse()).as("the reorg was undone downstream").isPositive();
        }
    }

    @Test
    void postgresStoppedWhileAGroupCommitIsInFlightLosesAndDuplicatesNothing() throws Exception {
        try (DevnetServer devnet = DevnetServer.builder().seed(82).initialHeight(12).build().start(0);
                DaemonProcess d = DaemonProcess.start(config(devnet), null, dir.resolve("logs"))) {
            awaitTip(d, devnet);
            long before = devnet.height();
            Connection locker = PgRead.lockCursorTable(pg.url(), SCHEMA);
            try {
                devnet.mine(4);
                E2e.await("the daemon's group commit to be in flight (waiting for the lock)", d, E2e.WAIT,
                        () -> PgRead.waitsForALock(locker, "debshrew-" + PIPELINE));
                pg.stop(); // a fast shutdown: the transaction in flight is aborted with the server
            } finally {
                closeQuietly(locker);
            }
            pg.start();
            // the daemon may already have committed again (it retries as soon as the server is back), so the
            // cursor is the aborted group's start or a later, complete commit; assertExact below proves the rest
            assertThat(PgRead.cursor(pg.url(), SCHEMA, PIPELINE).height()).as("the cursor after the restart")
                    .isBetween(before, devnet.height());
            awaitTip(d, devnet);
            assertThat(d.terminate(E2e.WAIT)).isZero();
            assertExact("postgres stopped mid-transaction", devnet);
        }
    }

    private void awaitTip(DaemonProcess d, DevnetServer devnet) throws Exception {
        long h = devnet.height();
        Cursor tip = new Cursor(h, devnet.blockHash(h));
        E2e.await("PostgreSQL to commit the devnet tip " + h, d, E2e.WAIT,
                () -> tip.equals(PgRead.cursor(pg.url(), SCHEMA, PIPELINE)));
    }

    private E2e.Checked assertExact(String what, DevnetServer devnet) throws Exception {
        List<CdcMessage> events = PgRead.changelog(pg.url(), SCHEMA, "events", PIPELINE);
        List<CdcMessage> canonical = E2e.reference(devnet, "blocks", dir);
        Recorded.stream("sink: " + what, "postgres", 0, what.contains("retry cycles") ? 1 : 0, started, canonical,
                events);
        E2e.Checked c = E2e.assertExactlyOnce(what, events, canonical);
        System.out.println(what + ": " + c);
        return c;
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // the server went away under it
        }
    }
}
