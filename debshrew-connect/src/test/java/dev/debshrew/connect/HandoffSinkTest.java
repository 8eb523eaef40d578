package dev.debshrew.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.debshrew.cdc.CdcHeader;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.cdc.CdcPayload;
import dev.debshrew.cdc.Operation;
import dev.debshrew.cdc.Inversion;
import dev.debshrew.sink.BlockChange;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.SinkBatch;
import dev.debshrew.sink.SinkException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The handoff between the engine's thread and the worker's: a group is handed to poll() and the
 * engine waits for the worker's commit of its last record; undos wait for the next forward group
 * and share its transaction; a stop or a silent worker fails the engine's commit clearly.
 */
class HandoffSinkTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private HandoffSink sink(Optional<Cursor> initial, Duration timeout) throws Exception {
        Path module = Files.write(dir.resolve("t.wasm"), new byte[] {0, 'a', 's', 'm'});
        DebshrewConnectorConfig config = new DebshrewConnectorConfig(Map.of("name", "pipe",
                DebshrewConnectorConfig.NODE_URL, "http://127.0.0.1:1",
                DebshrewConnectorConfig.TRANSFORM_MODULE, module.toString(), DebshrewConnectorConfig.TOPIC, "out"));
        return new HandoffSink("connect:pipe", new ConnectRecords(config), initial, timeout,
                () -> List.of(StateChangelog.base(new Cursor(1, "c".repeat(64)))));
    }

    private static Cursor cursor(long h, String branch) {
        return new Cursor(h, branch.repeat(64));
    }

    private static BlockChange block(long h, String branch) {
        return new BlockChange(cursor(h, branch), List.of(new CdcMessage(
                CdcHeader.of("test", 1000 + h, h, branch.repeat(64), "tx" + h), new CdcPayload(Operation.CREATE, "t",
                        branch + h, null, JsonNodeFactory.instance.objectNode().put("h", h)))));
    }

    /** Runs {@code batch}'s commit on another thread (the engine's). */
    private static CompletableFuture<Void> commitAsync(HandoffSink sink, SinkBatch batch) {
        return CompletableFuture.runAsync(() -> {
            try {
                sink.commit(batch);
            } catch (SinkException e) {
                throw new RuntimeException(e);
            }
        });
    }

    private static List<SourceRecord> takeGroup(HandoffSink sink) throws InterruptedException {
        List<SourceRecord> group = sink.take(WAIT);
        assertThat(group).as("a group handed over within %s", WAIT).isNotNull();
        return group;
    }

    @Test
    void aGroupIsDeliveredOnlyOnceTheWorkerCommittedItsLastRecord() throws Exception {
        HandoffSink sink = sink(Optional.of(cursor(1, "a")), WAIT);
        CompletableFuture<Void> commit = commitAsync(sink, SinkBatch.of(List.of(block(2, "a"), block(3, "a"))));
        List<SourceRecord> group = takeGroup(sink);
        assertThat(group).extracting(SourceRecord::topic).containsExactly("pipe.debshrew-state", "out", "out",
                "out.cursor");
        assertThat(group.get(1).sourceOffset()).isEqualTo(ConnectRecords.sourceOffset(cursor(2, "a")));
        assertThat(group.get(3).sourceOffset()).isEqualTo(ConnectRecords.sourceOffset(cursor(3, "a")));
        sink.committed(group.get(2)); // not the last record: the engine still waits
        assertThat(commit).isNotDone();
        sink.committed(group.get(3));
        commit.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(sink.take(Duration.ZERO)).as("nothing more handed over").isNull();
    }

    @Test
    void undosShareTheTransactionOfTheNewBranchsFirstGroup() throws Exception {
        HandoffSink sink = sink(Optional.of(cursor(3, "a")), WAIT);
        List<CdcMessage> inverse = Inversion.invertBlock(block(3, "a").messages(), "a".repeat(64), 5L);
        sink.commit(SinkBatch.of(new BlockChange(cursor(2, "a"), inverse))); // returns at once: kept
        assertThat(sink.take(Duration.ZERO)).as("an undo alone is not handed over").isNull();
        CompletableFuture<Void> commit = commitAsync(sink, SinkBatch.of(block(3, "b")));
        List<SourceRecord> group = takeGroup(sink);
        assertThat(group).extracting(SourceRecord::topic).containsExactly("pipe.debshrew-state", "out", "out",
                "out.cursor");
        assertThat((String) group.get(1).value()).contains("\"inverse\":true").contains("a3");
        assertThat((String) group.get(2).value()).doesNotContain("\"inverse\":true").contains("b3");
        assertThat(group.get(3).sourceOffset()).isEqualTo(ConnectRecords.sourceOffset(cursor(3, "b")));
        sink.committed(group.get(3));
        commit.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void aStopOrASilentWorkerFailsTheCommitNamingIt() throws Exception {
        HandoffSink stopped = sink(Optional.empty(), WAIT);
        CompletableFuture<Void> commit = commitAsync(stopped, SinkBatch.of(block(0, "a")));
        takeGroup(stopped);
        stopped.abort();
        assertThatThrownBy(() -> commit.get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .hasRootCauseInstanceOf(SinkException.class).rootCause().hasMessageContaining("connect:pipe")
                .hasMessageContaining("stopped");

        HandoffSink silent = sink(Optional.empty(), Duration.ofMillis(1));
        assertThatThrownBy(() -> silent.commit(SinkBatch.of(block(0, "a")))).isInstanceOf(SinkException.class)
                .hasMessageContaining(DebshrewConnectorConfig.HANDOFF_TIMEOUT_MS);
    }
}
