package dev.debshrew.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.reliability.Report;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.kafka.KafkaTestBroker;
import dev.debshrew.testing.TableFold;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The sinks of the crash matrix: how to configure each, whether it committed a block, and how to
 * compare what it holds with the uninterrupted run (into a {@link Report}).
 */
final class CrashTargets {

    private CrashTargets() {
    }

    /** One sink (or several, for fan-out) under test. */
    interface Target extends AutoCloseable {
        ObjectNode[] sinks();

        /** Whether every sink committed the block {@code height} / {@code hash}. */
        boolean committed(long height, String hash) throws Exception;

        /** Compares what the sinks hold with the canonical messages of an uninterrupted run. */
        void check(Report report, List<CdcMessage> canonical) throws Exception;

        @Override
        default void close() throws Exception {
        }
    }

    /** The file sink, rotating every 64 KiB (rotated files are read in order). */
    static Target file(Path out) {
        return new Target() {
            @Override
            public ObjectNode[] sinks() {
                return new ObjectNode[] {E2e.sink("file").put("path", out.toString()).put("rotate_bytes", 65_536)};
            }

            @Override
            public boolean committed(long height, String hash) throws Exception {
                Path c = out.resolveSibling(out.getFileName() + ".cursor");
                if (!Files.exists(c)) {
                    return false;
                }
                JsonNode n = E2e.reparse(Files.readString(c));
                return n.path("height").asLong(-1) == height && hash.equals(n.path("hash").asText());
            }

            @Override
            public void check(Report report, List<CdcMessage> canonical) throws Exception {
                report.compareStream("file " + out.getFileName(), canonical, readRotated(out));
            }
        };
    }

    /** Every line of the file sink's output: out.1, out.2, ... then out. */
    static List<CdcMessage> readRotated(Path out) throws Exception {
        List<CdcMessage> lines = new ArrayList<>();
        for (int i = 1; Files.exists(out.resolveSibling(out.getFileName() + "." + i)); i++) {
            lines.addAll(TableFold.readFile(out.resolveSibling(out.getFileName() + "." + i)));
        }
        if (Files.exists(out)) {
            lines.addAll(TableFold.readFile(out));
        }
        return lines;
    }

    /** The Kafka sink; the topic is read with {@code read_committed}. */
    static Target kafka(KafkaTestBroker broker, String topic) {
        String txid = topic + "-tx";
        KafkaCursorWatch watch = new KafkaCursorWatch(broker.bootstrapServers(), topic + ".cursor");
        return new Target() {
            @Override
            public ObjectNode[] sinks() {
                return new ObjectNode[] {E2e.sink("kafka").put("bootstrap_servers", broker.bootstrapServers())
                        .put("transactional_id", txid).put("topic", topic).put("close_timeout_ms", 2000)
                        .put("cursor_read_timeout_ms", 30_000)};
            }

            @Override
            public boolean committed(long height, String hash) {
                return new Cursor(height, hash).equals(watch.cursor(txid));
            }

            @Override
            public void check(Report report, List<CdcMessage> canonical) throws Exception {
                List<CdcMessage> out = new ArrayList<>();
                for (ConsumerRecord<byte[], byte[]> r : broker.readCommitted(topic)) {
                    out.add(E2e.CODEC.decode(r.value()));
                }
                report.compareStream("kafka " + topic, canonical, out);
            }

            @Override
            public void close() {
                watch.close();
            }
        };
    }

    /** Two PostgreSQL sinks: materialized tables (compared row by row) and a changelog (compared as a stream). */
    static Target postgres(String url, String prefix) {
        String mat = prefix + "_mat";
        String log = prefix + "_log";
        return new Target() {
            @Override
            public ObjectNode[] sinks() {
                return new ObjectNode[] {
                    E2e.sink("postgres").put("url", url).put("mode", "materialized").put("schema", mat)
                            .put("pipeline", mat).put("connection_timeout_ms", 5000),
                    E2e.sink("postgres").put("url", url).put("mode", "changelog").put("schema", log)
                            .put("pipeline", log).put("events_table", "events").put("connection_timeout_ms", 5000)};
            }

            @Override
            public boolean committed(long height, String hash) throws Exception {
                Cursor want = new Cursor(height, hash);
                return want.equals(PgRead.cursor(url, mat, mat)) && want.equals(PgRead.cursor(url, log, log));
            }

            @Override
            public void check(Report report, List<CdcMessage> canonical) throws Exception {
                Map<String, Map<String, JsonNode>> expected = E2e.normaliseTables(E2e.fold(canonical).tables());
                report.compareTables("postgres " + mat, expected, PgRead.materialized(url, mat));
                report.compareStream("postgres " + log, canonical, PgRead.changelog(url, log, "events", log));
            }
        };
    }

    /** All of {@code parts} as the {@code sinks} of one daemon. */
    static Target fanOut(Target... parts) {
        return new Target() {
            @Override
            public ObjectNode[] sinks() {
                return Arrays.stream(parts).flatMap(p -> Arrays.stream(p.sinks())).toArray(ObjectNode[]::new);
            }

            @Override
            public boolean committed(long height, String hash) throws Exception {
                for (Target p : parts) {
                    if (!p.committed(height, hash)) {
                        return false;
                    }
                }
                return true;
            }

            @Override
            public void check(Report report, List<CdcMessage> canonical) throws Exception {
                for (Target p : parts) {
                    p.check(report, canonical);
                }
            }

            @Override
            public void close() throws Exception {
                for (Target p : parts) {
                    p.close();
                }
            }
        };
    }
}
