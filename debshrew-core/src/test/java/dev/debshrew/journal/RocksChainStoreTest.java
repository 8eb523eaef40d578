package dev.debshrew.journal;

import static dev.debshrew.journal.StoreTesting.assertSameEntry;
import static dev.debshrew.journal.StoreTesting.assertSameWindow;
import static dev.debshrew.journal.StoreTesting.b;
import static dev.debshrew.journal.StoreTesting.changes;
import static dev.debshrew.journal.StoreTesting.hash;
import static dev.debshrew.journal.StoreTesting.messages;
import static dev.debshrew.journal.StoreTesting.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.debshrew.sink.Cursor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What only the durable store has: reopening, window size changes, corruption detection, locking. */
class RocksChainStoreTest {

    @TempDir
    Path tmp;

    private Path dir() {
        return tmp.resolve("state");
    }

    /** Commits blocks from..to (inclusive) on top of whatever is there, returns the entries. */
    static List<JournalEntry> commitRange(ChainStore store, long from, long to) {
        List<JournalEntry> out = new ArrayList<>();
        for (long h = from; h <= to; h++) {
            out.add(store.commit(h, hash("h" + h), hash("h" + (h - 1)), messages(h, hash("h" + h), (int) (h % 4)),
                    changes("k" + (h % 3), "v" + h, "only" + h, "x", "only" + (h - 1), null)));
        }
        return out;
    }

    @Test
    void reopenKeepsStateJournalAndTip() {
        List<JournalEntry> committed;
        try (RocksChainStore store = RocksChainStore.open(dir(), 5)) {
            assertThat(store.durable()).isTrue();
            committed = commitRange(store, 20, 27);
        }
        try (RocksChainStore store = RocksChainStore.open(dir(), 5)) {
            assertSameWindow(store.window(), committed.subList(3, 8));
            assertSameEntry(store.tip().orElseThrow(), committed.get(7));
            assertSameEntry(store.entry(25).orElseThrow(), committed.get(5));
            assertThat(s(store.get(b("k0")))).isEqualTo("v27");
            assertThat(s(store.get(b("only27")))).isEqualTo("x");
            assertThat(store.get(b("only26"))).isNull();

            assertSameEntry(store.revertTip(), committed.get(7));
            assertThat(s(store.get(b("only26")))).isEqualTo("x");
            assertThat(store.get(b("only27"))).isNull();
            assertThat(s(store.get(b("k0")))).isEqualTo("v24");
        }
        try (RocksChainStore store = RocksChainStore.open(dir(), 5)) {
            assertThat(store.tip().orElseThrow().height()).isEqualTo(26);
            assertThat(s(store.get(b("only26")))).isEqualTo("x");
            // the replacement branch continues from 26
            store.commit(27, hash("other27"), hash("h26"), List.of(), changes("k0", "other"));
            assertThat(s(store.get(b("k0")))).isEqualTo("other");
        }
    }

    @Test
    void revertingTheWholeWindowSurvivesReopen() {
        try (RocksChainStore store = RocksChainStore.open(dir(), 3)) {
            commitRange(store, 1, 3);
            store.revertTip();
            store.revertTip();
            store.revertTip();
        }
        try (RocksChainStore store = RocksChainStore.open(dir(), 3)) {
            assertThat(store.tip()).isEmpty();
            assertThat(store.get(b("only1"))).isNull();
            assertThat(store.get(b("k1"))).isNull();
        }
    }

