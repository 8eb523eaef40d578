package dev.debshrew.follow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.journal.BlockResult;
import dev.debshrew.journal.ChainStore;
import dev.debshrew.journal.InMemoryChainStore;
import dev.debshrew.journal.JournalEntry;
import dev.debshrew.sink.BlockChange;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.Sink;
import dev.debshrew.sink.SinkBatch;
import dev.debshrew.sink.SinkException;
import dev.debshrew.sink.file.FileSink;
import dev.debshrew.sink.file.FileSinkConfig;
import dev.debshrew.testing.TableFold;
import dev.debshrew.transform.StateChanges;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sink fan-out alone: per-sink cursors, journal catch-up, undo delivery and retries, on real file sinks. */
class SinkFanOutTest {

    private static final CdcCodec CODEC = new CdcCodec();

    @TempDir
    Path dir;

    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final FollowerListener listener = new FollowerListener() {
        @Override
        public void sinkDown(String sink, boolean retrying) {
            events.add("down " + sink + (retrying ? " retrying" : ""));
        }

        @Override
        public void sinkUp(String sink) {
            events.add("up " + sink);
        }
    };

    private static String hash(long h) {
        return String.format("%064x", h + 0xabc);
    }

    private static CdcMessage message(long h, int i) {
        try {
            return CODEC.decode("{\"header\":{\"source\":\"t\",\"timestamp\":1,\"block_height\":" + h + ",\"block_hash\":\""
                    + hash(h) + "\"},\"payload\":{\"operation\":\"create\",\"table\":\"rows\",\"key\":\"" + h + "-" + i
                    + "\",\"after\":{\"v\":" + i + "}}}");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static BlockResult block(long h) {
        return new BlockResult(h, hash(h), hash(h - 1), List.of(message(h, 0), message(h, 1)), new StateChanges());
    }

    private static SinkBatch batch(List<BlockResult> blocks) {
        return SinkBatch.of(blocks.stream().map(b -> new BlockChange(new Cursor(b.height(), b.hash()), b.messages()))
                .toList());
    }

    private FileSink file(String name) {
        return new FileSink(new FileSinkConfig(dir.resolve(name), true, true));
    }

    private static SinkFanOut fanOut(List<Sink> sinks, FollowerListener l) {
        return new SinkFanOut(sinks, FollowerSettings.defaults().withRetry(Duration.ofMillis(5), Duration.ofMillis(20)), l,
                new StopSignal());
    }

    @Test
    void aSinkBehindTheStoreReceivesTheMissingJournalBlocksAsOneBatchAndNothingElse() throws Exception {
        ChainStore store = new InMemoryChainStore(6);
        List<BlockResult> blocks = List.of(block(1), block(2), block(3), block(4), block(5));
        store.commit(blocks);
        try (FileSink ahead = file("ahead.jsonl"); FileSink behind = file("behind.jsonl")) {
            ahead.open();
            behind.open();
            ahead.commit(batch(blocks));
            behind.commit(batch(blocks.subList(0, 2)));
            SinkFanOut f = fanOut(List.of(reopen(ahead, "ahead.jsonl"), reopen(behind, "behind.jsonl")), listener);
            f.open();
            f.catchUp(store, store.tip().orElseThrow(), false);
            assertThat(f.positions()).extracting(BlockFollower.SinkPosition::cursor)
                    .containsOnly(new Cursor(5, hash(5)));
        }
        assertThat(TableFold.readFile(dir.resolve("behind.jsonl"))).extracting(m -> m.payload().key())
                .containsExactly("1-0", "1-1", "2-0", "2-1", "3-0", "3-1", "4-0", "4-1", "5-0", "5-1");
        assertThat(TableFold.readFile(dir.resolve("ahead.jsonl"))).hasSize(10);
    }

    @Test
    void anUndoGoesOnlyToTheSinksThatReceivedTheBlock() throws Exception {
        ChainStore store = new InMemoryChainStore(6);
        store.commit(List.of(block(1), block(2)));
        try (FileSink a = file("a.jsonl"); FileSink b = file("b.jsonl")) {
            a.open();
            b.open();
            a.commit(batch(List.of(block(1), block(2))));
            b.commit(batch(List.of(block(1))));
            SinkFanOut f = fanOut(List.of(reopen(a, "a.jsonl"), reopen(b, "b.jsonl")), listener);
            f.open();
            JournalEntry two = store.entry(2).orElseThrow();
            f.deliverUndo(two, List.of(message(1, 9)));
            assertThat(f.positions()).extracting(BlockFollower.SinkPosition::cursor)
                    .containsExactly(new Cursor(1, hash(1)), new Cursor(1, hash(1)));
        }
        assertThat(TableFold.readFile(dir.resolve("a.jsonl"))).hasSize(5);
        assertThat(TableFold.readFile(dir.resolve("b.jsonl"))).as("b never had block 2: no inverse").hasSize(2);
    }

    @Test
    void retriableFailuresAreRetriedWithTheSinkReportedDownThenUpAndTheBatchLandsOnce() throws Exception {
        try (FileSink real = file("out.jsonl")) {
            FailingSink flaky = new FailingSink(real, 2);
            SinkFanOut f = fanOut(List.of(flaky), listener);
            f.open();
            f.commit(batch(List.of(block(1), block(2), block(3))));
            assertThat(flaky.attempts).isEqualTo(3);
            assertThat(events).containsExactly("down " + real.name() + " retrying", "up " + real.name());
            assertThat(f.positions().get(0).up()).isTrue();
            assertThat(f.positions().get(0).cursor()).isEqualTo(new Cursor(3, hash(3)));
        }
        assertThat(TableFold.readFile(dir.resolve("out.jsonl"))).hasSize(6);
    }

    @Test
    void aBlockTheSinkRefusesStopsNamingThatBlockAndTheBlocksBeforeItLand() throws Exception {
        try (FileSink real = file("out.jsonl")) {
            SinkFanOut f = fanOut(List.of(new FailingSink(real, 8L)), listener);
            f.open();
            assertThatThrownBy(() -> f.commit(batch(List.of(block(6), block(7), block(8), block(9)))))
                    .isInstanceOf(PipelineException.class)
                    .hasMessageContaining("sink " + real.name() + " could not commit block 8")
                    .hasMessageContaining("2 message(s)");
            assertThat(f.positions().get(0).up()).isFalse();
            assertThat(f.positions().get(0).cursor()).as("the blocks before the refused one landed")
                    .isEqualTo(new Cursor(7, hash(7)));
        }
        assertThat(TableFold.readFile(dir.resolve("out.jsonl"))).extracting(m -> m.payload().key())
                .containsExactly("6-0", "6-1", "7-0", "7-1");
    }

    /** A real file sink reopened, so the fan-out reads its committed cursor. */
    private Sink reopen(FileSink closed, String name) {
        closed.close();
        return file(name);
    }

    /**
     * A real sink whose first {@code failures} commits fail (retriable) before reaching it, or that
     * refuses for good every batch holding block {@code poison}.
     */
    private static final class FailingSink implements Sink {
        private final Sink sink;
        private final long poison;
        private int failures;
        int attempts;

        private FailingSink(Sink sink, int failures, long poison) {
            this.sink = sink;
            this.failures = failures;
            this.poison = poison;
        }

        /** Fails the first {@code failures} commits with a retriable error. */
        FailingSink(Sink sink, int failures) {
            this(sink, failures, -1);
        }

        /** Refuses every batch holding block {@code poison} for good. */
        FailingSink(Sink sink, long poison) {
            this(sink, 0, poison);
        }

        @Override
        public String name() {
            return sink.name();
        }

        @Override
        public Optional<Cursor> open() throws SinkException {
            return sink.open();
        }

        @Override
        public void commit(SinkBatch batch) throws SinkException {
            attempts++;
            if (failures > 0) {
                failures--;
                throw new SinkException("injected failure", null, true);
            }
            if (batch.blocks().stream().anyMatch(b -> b.cursor().height() == poison)) {
                throw new SinkException("injected refusal of block " + poison, null, false);
            }
            sink.commit(batch);
        }

        @Override
        public void close() {
            sink.close();
        }
    }
}
