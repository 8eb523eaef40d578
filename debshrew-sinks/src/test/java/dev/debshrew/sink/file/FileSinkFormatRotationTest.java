package dev.debshrew.sink.file;

import static dev.debshrew.sink.TestMessages.create;
import static dev.debshrew.sink.TestMessages.cursor;
import static dev.debshrew.sink.TestMessages.delete;
import static dev.debshrew.sink.TestMessages.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.BlockChange;
import dev.debshrew.sink.SinkBatch;
import dev.debshrew.sink.SinkException;
import dev.debshrew.sink.TestMessages;
import dev.debshrew.sink.SinkFactory;
import dev.debshrew.sink.format.OutputFormat;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file sink's {@code format} and {@code rotate_bytes} options, including crashes around a rotation. */
class FileSinkFormatRotationTest {

    @TempDir
    Path dir;

    private Path out() {
        return dir.resolve("out.jsonl");
    }

    private FileSink sink(long rotateBytes) {
        return new FileSink(new FileSinkConfig(out(), true, true, OutputFormat.NATIVE, rotateBytes));
    }

    /** Block {@code h}: three messages (about 600 bytes). */
    private static List<CdcMessage> block(long h) {
        return List.of(create(h, "t", "k" + h, "{\"v\":" + h + "}"),
                update(h, "t", "k" + h, "{\"v\":" + h + "}", "{\"v\":" + (h + 1) + "}"),
                create(h, "u", "x" + h, "{\"s\":\"" + "x".repeat(40) + "\"}"));
    }

    private static void commit(FileSink s, long h) throws SinkException {
        TestMessages.commitBlock(s, cursor(h), block(h));
    }

    /** Blocks {@code from..to} committed as one batch. */
    private static void commitBatch(FileSink s, long from, long to) throws SinkException {
        List<BlockChange> blocks = new ArrayList<>();
        for (long h = from; h <= to; h++) {
            blocks.add(new BlockChange(cursor(h), block(h)));
        }
        s.commit(SinkBatch.of(blocks));
    }

    private JsonNode cursorFile() throws Exception {
        return CdcCodec.mapper().readTree(Files.readAllBytes(dir.resolve("out.jsonl.cursor")));
    }

