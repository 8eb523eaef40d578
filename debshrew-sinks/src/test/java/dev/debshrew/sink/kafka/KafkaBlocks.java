package dev.debshrew.sink.kafka;

import static dev.debshrew.sink.TestMessages.create;
import static dev.debshrew.sink.TestMessages.cursor;
import static dev.debshrew.sink.TestMessages.update;

import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.sink.BlockChange;
import dev.debshrew.sink.SinkBatch;
import dev.debshrew.sink.SinkException;
import dev.debshrew.sink.TestMessages;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Configs, blocks and record helpers shared by the Kafka sink tests. */
final class KafkaBlocks {

    static final CdcCodec CODEC = new CdcCodec();
    private static final AtomicInteger SEQ = new AtomicInteger();

    private KafkaBlocks() {
    }

    /** A config with a fresh topic ({@code <prefix>-N}) and transactional id ({@code <prefix>-pipeline-N}). */
    static Map<String, Object> config(KafkaTestBroker broker, String prefix) {
        int n = SEQ.incrementAndGet();
        Map<String, Object> c = new HashMap<>();
        c.put("bootstrap_servers", broker.bootstrapServers());
        c.put("topic", prefix + "-" + n);
        c.put("transactional_id", prefix + "-pipeline-" + n);
        c.put("cursor_read_timeout_ms", 20_000);
        return c;
    }

    /** The messages of test block {@code h}: a create and an update. */
    static List<CdcMessage> block(long h) {
        return List.of(
                create(h, "blocks", "b" + h, "{\"height\":" + h + "}"),
                update(h, "balances", "alice", "{\"v\":" + (h - 1) + "}", "{\"v\":" + h + "}"));
    }

    /** Commits test block {@code h} (a batch of one block). */
    static void write(KafkaSink sink, long h) throws SinkException {
        TestMessages.commitBlock(sink, cursor(h), block(h));
    }

    /** Commits test blocks {@code from..to} as one batch. */
    static void writeBatch(KafkaSink sink, long from, long to) throws SinkException {
        sink.commit(batch(from, to));
    }

    /** Test blocks {@code from..to} as one batch. */
    static SinkBatch batch(long from, long to) {
        List<BlockChange> blocks = new ArrayList<>();
        for (long h = from; h <= to; h++) {
            blocks.add(new BlockChange(cursor(h), block(h)));
        }
        return SinkBatch.of(blocks);
    }

    /** The records' values as strings (null for tombstones). */
    static List<String> values(List<ConsumerRecord<byte[], byte[]>> records) {
        List<String> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            out.add(r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8));
        }
        return out;
    }

    /** The native encoding of the test blocks at {@code heights}, in order. */
    static List<String> expectedNative(long... heights) {
        List<String> out = new ArrayList<>();
        for (long h : heights) {
            for (CdcMessage m : block(h)) {
                out.add(CODEC.encode(m));
            }
        }
        return out;
    }
}
