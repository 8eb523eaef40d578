package dev.debshrew.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.cli.Main;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.ReorgStyle;
import dev.debshrew.sink.Cursor;
import dev.debshrew.testing.DaemonProcess;
import dev.debshrew.testing.Examples;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLimits;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Re-processing from a height below the reorg window, with real daemon processes, the devnet, the
 * compiled examples and embedded PostgreSQL: {@code reindex --from H} on a materialized output
 * (after a reorg deeper than the window, with a stale row a buggy module left above H) ends in
 * exactly the canonical tables; {@code rewind} below the window names that path; {@code -b} and a
 * {@code start_height} above the cursor are refused naming the cursor; a transform with state and
 * a file sink are refused with what applies instead.
 */
class ReindexTest {

    private static EmbeddedPostgres pg;
    private static String url;
    private static Transform blocks;

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgres.builder().start();
        url = pg.getJdbcUrl("postgres", "postgres");
        blocks = Transform.load(Examples.assemblyScript("blocks"), TransformLimits.defaults());
    }

    @AfterAll
    static void stop() throws Exception {
        if (blocks != null) {
            blocks.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    private Path config(DevnetServer devnet, String transform, String schema) throws Exception {
        ObjectNode sink = E2e.sink("postgres").put("url", url).put("mode", "materialized").put("schema", schema)
                .put("pipeline", schema).put("connection_timeout_ms", 5000);
        return E2e.writeConfig(dir.resolve(schema + ".json"), devnet, transform, dir.resolve("data-" + schema),
                shared.resolve("compile-cache"), "rocksdb", sink);
    }

    /** Runs the daemon until the output's cursor is the devnet's tip, then stops it (SIGTERM, exit 0). */
    private void runToTip(Path config, DevnetServer devnet, String schema) throws Exception {
        try (DaemonProcess d = DaemonProcess.start(config, null, dir.resolve("logs"))) {
            Cursor tip = new Cursor(devnet.height(), devnet.blockHash(devnet.height()));
            E2e.await("reach the tip " + tip, d, E2e.WAIT, () -> tip.equals(PgRead.cursor(url, schema, schema)));
            assertThat(d.terminate(E2e.WAIT)).isZero();
        }
    }

    /** Runs the daemon with {@code args}, expecting it to refuse at start-up; returns its stderr. */
    private String runRefused(Path config, String... args) throws Exception {
        try (DaemonProcess d = DaemonProcess.start(config, null, dir.resolve("logs"), args)) {
            assertThat(d.awaitExit(E2e.WAIT)).as("exit status (needs an operator)").isEqualTo(3);
            return d.stderr();
        }
    }

    /** Runs a command in-process; returns its exit status and what it wrote to stderr. */
    private static Outcome execute(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int status = Main.execute(args);
            return new Outcome(status, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
        }
    }

    private record Outcome(int status, String stderr) {
    }

    @Test
    void reindexFromBelowTheWindowAfterADeepReorgEndsInTheCanonicalTables() throws Exception {
        try (DevnetServer devnet = DevnetServer.builder().seed(71).initialHeight(30).build().start(0)) {
            Path config = config(devnet, "blocks", "rx");
            runToTip(config, devnet, "rx");
            // while the daemon is down: a reorg deeper than the window (10 blocks; cache_size 6), and a row
            // that (say) an older module wrote above the height to re-index from
            devnet.reorg(10, 11, ReorgStyle.INSTANT).get(30, TimeUnit.SECONDS);
            try (Connection c = PgRead.connect(url); Statement st = c.createStatement()) {
                st.execute("INSERT INTO rx.blocks (\"key\", \"data\", block_height, block_hash)"
                        + " VALUES ('stale', '{\"stale\":true}', 27, 'x')");
            }
            assertThat(runRefused(config)).contains("deeper than the reorg window");

            Outcome rewind = execute("rewind", "--config", config.toString(), "--to", "17");
            assertThat(rewind.status()).isEqualTo(3);
            assertThat(rewind.stderr()).contains("cannot rewind to 17")
                    .contains("postgresql:rx[rx,materialized]: 'debshrew reindex --config FILE --from 18'")
                    .contains("docs/operations.md#re-indexing-from-a-height");

            Outcome reindex = execute("reindex", "--config", config.toString(), "--from", "18");
            assertThat(reindex.status()).as(reindex.stderr()).isZero();
            assertThat(reindex.stderr()).contains("deleted 14 row(s) written at or above 18");
            assertThat(PgRead.cursor(url, "rx", "rx")).isEqualTo(new Cursor(17, devnet.blockHash(17)));

            runToTip(config, devnet, "rx");
            var expected = E2e.normaliseTables(E2e.fold(E2e.reference(devnet, blocks, dir)).tables());
            assertThat(expected.get("blocks")).hasSize((int) devnet.height() + 1);
            assertThat(PgRead.materialized(url, "rx")).isEqualTo(expected);
        }
    }

    @Test
    void startHeightThatDoesNotMatchTheCursorIsRefusedNamingIt() throws Exception {
        try (DevnetServer devnet = DevnetServer.builder().seed(72).initialHeight(12).build().start(0)) {
            Path config = config(devnet, "blocks", "rb");
            runToTip(config, devnet, "rb");
            String cursor = "postgresql:rb[rb,materialized] at 12:" + devnet.blockHash(12);

            assertThat(runRefused(config, "-b", "5")).contains("start height 5 (--start-height)")
                    .contains("resumes at 13").contains(cursor).contains("re-indexing-from-a-height");

            ObjectNode tree = (ObjectNode) E2e.reparse(Files.readString(config));
            Files.writeString(config, tree.put("start_height", 20).toPrettyString());
            assertThat(runRefused(config)).contains("start height 20 (start_height, above where the output is)")
                    .contains(cursor);

            // -b where the output resumes is fine
            Files.writeString(config, tree.put("start_height", 0).toPrettyString());
            devnet.mine(1);
            try (DaemonProcess d = DaemonProcess.start(config, null, dir.resolve("logs"), "-b", "13")) {
                Cursor tip = new Cursor(13, devnet.blockHash(13));
                E2e.await("reach " + tip, d, E2e.WAIT, () -> tip.equals(PgRead.cursor(url, "rb", "rb")));
                assertThat(d.terminate(E2e.WAIT)).isZero();
            }
        }
    }

    @Test
    void reindexRefusesATransformWithStateAndSinksItCannotTakeBack() throws Exception {
        try (DevnetServer devnet = DevnetServer.builder().seed(73).initialHeight(10).build().start(0)) {
            Path config = config(devnet, "txindex", "rs");
            runToTip(config, devnet, "rs");
            Cursor before = PgRead.cursor(url, "rs", "rs");
            Outcome stateful = execute("reindex", "--config", config.toString(), "--from", "3");
            assertThat(stateful.status()).isEqualTo(3);
            assertThat(stateful.stderr()).contains("the transform keeps state").contains("start_height")
                    .contains("Nothing was changed");
            assertThat(PgRead.cursor(url, "rs", "rs")).isEqualTo(before);

            ObjectNode file = E2e.sink("file").put("path", dir.resolve("out.jsonl").toString());
            Path fileConfig = E2e.writeConfig(dir.resolve("file.json"), devnet, "blocks", dir.resolve("data-file"),
                    shared.resolve("compile-cache"), "rocksdb", file);
            Outcome refused = execute("reindex", "--config", fileConfig.toString(), "--from", "3");
            assertThat(refused.status()).isEqualTo(3);
            assertThat(refused.stderr()).contains("write a new output").contains("fresh data directory")
                    .contains("start_height 3");
        }
    }
}