    /** Every line of the rotated files (in order) and then of the current file. */
    private List<String> allLines() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int n = 1; Files.exists(dir.resolve("out.jsonl." + n)); n++) {
            lines.addAll(Files.readAllLines(dir.resolve("out.jsonl." + n)));
        }
        lines.addAll(Files.readAllLines(out()));
        return lines;
    }

    private List<String> expectedLines(long from, long to) {
        CdcCodec codec = new CdcCodec();
        List<String> lines = new ArrayList<>();
        for (long h = from; h <= to; h++) {
            block(h).forEach(m -> lines.add(codec.encode(m)));
        }
        return lines;
    }

    @Test
    void debeziumFormatWritesOneEnvelopePerLineWithTheIndexWithinTheBlock() throws Exception {
        FileSink s = (FileSink) SinkFactory.create("file", Map.of("path", out().toString(), "format", "debezium"));
        try (s) {
            s.open();
            commit(s, 1);
            TestMessages.commitBlock(s, cursor(2), delete(2, "t", "k1", "{\"v\":2}"));
        }
        List<String> lines = Files.readAllLines(out());
        assertThat(lines).hasSize(4);
        JsonNode first = CdcCodec.mapper().readTree(lines.get(0));
        assertThat(first.get("op").asText()).isEqualTo("c");
        assertThat(first.get("before").isNull()).isTrue();
        assertThat(first.at("/source/index").asInt()).isZero();
        assertThat(first.at("/source/block_height").asLong()).isEqualTo(1);
        assertThat(CdcCodec.mapper().readTree(lines.get(2)).at("/source/index").asInt()).isEqualTo(2);
        JsonNode del = CdcCodec.mapper().readTree(lines.get(3));
        assertThat(del.get("op").asText()).isEqualTo("d");
        assertThat(del.at("/source/index").asInt()).as("index restarts with each block").isZero();
        assertThat(del.get("after").isNull()).isTrue();
    }

    @Test
    void debeziumSchemasWrapEachLine() throws Exception {
        try (FileSink s = new FileSink(FileSinkConfig.from(Map.of("path", out().toString(), "format", "debezium",
                "debezium_schemas", true)))) {
            s.open();
            commit(s, 1);
        }
        JsonNode n = CdcCodec.mapper().readTree(Files.readAllLines(out()).get(0));
        assertThat(n.has("schema")).isTrue();
        assertThat(n.at("/payload/op").asText()).isEqualTo("c");
    }

    @Test
    void optionsAreDeclaredAndUnknownOnesRejected() {
        FileSinkConfig c = FileSinkConfig.from(Map.of("path", "x"));
        assertThat(c.format()).isSameAs(OutputFormat.NATIVE);
        assertThat(c.rotateBytes()).isZero();
        assertThat(c.append()).isTrue();
        assertThat(c.fsync()).isTrue();
        assertThat(FileSinkConfig.from(Map.of("path", "x", "rotate_bytes", 1000, "type", "file")).rotateBytes())
                .isEqualTo(1000);
        assertThatThrownBy(() -> FileSinkConfig.from(Map.of("path", "x", "pth", "y")))
                .hasMessageContaining("unknown option(s) [pth]");
        assertThatThrownBy(() -> FileSinkConfig.from(Map.of("path", "x", "debezium_schemas", true)))
                .hasMessageContaining("requires 'format': 'debezium'");
        assertThatThrownBy(() -> FileSinkConfig.from(Map.of("path", "x", "format", "avro")))
                .hasMessageContaining("option 'format'").hasMessageContaining("native | debezium");
        assertThatThrownBy(() -> FileSinkConfig.from(Map.of("path", "x", "rotate_bytes", -1)))
                .hasMessageContaining("option 'rotate_bytes'");
        assertThatThrownBy(() -> FileSinkConfig.from(Map.of("path", " "))).hasMessageContaining("option 'path'");
    }

    @Test
    void rotatesAfterTheCommitThatReachesTheSizeAndNeverSplitsABlock() throws Exception {
        try (FileSink s = sink(1000)) {
            assertThat(s.open()).isEmpty();
            for (long h = 1; h <= 7; h++) {
                commit(s, h);
            }
        }
        assertThat(Files.exists(dir.resolve("out.jsonl.1"))).isTrue();
        assertThat(Files.exists(dir.resolve("out.jsonl.2"))).isTrue();
        for (int n = 1; Files.exists(dir.resolve("out.jsonl." + n)); n++) {
            List<String> lines = Files.readAllLines(dir.resolve("out.jsonl." + n));
            assertThat(lines.size() % 3).as("whole blocks only in file %d", n).isZero();
            assertThat(Files.size(dir.resolve("out.jsonl." + n))).isGreaterThanOrEqualTo(1000);
        }
        JsonNode c = cursorFile();
        assertThat(c.get("height").asLong()).isEqualTo(7);
        assertThat(c.get("length").asLong()).isEqualTo(Files.size(out()));
        assertThat(allLines()).isEqualTo(expectedLines(1, 7));

        // resume: continues numbering, nothing lost or repeated
        try (FileSink s = sink(1000)) {
            assertThat(s.open()).contains(cursor(7));
            for (long h = 8; h <= 12; h++) {
                commit(s, h);
            }
        }
        assertThat(allLines()).isEqualTo(expectedLines(1, 12));
        assertThat(cursorFile().get("file").asLong()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void batchesOfSeveralBlocksRotateBetweenBatchesAndResumeAfterTheLastBlock() throws Exception {
        try (FileSink s = sink(1000)) {
            assertThat(s.open()).isEmpty();
            commitBatch(s, 1, 4); // about 2,400 bytes: one commit past rotate_bytes, then rotated
            assertThat(cursorFile().get("file").asLong()).isEqualTo(1);
            assertThat(cursorFile().get("length").asLong()).isZero();
            commitBatch(s, 5, 5);
            commitBatch(s, 6, 9);
        }
        assertThat(Files.readAllLines(dir.resolve("out.jsonl.1"))).isEqualTo(expectedLines(1, 4));
        assertThat(Files.readAllLines(dir.resolve("out.jsonl.2"))).isEqualTo(expectedLines(5, 9));
        assertThat(cursorFile().get("height").asLong()).isEqualTo(9);
        // a torn batch after the last commit is cut away; the next batch follows block 9
        Files.writeString(out(), new CdcCodec().encode(block(10).get(0)) + "\n{\"hea", StandardOpenOption.APPEND);
        try (FileSink s = sink(1000)) {
            assertThat(s.open()).contains(cursor(9));
            commitBatch(s, 10, 11);
        }
        assertThat(allLines()).isEqualTo(expectedLines(1, 11));
    }

    @Test
    void recoveryTruncatesOnlyTheCurrentFile() throws Exception {
        try (FileSink s = sink(1000)) {
            s.open();
            for (long h = 1; h <= 4; h++) {
                commit(s, h);
            }
        }
        byte[] rotated = Files.readAllBytes(dir.resolve("out.jsonl.1"));
        long committed = Files.size(out());
        Files.writeString(out(), "{\"header\":{\"source\":\"t\",\"timest", StandardOpenOption.APPEND);
        try (FileSink s = sink(1000)) {
            assertThat(s.open()).contains(cursor(4));
        }
        assertThat(Files.size(out())).isEqualTo(committed);
        assertThat(Files.readAllBytes(dir.resolve("out.jsonl.1"))).isEqualTo(rotated);
        assertThat(allLines()).isEqualTo(expectedLines(1, 4));
    }

    /** Output of blocks 1..2 without rotation; returns the committed length (over 1000 bytes). */
    private long writeTwoBlocksUnrotated() throws Exception {
        try (FileSink s = sink(0)) {
            s.open();
            commit(s, 1);
            commit(s, 2);
        }
        long length = Files.size(out());
        assertThat(length).isGreaterThanOrEqualTo(1000);
        assertThat(cursorFile().get("file").asLong()).isZero();
        return length;
    }

    @Test
    void aCrashAfterTheCommitButBeforeTheRotationRotatesAtOpen() throws Exception {
        writeTwoBlocksUnrotated();
        try (FileSink s = sink(1000)) {
            assertThat(s.open()).contains(cursor(2));
            commit(s, 3);
        }
        assertThat(Files.readAllLines(dir.resolve("out.jsonl.1"))).isEqualTo(expectedLines(1, 2));
        assertThat(allLines()).isEqualTo(expectedLines(1, 3));
    }

    @Test
    void aCrashAfterTheRenameCompletesTheRotationAtOpen() throws Exception {
        long length = writeTwoBlocksUnrotated();
        // crashed right after renaming the data file, before creating the new one
        Files.move(out(), dir.resolve("out.jsonl.1"));
        try (FileSink s = sink(1000)) {
            assertThat(s.open()).contains(cursor(2));
            JsonNode c = cursorFile();
            assertThat(c.get("file").asLong()).isEqualTo(1);
            assertThat(c.get("length").asLong()).isZero();
            commit(s, 3);
        }
        assertThat(Files.size(dir.resolve("out.jsonl.1"))).isEqualTo(length);
        assertThat(allLines()).isEqualTo(expectedLines(1, 3));
    }

    @Test
    void aCrashAfterCreatingTheNewFileCompletesTheRotationAtOpen() throws Exception {
        writeTwoBlocksUnrotated();
        Files.move(out(), dir.resolve("out.jsonl.1"));
        Files.createFile(out());
        try (FileSink s = sink(1000)) {
            assertThat(s.open()).contains(cursor(2));
            commit(s, 3);
        }
        assertThat(allLines()).isEqualTo(expectedLines(1, 3));
    }

    @Test
    void somethingElseThanAnInterruptedRotationIsRefused() throws Exception {
        writeTwoBlocksUnrotated();
        Files.writeString(dir.resolve("out.jsonl.1"), "foreign\n");
        assertThatThrownBy(() -> sink(1000).open()).isInstanceOf(SinkException.class)
                .hasMessageContaining("not an interrupted rotation");
    }

    @Test
    void rotatedFilesWithoutACursorAreRefusedAndAppendFalseRemovesThem() throws Exception {
        try (FileSink s = sink(1000)) {
            s.open();
            for (long h = 1; h <= 4; h++) {
                commit(s, h);
            }
        }
        Files.delete(dir.resolve("out.jsonl.cursor"));
        Files.write(out(), new byte[0]);
        assertThatThrownBy(() -> sink(1000).open()).isInstanceOf(SinkException.class)
                .hasMessageContaining("out.jsonl.1 exists");
        try (FileSink s = new FileSink(new FileSinkConfig(out(), false, true, OutputFormat.NATIVE, 1000))) {
            assertThat(s.open()).isEmpty();
            commit(s, 9);
        }
        assertThat(Files.exists(dir.resolve("out.jsonl.2"))).isFalse();
        assertThat(allLines()).isEqualTo(expectedLines(9, 9));
    }

    @Test
    void aCursorWithoutFileNumberFromAnOlderVersionIsFileZero() throws Exception {
        try (FileSink s = sink(0)) {
            s.open();
            commit(s, 1);
        }
        long length = Files.size(out());
        Files.writeString(dir.resolve("out.jsonl.cursor"), "{\"height\":1,\"hash\":\"" + cursor(1).hash()
                + "\",\"length\":" + length + "}");
        try (FileSink s = sink(0)) {
            assertThat(s.open()).contains(new Cursor(1, cursor(1).hash()));
            commit(s, 2);
        }
        assertThat(allLines()).isEqualTo(expectedLines(1, 2));
    }

    @Test
    void nativeOutputIsTheCodecsBytes() throws Exception {
        try (FileSink s = sink(0)) {
            s.open();
            commit(s, 1);
        }
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        CdcCodec codec = new CdcCodec();
        for (CdcMessage m : block(1)) {
            codec.writeTo(expected, m);
            expected.write('\n');
        }
        assertThat(new String(Files.readAllBytes(out()), StandardCharsets.UTF_8))
                .isEqualTo(expected.toString(StandardCharsets.UTF_8));
    }
}
