package dev.debshrew.e2e;

import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.reliability.Reliability;
import dev.debshrew.reliability.ReliabilitySuite;
import dev.debshrew.sink.kafka.KafkaTestBroker;
import dev.debshrew.testing.Examples;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLimits;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash matrix (reliability suite): for the file, Kafka and PostgreSQL sinks and for fan-out to
 * all three, the daemon is SIGKILLed {@link Reliability#kills()} times by a seeded
 * {@link CrashMatrix} schedule during a devnet run with instant and phased reorgs (catch-up grouping
 * of 5 blocks and speculation 4), restarted each time; at the end every sink must equal an
 * uninterrupted run over the final chain: nothing lost, nothing duplicated (counted).
 */
@ReliabilitySuite
class CrashMatrixTest {

    private static KafkaTestBroker broker;
    private static EmbeddedPostgres pg;
    private static Transform txindex;

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        broker = KafkaTestBroker.start();
        pg = EmbeddedPostgres.builder().start();
        txindex = Transform.load(Examples.assemblyScript("txindex"), TransformLimits.defaults());
    }

    @AfterAll
    static void stop() throws Exception {
        if (txindex != null) {
            txindex.close();
        }
        if (pg != null) {
            pg.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private CrashTargets.Target target(String sink) {
        String url = pg.getJdbcUrl("postgres", "postgres");
        return switch (sink) {
            case "file" -> CrashTargets.file(dir.resolve("out.jsonl"));
            case "kafka" -> CrashTargets.kafka(broker, "crash.kafka");
            case "postgres" -> CrashTargets.postgres(url, "crash_pg");
            case "fan-out" -> CrashTargets.fanOut(CrashTargets.file(dir.resolve("fan.jsonl")),
                    CrashTargets.kafka(broker, "crash.fan"), CrashTargets.postgres(url, "crash_fan"));
            default -> throw new IllegalArgumentException(sink);
        };
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"file", "kafka", "postgres", "fan-out"})
    void sinksEqualAnUninterruptedRunAfterRandomKills(String sink) throws Exception {
        // the quick run: fan-out to all three
        Assumptions.assumeTrue(Reliability.full() || sink.equals("fan-out"),
                "each sink alone runs in the full run; the quick one has them all in fan-out");
        long seed = Reliability.seed() + sink.hashCode();
        Reliability.run("crash-matrix", sink, seed, report -> {
            try (DevnetServer devnet = DevnetServer.builder().seed(seed).initialHeight(30).reorgTiming(E2e.FAST)
                    .build().start(0);
                    CrashTargets.Target target = target(sink)) {
                Path config = E2e.writeConfig(dir.resolve("config.json"), devnet, "txindex", dir.resolve("data"),
                        shared.resolve("compile-cache"), "rocksdb", target.sinks());
                new CrashMatrix(devnet, config, dir.resolve("logs"), target, report).run(Reliability.kills());
                List<CdcMessage> canonical = E2e.reference(devnet, txindex, dir);
                target.check(report, canonical);
            }
        });
    }
}
