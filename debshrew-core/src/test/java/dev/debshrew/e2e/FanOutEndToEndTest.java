package dev.debshrew.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.ReorgStyle;
import dev.debshrew.sink.Cursor;
import dev.debshrew.testing.DaemonProcess;
import dev.debshrew.testing.Examples;
import dev.debshrew.testing.RestartablePostgres;
import dev.debshrew.testing.TableFold;
import dev.debshrew.testing.servers.TestServers;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fan-out ({@code sinks: [file, postgres]}) with the second sink failing: PostgreSQL is stopped
 * while the daemon runs (the file sink commits a block PostgreSQL does not get; the daemon stops
 * after its retries with a clear error), a reorg then orphans that block while the daemon is down,
 * and later PostgreSQL is stopped again and the daemon SIGKILLed while the file is ahead. Each time
 * the daemon is restarted with PostgreSQL back: the lagging sink catches up from the journal (or
 * receives nothing for blocks orphaned meanwhile), and both end equal to the canonical fold, the
 * file (which rotates every 16 KiB) without a duplicate. In-process servers only: skipped with
 * {@code -Pcontainers} (a container restarted by Testcontainers comes back on another port).
 */
class FanOutEndToEndTest {

    @TempDir
    Path dir;

    private RestartablePostgres pg;

    @BeforeEach
    void inProcessOnly() {
        TestServers.assumeInProcess("stops PostgreSQL mid-run and starts it again on the same port with the"
                + " same data (RestartablePostgres), which a Testcontainers container does not give the same way");
    }

    private void startPg() throws Exception {
        if (pg == null) {
            pg = new RestartablePostgres(dir.resolve("pgdata"));
        }
        pg.start();
    }

    private void stopPg() throws Exception {
        pg.stop();
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    private String url() {
        return pg.url();
    }

    private static Cursor fileCursor(Path out) throws Exception {
        Path c = out.resolveSibling(out.getFileName() + ".cursor");
        if (!Files.exists(c)) {
            return null;
        }
        JsonNode n = E2e.reparse(Files.readString(c));
        return new Cursor(n.get("height").longValue(), n.get("hash").textValue());
    }

    private void awaitBoth(DaemonProcess d, DevnetServer devnet, Path out) throws Exception {
        E2e.await("both sinks at the devnet tip", d, E2e.WAIT, () -> {
            Cursor tip = new Cursor(devnet.height(), devnet.blockHash(devnet.height()));
            return tip.equals(fileCursor(out)) && tip.equals(PgRead.cursor(url(), "fan", "fan"));
        });
    }

    @Test
    void aFailedSecondSinkCatchesUpFromTheJournalAndBothEndEqualToTheCanonicalFold() throws Exception {
        long started = System.nanoTime();
        startPg();
        Path out = dir.resolve("out.jsonl");
        try (DevnetServer devnet = DevnetServer.builder().seed(404).initialHeight(20).reorgTiming(E2e.FAST).build()
                .start(0)) {
            Path config = E2e.writeConfig(dir.resolve("config.json"), devnet, "txindex", dir.resolve("data"),
                    dir.resolve("compile-cache"), "rocksdb",
                    E2e.sink("file").put("path", out.toString()).put("rotate_bytes", 16_384),
                    E2e.sink("postgres").put("url", url()).put("schema", "fan").put("pipeline", "fan")
                            .put("connection_timeout_ms", 250));
            Path logs = dir.resolve("logs");

            // 1. PostgreSQL goes down: the file sink commits block 21, PostgreSQL cannot; the daemon
            //    reports the sink down and retries until it is stopped (SIGTERM: a clean exit)
            try (DaemonProcess d = DaemonProcess.start(config, null, logs)) {
                awaitBoth(d, devnet, out);
                stopPg();
                devnet.mine(2);
                E2e.await("the file sink to commit block 21", d, E2e.WAIT, () -> {
                    Cursor c = fileCursor(out);
                    return c != null && c.height() == 21;
                });
                assertThat(d.terminate(E2e.WAIT)).as("exit status after SIGTERM during a sink outage").isZero();
                assertThat(d.stderr()).contains("could not commit block 21");
            }
            assertThat(fileCursor(out).height()).isEqualTo(21);

            // 2. a reorg while the daemon is down orphans block 21 (which only the file received)
            devnet.reorg(2, 3, ReorgStyle.INSTANT).get(60, TimeUnit.SECONDS);
            startPg();
            assertThat(PgRead.cursor(url(), "fan", "fan").height()).isEqualTo(20);
            try (DaemonProcess d = DaemonProcess.start(config, null, logs)) {
                awaitBoth(d, devnet, out);
                // 3. PostgreSQL down again; SIGKILL once the file is a block ahead of it
                stopPg();
                devnet.mine(1);
                long tip = devnet.height();
                E2e.await("the file sink to commit the new block", d, E2e.WAIT,
                        () -> new Cursor(tip, devnet.blockHash(tip)).equals(fileCursor(out)));
                d.kill();
            }
            startPg();
            assertThat(PgRead.cursor(url(), "fan", "fan").height()).isEqualTo(devnet.height() - 1);
            try (DaemonProcess d = DaemonProcess.start(config, null, logs)) {
                awaitBoth(d, devnet, out);
                assertThat(d.stderr()).contains("catch up from the journal");
                devnet.mine(2);
                awaitBoth(d, devnet, out);
                assertThat(d.terminate(E2e.WAIT)).isZero();
            }

            List<CdcMessage> canonical;
            try (Transform t = Transform.load(Examples.assemblyScript("txindex"), TransformLimits.defaults())) {
                canonical = E2e.reference(devnet, t, dir);
            }
            // the file sink rotates: out.jsonl.1, .2, ... then out.jsonl
            List<CdcMessage> file = new java.util.ArrayList<>();
            int rotated = 0;
            while (Files.exists(out.resolveSibling("out.jsonl." + (rotated + 1)))) {
                rotated++;
                file.addAll(TableFold.readFile(out.resolveSibling("out.jsonl." + rotated)));
            }
            file.addAll(TableFold.readFile(out));
            assertThat(rotated).as("rotated files").isGreaterThan(3);
            E2e.Checked checked = E2e.assertExactlyOnce("file sink", file, canonical);
            assertThat(checked.inverse()).as("the file undid the orphaned block 21").isPositive();
            var expected = E2e.normaliseTables(E2e.fold(canonical).tables());
            assertThat(PgRead.materialized(url(), "fan")).as("postgres materialized tables").isEqualTo(expected);
            System.out.printf("fan-out e2e: file (%d rotations) %s; postgres %d rows equal; %s%n", rotated, checked,
                    expected.values().stream().mapToInt(java.util.Map::size).sum(), CrashScenario.since(started));
        }
    }
}