    @Test
    void anEmptyWindowIsNotAnEmptyStoreAlsoForStoresWithoutABaseRecord() throws Exception {
        try (RocksChainStore store = RocksChainStore.open(dir(), 3)) {
            commitRange(store, 1, 5);
        }
        // a store written by an older build has no base record: the base is the oldest entry's parent
        try (RocksHandles rocks = RocksHandles.open(dir(), false, false)) {
            rocks.db.delete(rocks.meta, RocksHandles.META_BASE);
        }
        try (RocksChainStore store = RocksChainStore.open(dir(), 3)) {
            assertThat(store.base()).contains(new Cursor(2, hash("h2")));
            store.revertTip();
            store.revertTip();
            store.revertTip();
        }
        try (RocksChainStore store = RocksChainStore.open(dir(), 3)) {
            assertThat(store.tip()).isEmpty();
            assertThat(store.base()).contains(new Cursor(2, hash("h2")));
            assertThat(s(store.get(b("only2")))).isEqualTo("x");
        }
        var out = new java.io.ByteArrayOutputStream();
        JournalTool.inspect(dir(), new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
        assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8))
                .contains("base 2:" + hash("h2") + " (journal empty: state as of this block)");
    }

    @Test
    void windowCanGrowAndShrinkBetweenRuns() {
        try (RocksChainStore store = RocksChainStore.open(dir(), 3)) {
            commitRange(store, 1, 5);
        }
        try (RocksChainStore store = RocksChainStore.open(dir(), 6)) {
            assertThat(store.windowSize()).isEqualTo(6);
            assertThat(store.window()).extracting(JournalEntry::height).containsExactly(3L, 4L, 5L);
            commitRange(store, 6, 9);
            assertThat(store.window()).extracting(JournalEntry::height).containsExactly(4L, 5L, 6L, 7L, 8L, 9L);
        }
        try (RocksChainStore store = RocksChainStore.open(dir(), 2)) {
            assertThat(store.windowSize()).isEqualTo(2);
            // shrinking prunes on the next commit, not at open
            assertThat(store.window()).hasSize(6);
            commitRange(store, 10, 10);
            assertThat(store.window()).extracting(JournalEntry::height).containsExactly(9L, 10L);
        }
        try (RocksChainStore store = RocksChainStore.openExisting(dir())) {
            assertThat(store.windowSize()).isEqualTo(2);
            assertThat(store.window()).extracting(JournalEntry::height).containsExactly(9L, 10L);
        }
    }

    @Test
    void flippedByteInAJournalRecordIsReportedAtOpen() throws Exception {
        try (RocksChainStore store = RocksChainStore.open(dir(), 6)) {
            commitRange(store, 100, 105);
        }
        corrupt(dir(), 103, value -> value[value.length / 2] ^= 0x01);

        JournalCorruptedException e = catchThrowableOfType(JournalCorruptedException.class,
                () -> RocksChainStore.open(dir(), 6));
        assertThat(e).isNotNull();
        assertThat(e.height()).hasValue(103);
        assertThat(e.dataDir()).isEqualTo(dir().toAbsolutePath());
        assertThat(e.getMessage()).contains(dir().toAbsolutePath().toString()).contains("height 103")
                .contains("checksum mismatch").contains("restore");
        // refusing to open must not have changed anything: still corrupted, still refused
        assertThatThrownBy(() -> RocksChainStore.open(dir(), 6)).isInstanceOf(JournalCorruptedException.class);
    }

    @Test
    void undecodableRecordWithAValidChecksumIsReported() throws Exception {
        try (RocksChainStore store = RocksChainStore.open(dir(), 6)) {
            commitRange(store, 1, 3);
        }
        // a record cut short after its hash, with a checksum that matches the cut body
        try (RocksHandles rocks = RocksHandles.open(dir(), false, false)) {
            byte[] v = rocks.db.get(rocks.journal, JournalRecords.key(2));
            byte[] cut = java.util.Arrays.copyOf(v, 4 + 1 + 8 + 4 + 64 + 3);
            ByteBuffer.wrap(cut).putInt(0, JournalRecords.crc(cut));
            rocks.db.put(rocks.journal, JournalRecords.key(2), cut);
        }
        assertThatThrownBy(() -> RocksChainStore.open(dir(), 6)).isInstanceOf(JournalCorruptedException.class)
                .hasMessageContaining("height 2").hasMessageContaining("truncated");
    }

    @Test
    void invalidMessageInsideARecordIsReported() throws Exception {
        try (RocksChainStore store = RocksChainStore.open(dir(), 6)) {
            commitRange(store, 1, 3);
        }
        try (RocksHandles rocks = RocksHandles.open(dir(), false, false)) {
            JournalEntry e = JournalRecords.decode(3, rocks.db.get(rocks.journal, JournalRecords.key(3)));
            byte[] record = JournalRecords.encode(e);
            String text = new String(record, java.nio.charset.StandardCharsets.ISO_8859_1);
            byte[] edited = text.replace("\"operation\":\"update\"", "\"operation\":\"UPDATE\"")
                    .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(edited).isNotEqualTo(record);
            ByteBuffer.wrap(edited).putInt(0, JournalRecords.crc(edited));
            rocks.db.put(rocks.journal, JournalRecords.key(3), edited);
        }
        assertThatThrownBy(() -> RocksChainStore.open(dir(), 6)).isInstanceOf(JournalCorruptedException.class)
                .hasMessageContaining("height 3").hasMessageContaining("message 1 cannot be decoded");
    }

    @Test
    void missingNewestRecordContradictsTheStoredTip() throws Exception {
        try (RocksChainStore store = RocksChainStore.open(dir(), 6)) {
            commitRange(store, 1, 4);
        }
        try (RocksHandles rocks = RocksHandles.open(dir(), false, false)) {
            rocks.db.delete(rocks.journal, JournalRecords.key(4));
        }
        assertThatThrownBy(() -> RocksChainStore.open(dir(), 6)).isInstanceOf(JournalCorruptedException.class)
                .hasMessageContaining("tip 4:").hasMessageContaining("newest journal record is 3");
    }

    @Test
    void brokenParentLinkIsReported() throws Exception {
        try (RocksChainStore store = RocksChainStore.open(dir(), 6)) {
            commitRange(store, 1, 3);
        }
        try (RocksHandles rocks = RocksHandles.open(dir(), false, false)) {
            JournalEntry e = JournalRecords.decode(2, rocks.db.get(rocks.journal, JournalRecords.key(2)));
            JournalEntry forged = new JournalEntry(2, e.hash(), hash("elsewhere"), e.messages(), e.undo());
            rocks.db.put(rocks.journal, JournalRecords.key(2), JournalRecords.encode(forged));
        }
        assertThatThrownBy(() -> RocksChainStore.open(dir(), 6)).isInstanceOf(JournalCorruptedException.class)
                .hasMessageContaining("height 2").hasMessageContaining("parent hash");
    }

    @Test
    void aMessageThatWouldNotReadBackIsRefusedBeforeWriting() {
        try (RocksChainStore store = RocksChainStore.open(dir(), 6)) {
            commitRange(store, 1, 1);
            dev.debshrew.cdc.CdcMessage bad = new dev.debshrew.cdc.CdcMessage(
                    dev.debshrew.cdc.CdcHeader.of("t", 1, 2, hash("h2"), null),
                    new dev.debshrew.cdc.CdcPayload(dev.debshrew.cdc.Operation.CREATE, "", "k", null, null));
            assertThatThrownBy(() -> store.commit(2, hash("h2"), hash("h1"), List.of(bad), changes("k1", "no")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("block 2: message 0");
            assertThat(store.tip().orElseThrow().height()).isEqualTo(1);
            assertThat(s(store.get(b("k1")))).isEqualTo("v1");
        }
        try (RocksChainStore store = RocksChainStore.open(dir(), 6)) {
            assertThat(store.tip().orElseThrow().height()).isEqualTo(1);
        }
    }

    @Test
    void secondOpenOfTheSameDirectoryIsRefusedClearly() {
        try (RocksChainStore store = RocksChainStore.open(dir(), 6)) {
            commitRange(store, 1, 1);
            assertThatThrownBy(() -> RocksChainStore.open(dir(), 6)).isInstanceOf(StateStoreException.class)
                    .hasMessageContaining("in use by another process").hasMessageContaining(dir().toString());
            // the first store is unaffected
            assertThat(store.tip().orElseThrow().height()).isEqualTo(1);
        }
    }

    @Test
    void refusesADirectoryThatHoldsSomethingElse() throws IOException {
        Files.createDirectories(dir());
        Files.writeString(dir().resolve("notes.txt"), "mine");
        assertThatThrownBy(() -> RocksChainStore.open(dir(), 6)).isInstanceOf(StateStoreException.class)
                .hasMessageContaining("not empty").hasMessageContaining("notes.txt");
        assertThat(RocksHandles.exists(dir())).isFalse();
    }

    @Test
    void closeIsIdempotentAndLaterCallsFailCleanly() {
        RocksChainStore store = RocksChainStore.open(dir(), 6);
        commitRange(store, 1, 2);
        store.close();
        store.close();
        assertThatThrownBy(() -> store.get(b("k1"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(store::revertTip).isInstanceOf(IllegalStateException.class);
        // and the directory can be opened again at once (the lock was released)
        try (RocksChainStore again = RocksChainStore.open(dir(), 6)) {
            assertThat(again.tip().orElseThrow().height()).isEqualTo(2);
        }
    }

    /** Rewrites the raw journal value at {@code height} through the RocksDB API. */
    static void corrupt(Path dir, long height, java.util.function.Consumer<byte[]> edit) throws Exception {
        try (RocksHandles rocks = RocksHandles.open(dir, false, false)) {
            byte[] v = rocks.db.get(rocks.journal, JournalRecords.key(height));
            assertThat(v).as("journal record %d", height).isNotNull();
            edit.accept(v);
            rocks.db.put(rocks.journal, JournalRecords.key(height), v);
        }
    }
}
