package dev.debshrew.journal;

import static dev.debshrew.journal.RocksChainStoreTest.commitRange;
import static dev.debshrew.journal.RocksChainStoreTest.corrupt;
import static dev.debshrew.journal.StoreTesting.b;
import static dev.debshrew.journal.StoreTesting.hash;
import static dev.debshrew.journal.StoreTesting.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalToolTest {

    @TempDir
    Path tmp;

    private Path dir() {
        return tmp.resolve("state");
    }

    private static String run(Consumer<PrintStream> tool) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            tool.accept(out);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private void store(long from, long to, int window) {
        try (RocksChainStore store = RocksChainStore.open(dir(), window)) {
            commitRange(store, from, to);
        }
    }

    @Test
    void inspectListsTheWindow() {
        store(10, 17, 4);
        String out = run(o -> JournalTool.inspect(dir(), o));
        assertThat(out).contains("window size 4").contains("4 journal record(s)");
        assertThat(out.lines().filter(l -> l.matches("^1[4-7] .*")).toList()).hasSize(4)
                .allSatisfy(l -> assertThat(l).endsWith("ok"));
        // height, hash, parent hash, messages (h % 4), undo count (3 writes per block), module (none recorded here)
        assertThat(out).containsPattern("15\\s+" + hash("h15") + "\\s+" + hash("h14") + "\\s+3\\s+3\\s+-\\s+ok");
        assertThat(out.lines().filter(l -> l.startsWith("13 ")).toList()).isEmpty();
    }

    @Test
    void verifyOfACleanJournalReturnsZero() {
        store(1, 5, 6);
        int[] status = new int[1];
        String out = run(o -> status[0] = JournalTool.verify(dir(), o));
        assertThat(status[0]).isZero();
        assertThat(out).contains("journal OK: 5 record(s), heights 1..5");
    }

    @Test
    void verifyAndInspectReportACorruptRecord() throws Exception {
        store(1, 6, 6);
        corrupt(dir(), 4, v -> v[v.length - 1] ^= (byte) 0x80);
        int[] status = new int[1];
        String out = run(o -> status[0] = JournalTool.verify(dir(), o));
        assertThat(status[0]).isEqualTo(JournalTool.CORRUPTED);
        assertThat(out).contains("BAD height 4: checksum mismatch").contains("journal CORRUPTED: 1 problem(s)");

        String listing = run(o -> JournalTool.inspect(dir(), o));
        assertThat(listing.lines().filter(l -> l.startsWith("4 ")).findFirst().orElseThrow())
                .contains("CORRUPT: checksum mismatch");
        assertThat(listing.lines().filter(l -> l.startsWith("5 ")).findFirst().orElseThrow()).endsWith("ok");
    }

    @Test
    void verifyOfAMissingStoreSaysSo() {
        int[] status = new int[1];
        String out = run(o -> status[0] = JournalTool.verify(tmp.resolve("nothing"), o));
        assertThat(status[0]).isEqualTo(JournalTool.UNUSABLE);
        assertThat(out).contains("no state store in").contains("nothing");
        assertThat(RocksHandles.exists(tmp.resolve("nothing"))).isFalse();
    }

    @Test
    void inspectAndVerifyWorkBesideAnOpenStore() {
        try (RocksChainStore store = RocksChainStore.open(dir(), 6)) {
            commitRange(store, 1, 3);
            int[] status = new int[1];
            String out = run(o -> status[0] = JournalTool.verify(dir(), o));
            assertThat(status[0]).as(out).isZero();
            assertThat(run(o -> JournalTool.inspect(dir(), o))).contains("3 journal record(s)");
            // the daemon carries on
            commitRange(store, 4, 4);
        }
    }

    @Test
    void rewindRevertsDownToTheRequestedHeight() {
        store(1, 8, 5);
        String out = run(o -> JournalTool.rewind(dir(), 5, o));
        assertThat(out).contains("reverted block 8").contains("reverted block 6").doesNotContain("reverted block 5")
                .contains("is now at height 5 " + hash("h5"));
        try (RocksChainStore store = RocksChainStore.open(dir(), 5)) {
            assertThat(store.tip().orElseThrow().height()).isEqualTo(5);
            assertThat(s(store.get(b("only5")))).isEqualTo("x");
            assertThat(store.get(b("only6"))).isNull();
            assertThat(s(store.get(b("k2")))).isEqualTo("v5");
        }
    }

    @Test
    void rewindToTheOldestParentLeavesAStoreAtItsBase() {
        store(1, 8, 5);
        String out = run(o -> JournalTool.rewind(dir(), 3, o));
        assertThat(out).contains("reverted block 4").contains("is now at height 3 " + hash("h3") + " (its base");
        try (RocksChainStore store = RocksChainStore.open(dir(), 5)) {
            assertThat(store.tip()).isEmpty();
            assertThat(store.base()).contains(new dev.debshrew.sink.Cursor(3, hash("h3")));
            assertThat(s(store.get(b("only3")))).isEqualTo("x");
        }
    }

    @Test
    void rewindBelowTheWindowNamesTheOldestHeight() {
        store(1, 8, 5);
        assertThatThrownBy(() -> run(o -> JournalTool.rewind(dir(), 2, o)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("oldest block in the journal window is 4")
                .hasMessageContaining("go back to 3 at most");
        assertThatThrownBy(() -> run(o -> JournalTool.rewind(dir(), 9, o)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tip is already 8");
        try (RocksChainStore store = RocksChainStore.open(dir(), 5)) {
            assertThat(store.tip().orElseThrow().height()).isEqualTo(8); // untouched
        }
    }

    @Test
    void rewindRefusesAStoreInUse() {
        try (RocksChainStore store = RocksChainStore.open(dir(), 5)) {
            commitRange(store, 1, 3);
            assertThatThrownBy(() -> run(o -> JournalTool.rewind(dir(), 2, o)))
                    .isInstanceOf(StateStoreException.class).hasMessageContaining("in use by another process");
        }
    }
}
