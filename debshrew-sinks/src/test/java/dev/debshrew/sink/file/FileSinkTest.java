package dev.debshrew.sink.file;

import static dev.debshrew.sink.TestMessages.block;
import static dev.debshrew.sink.TestMessages.commitBlock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.POJONode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcHeader;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.cdc.CdcPayload;
import dev.debshrew.cdc.Operation;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.Sink;
import dev.debshrew.sink.SinkBatch;
import dev.debshrew.sink.format.OutputFormat;
import dev.debshrew.sink.SinkFactory;
import dev.debshrew.sink.SinkException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSinkTest {

    @TempDir
    Path dir;

    private static CdcMessage msg(long h, String key) {
        return new CdcMessage(CdcHeader.of("t", 1, h, "h" + h, null),
                new CdcPayload(Operation.CREATE, "tbl", key, null, IntNode.valueOf((int) h)));
    }

    private FileSink sink(boolean append) {
        return new FileSink(new FileSinkConfig(dir.resolve("out.jsonl"), append, true));
    }

    @Test
    void aSecondSinkOnTheSameOutputIsRefusedUntilTheFirstCloses() throws Exception {
        try (FileSink first = sink(true); FileSink second = sink(true)) {
            assertThat(first.open()).isEmpty();
            commitBlock(first, new Cursor(1, "h1"), msg(1, "a"));
            assertThatThrownBy(second::open).isInstanceOf(SinkException.class)
                    .hasMessageContaining(dir.resolve("out.jsonl.lock").toString()).hasMessageContaining("held by another");
            first.close();
            assertThat(second.open()).contains(new Cursor(1, "h1"));
        }
        assertThat(Files.readAllLines(dir.resolve("out.jsonl"))).hasSize(1);
    }

    @Test
    void commitsLinesAndCursorAndResumesAfterIt() throws Exception {
        try (FileSink s = sink(true)) {
            assertThat(s.open()).isEmpty();
            commitBlock(s, new Cursor(1, "h1"), msg(1, "a"), msg(1, "b"));
            commitBlock(s, new Cursor(2, "h2")); // empty block still advances the cursor
        }
        try (FileSink s = sink(true)) {
            assertThat(s.open()).contains(new Cursor(2, "h2"));
            commitBlock(s, new Cursor(3, "h3"), msg(3, "c"));
        }
        List<String> lines = Files.readAllLines(dir.resolve("out.jsonl"));
        assertThat(lines).hasSize(3);
        assertThat(lines.get(2)).contains("\"key\":\"c\"").startsWith("{\"header\":");
    }

    @Test
    void uncommittedBytesAfterTheCursorAreTruncatedOnOpen() throws Exception {
        try (FileSink s = sink(true)) {
            s.open();
            commitBlock(s, new Cursor(1, "h1"), msg(1, "a"));
        }
        long committed = Files.size(dir.resolve("out.jsonl"));
        // a crash after writing part of block 2 but before its cursor was replaced
        Files.writeString(dir.resolve("out.jsonl"), "{\"header\":{\"source\":\"t\",\"timest", StandardOpenOption.APPEND);
        try (FileSink s = sink(true)) {
            assertThat(s.open()).contains(new Cursor(1, "h1"));
        }
        assertThat(Files.size(dir.resolve("out.jsonl"))).isEqualTo(committed);
    }

    @Test
    void aBatchThatCannotBeEncodedWritesNothingAndTheSinkStaysUsable() throws Exception {
        Path out = dir.resolve("out.jsonl");
        try (FileSink s = sink(true)) {
            s.open();
            commitBlock(s, new Cursor(1, "h1"), msg(1, "a"));
            long committed = Files.size(out);
            CdcMessage unencodable = new CdcMessage(CdcHeader.of("t", 1, 3, "h3", null),
                    new CdcPayload(Operation.CREATE, "tbl", "bad", null, new POJONode(new Object())));
            SinkBatch batch = SinkBatch.of(List.of(block(new Cursor(2, "h2"), msg(2, "b")),
                    block(new Cursor(3, "h3"), msg(3, "c"), unencodable)));
            assertThatThrownBy(() -> s.commit(batch)).isInstanceOf(SinkException.class)
                    .hasMessageContaining("key 'bad'");
            assertThat(Files.size(out)).as("nothing of the failed batch").isEqualTo(committed);
            commitBlock(s, new Cursor(2, "h2"), msg(2, "b"));
        }
        try (FileSink s = sink(true)) {
            assertThat(s.open()).contains(new Cursor(2, "h2"));
        }
        assertThat(Files.readAllLines(out)).hasSize(2);
    }

    /** The output's directory, and so its lock file's, is created at open (a run against an empty data volume). */
    @Test
    void opensAnOutputWhoseDirectoryDoesNotExistYet() throws Exception {
        Path out = dir.resolve("not/there/yet/out.jsonl");
        try (FileSink s = new FileSink(new FileSinkConfig(out, true, true))) {
            assertThat(s.open()).isEmpty();
        }
        assertThat(out.resolveSibling("out.jsonl.lock")).exists();
    }

    /** Several batches of several blocks: every line once, in order, indexed within its block; the cursor is the last block's. */
    @Test
    void batchesOfSeveralBlocksCommitAllLinesAndTheLastCursor() throws Exception {
        Path out = dir.resolve("out.jsonl");
        try (FileSink s = new FileSink(new FileSinkConfig(out, true, true, OutputFormat.debezium(false), 0))) {
            s.open();
            s.commit(SinkBatch.of(List.of(block(new Cursor(1, "h1"), msg(1, "a"), msg(1, "b")),
                    block(new Cursor(2, "h2")), block(new Cursor(3, "h3"), msg(3, "c")))));
            s.commit(SinkBatch.of(List.of(block(new Cursor(4, "h4"), msg(4, "d"), msg(4, "e"), msg(4, "f")),
                    block(new Cursor(5, "h5"), msg(5, "g")))));
        }
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).extracting(l -> CdcCodec.mapper().readTree(l).at("/source/index").asInt())
                .containsExactly(0, 1, 0, 0, 1, 2, 0);
        assertThat(lines).extracting(l -> CdcCodec.mapper().readTree(l).at("/source/block_height").asLong())
                .containsExactly(1L, 1L, 3L, 4L, 4L, 4L, 5L);
        // a torn write of the next batch (lines of two blocks, no cursor) disappears on open
        long committed = Files.size(out);
        Files.writeString(out, lines.get(0) + "\n" + lines.get(1) + "\n{\"op\":", StandardOpenOption.APPEND);
        try (FileSink s = sink(true)) {
            assertThat(s.open()).contains(new Cursor(5, "h5"));
            assertThat(Files.size(out)).isEqualTo(committed);
            commitBlock(s, new Cursor(6, "h6"), msg(6, "h"));
        }
        assertThat(Files.readAllLines(out)).hasSize(8);
    }

    /** append=false replaces output of unknown origin on a fresh start, and resumes after a restart. */
    @Test
    void appendFalseRestartsCleanlyWithTheDurableStore() throws Exception {
        Path out = dir.resolve("out.jsonl");
        Files.writeString(out, "output of an earlier, unrelated run\n");
        Files.writeString(dir.resolve("out.jsonl.1"), "rotated output of an earlier run\n");
        try (FileSink s = sink(false)) {
            assertThat(s.open()).isEmpty(); // fresh start: the old files are replaced, not refused
            assertThat(Files.exists(dir.resolve("out.jsonl.1"))).isFalse();
            commitBlock(s, new Cursor(1, "h1"), msg(1, "a"));
            commitBlock(s, new Cursor(2, "h2"), msg(2, "b"));
        }
        byte[] committed = Files.readAllBytes(out);
        assertThat(new String(committed, StandardCharsets.UTF_8)).contains("\"key\":\"a\"", "\"key\":\"b\"")
                .doesNotContain("earlier");
        try (FileSink s = sink(false)) {
            // a restart resumes after the committed cursor (the daemon's store is at block 2 too)
            assertThat(s.open()).contains(new Cursor(2, "h2"));
            assertThat(Files.readAllBytes(out)).isEqualTo(committed);
            commitBlock(s, new Cursor(3, "h3"), msg(3, "c"));
        }
        assertThat(Files.readAllLines(out)).hasSize(3);
    }

    /** The original debshrew's file sink config (path, append, flush_interval) works unchanged. */
    @Test
    void originalFileConfigIsAcceptedAndWorks() throws Exception {
        Map<String, Object> m;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/original/file-sink.json")) {
            assertThat(in).isNotNull();
            @SuppressWarnings("unchecked")
            Map<String, Object> read = CdcCodec.mapper().readValue(in, Map.class);
            m = new HashMap<>(read);
        }
        m.put("path", dir.resolve((String) m.get("path")).toString());
        for (int run = 1; run <= 2; run++) {
            try (Sink s = SinkFactory.create((String) m.get("type"), m)) {
                assertThat(s.open()).isEqualTo(run == 1 ? Optional.empty()
                        : Optional.of(new Cursor(1, "h1")));
                commitBlock(s, new Cursor(run, "h" + run), msg(run, "k" + run));
            }
        }
        assertThat(Files.readAllLines(dir.resolve("cdc-output.jsonl"))).hasSize(2);
    }

    @Test
    void refusesAFileWithoutCursorAndAShortenedFile() throws Exception {
        Files.writeString(dir.resolve("out.jsonl"), "something\n");
        assertThatThrownBy(() -> sink(true).open()).isInstanceOf(SinkException.class)
                .hasMessageContaining("no cursor file");
        Files.writeString(dir.resolve("out.jsonl.cursor"), "{\"height\":5,\"hash\":\"x\",\"length\":1000}");
        assertThatThrownBy(() -> sink(true).open()).isInstanceOf(SinkException.class)
                .hasMessageContaining("1000 bytes were committed");
        Files.writeString(dir.resolve("out.jsonl.cursor"), "{\"height\":5}", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> sink(true).open()).isInstanceOf(SinkException.class)
                .hasMessageContaining("must hold");
    }

    @Test
    void configRequiresPathAndBooleans() {
        assertThatThrownBy(() -> FileSinkConfig.fromMap(Map.of())).hasMessageContaining("'path' is required");
        assertThatThrownBy(() -> FileSinkConfig.fromMap(Map.of("path", "x", "append", "yes")))
                .hasMessageContaining("option 'append'").hasMessageContaining("expected true or false");
        assertThat(FileSinkConfig.fromMap(Map.of("path", "x")).append()).isTrue();
    }
}
