package dev.debshrew.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.follow.BlockFollower;
import dev.debshrew.follow.FollowerListener;
import dev.debshrew.follow.FollowerSettings;
import dev.debshrew.follow.PipelineException;
import dev.debshrew.journal.InMemoryChainStore;
import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.Sink;
import dev.debshrew.sink.file.FileSink;
import dev.debshrew.sink.file.FileSinkConfig;
import dev.debshrew.sink.kafka.KafkaSink;
import dev.debshrew.sink.kafka.KafkaTestBroker;
import dev.debshrew.sink.postgres.PostgresSink;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLimits;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A NUL character in a transform's output is rejected the same way for every sink: the file,
 * Kafka and PostgreSQL sinks fed by one follower never see the block (each stays at the block
 * before it), and the pipeline stops with a transform failure naming the table, key and field.
 */
class NulOutputTest {

    @TempDir
    Path dir;

    @Test
    void nulInValueIsRejectedTheSameWayByEverySink() throws Exception {
        Path out = dir.resolve("out.jsonl");
        try (DevnetServer devnet = DevnetServer.builder().seed(3).initialHeight(6).build().start(0);
                KafkaTestBroker broker = KafkaTestBroker.start();
                EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
                Transform t = Transform.load("nul_output.wasm", compileWat("nul_output"), TransformLimits.defaults());
                MetashrewClient client = MetashrewClient.builder(devnet.url()).readTimeout(Duration.ofSeconds(10))
                        .build()) {
            Map<String, Object> pgOptions = Map.of("url", pg.getJdbcUrl("postgres", "postgres"), "schema", "nul",
                    "pipeline", "nul");
            Map<String, Object> kafkaOptions = Map.of("bootstrap_servers", broker.bootstrapServers(),
                    "transactional_id", "nul-test", "topic", "nul-out", "close_timeout_ms", 2000,
                    "cursor_read_timeout_ms", 30_000);
            List<Supplier<Sink>> sinks = List.of(() -> new FileSink(new FileSinkConfig(out, true, true)),
                    () -> PostgresSink.create(pgOptions), () -> KafkaSink.create(kafkaOptions));
            List<Sink> open = sinks.stream().map(Supplier::get).toList();
            try {
                FollowerSettings settings = FollowerSettings.defaults().withStartHeight(0L)
                        .withPollInterval(Duration.ofMillis(20)).withRetry(Duration.ofMillis(20), Duration.ofMillis(200));
                BlockFollower follower = new BlockFollower(client, t, new InMemoryChainStore(6), open, settings,
                        FollowerListener.NONE);
                assertTimeoutPreemptively(Duration.ofSeconds(120), () -> assertThatThrownBy(follower::run)
                        .isInstanceOf(PipelineException.class)
                        .hasMessageContaining("failed on block 3")
                        .hasMessageContaining("message[0].payload.after.content: contains the NUL character (U+0000)")
                        .hasMessageContaining("table 'inscriptions', key 'i0'"));
            } finally {
                open.forEach(Sink::close);
            }
            Cursor block2 = new Cursor(2, devnet.blockHash(2));
            for (Supplier<Sink> s : sinks) {
                try (Sink sink = s.get()) {
                    assertThat(sink.open()).as(sink.name()).contains(block2);
                }
            }
            assertThat(Files.size(out)).isZero();
            try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT table_name FROM information_schema.tables"
                            + " WHERE table_schema = 'nul' ORDER BY 1")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("debshrew_cursor");
                assertThat(rs.next()).as("no table of the NUL block").isFalse();
            }
        }
    }

    /** Compiles {@code src/test/resources/wat/<name>.wat} with wabt's wat2wasm. */
    private byte[] compileWat(String name) throws Exception {
        Path src = dir.resolve(name + ".wat");
        try (InputStream in = getClass().getResourceAsStream("/wat/" + name + ".wat")) {
            assertThat(in).as(name).isNotNull();
            Files.write(src, in.readAllBytes());
        }
        Path wasm = dir.resolve(name + ".wasm");
        Process p = new ProcessBuilder(System.getProperty("wat2wasm", "wat2wasm"), src.toString(), "-o", wasm.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("wat2wasm finished").isTrue();
        assertThat(p.exitValue()).as("wat2wasm: " + output).isZero();
        return Files.readAllBytes(wasm);
    }
}
