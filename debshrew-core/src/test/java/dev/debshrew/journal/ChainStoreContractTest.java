package dev.debshrew.journal;

import static dev.debshrew.journal.StoreTesting.assertSameEntry;
import static dev.debshrew.journal.StoreTesting.assertSameWindow;
import static dev.debshrew.journal.StoreTesting.assertStateEquals;
import static dev.debshrew.journal.StoreTesting.b;
import static dev.debshrew.journal.StoreTesting.changes;
import static dev.debshrew.journal.StoreTesting.hash;
import static dev.debshrew.journal.StoreTesting.messages;
import static dev.debshrew.journal.StoreTesting.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.debshrew.sink.Cursor;
import dev.debshrew.transform.StateChanges;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@link ChainStore} contract, run against the reference {@link InMemoryChainStore} and the
 * durable {@link RocksChainStore}: both must behave identically.
 */
class ChainStoreContractTest {

    /** Opens a store of one kind in a directory. */
    interface StoreFactory {
        ChainStore open(Path dir, int windowSize);
    }

    static Stream<Arguments> stores() {
        return Stream.of(
                Arguments.of(Named.of("in-memory", (StoreFactory) (dir, w) -> new InMemoryChainStore(w))),
                Arguments.of(Named.of("rocksdb", (StoreFactory) RocksChainStore::open)));
    }

    @TempDir
    Path tmp;

    private final List<ChainStore> opened = new ArrayList<>();

    private ChainStore open(StoreFactory f, int window) {
        ChainStore s = f.open(tmp.resolve("store"), window);
        opened.add(s);
        return s;
    }

    @AfterEach
    void closeAll() {
        opened.forEach(ChainStore::close);
    }

    @ParameterizedTest
    @MethodSource("stores")
    void emptyStore(StoreFactory f) {
        ChainStore store = open(f, 6);
        assertThat(store.windowSize()).isEqualTo(6);
        assertThat(store.tip()).isEmpty();
        assertThat(store.window()).isEmpty();
        assertThat(store.entry(0)).isEmpty();
        assertThat(store.get(b("missing"))).isNull();
        assertThatThrownBy(store::revertTip).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("journal is empty");
    }

    @ParameterizedTest
    @MethodSource("stores")
    void windowSizeMustBePositive(StoreFactory f) {
        assertThatThrownBy(() -> f.open(tmp.resolve("bad"), 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @MethodSource("stores")
    void commitAppliesStateAndRecordsUndo(StoreFactory f) {
        ChainStore store = open(f, 6);
        store.commit(100, hash("a100"), hash("a99"), messages(100, hash("a100"), 2), changes("x", "1", "y", "2"));
        JournalEntry e = store.commit(101, hash("a101"), hash("a100"), messages(101, hash("a101"), 3),
                changes("x", "10", "y", null, "z", "3", "x", "11", "never", null));

        assertThat(s(store.get(b("x")))).isEqualTo("11");
        assertThat(store.get(b("y"))).isNull();
        assertThat(s(store.get(b("z")))).isEqualTo("3");
        assertThat(e.height()).isEqualTo(101);
        assertThat(e.messages()).hasSize(3);
        // StateChanges keeps one final write per key (in first-write order), so x appears once
        assertThat(e.undo()).extracting(u -> s(u.key())).containsExactly("x", "y", "z", "never");
        assertThat(e.undo()).extracting(u -> s(u.previousValue())).containsExactly("1", "2", null, null);
        assertSameEntry(store.tip().orElseThrow(), e);
    }

    @ParameterizedTest
    @MethodSource("stores")
    void revertRestoresStateExactly(StoreFactory f) {
        ChainStore store = open(f, 6);
        store.commit(1, hash("1"), hash("0"), List.of(), changes("a", "1", "b", "2", "c", "3"));
        JournalEntry two = store.commit(2, hash("2"), hash("1"), messages(2, hash("2"), 4),
                changes("a", "x", "a", "y", "b", null, "d", "new", "d", null, "e", "e1", "c", "c2", "c", null));
        assertThat(s(store.get(b("a")))).isEqualTo("y");
        assertThat(store.get(b("c"))).isNull();

        JournalEntry reverted = store.revertTip();

        assertSameEntry(reverted, two);
        assertThat(s(store.get(b("a")))).isEqualTo("1");
        assertThat(s(store.get(b("b")))).isEqualTo("2");
        assertThat(s(store.get(b("c")))).isEqualTo("3");
        assertThat(store.get(b("d"))).isNull();
        assertThat(store.get(b("e"))).isNull();
        assertThat(store.tip().orElseThrow().height()).isEqualTo(1);

        store.revertTip();
        assertThat(store.get(b("a"))).isNull();
        assertThat(store.tip()).isEmpty();
        // an empty store accepts any block, on any branch
        store.commit(7, hash("x7"), hash("x6"), List.of(), changes("a", "7"));
        assertThat(s(store.get(b("a")))).isEqualTo("7");
    }

    @ParameterizedTest
    @MethodSource("stores")
    void windowKeepsTheLastNBlocks(StoreFactory f) {
        ChainStore store = open(f, 3);
        List<JournalEntry> committed = new ArrayList<>();
        for (long h = 10; h < 16; h++) {
            committed.add(store.commit(h, hash("h" + h), hash("h" + (h - 1)), messages(h, hash("h" + h), 1),
                    changes("k" + h, "v" + h)));
            assertThat(store.window()).hasSize((int) Math.min(3, h - 9));
        }
        assertSameWindow(store.window(), committed.subList(3, 6));
        assertThat(store.entry(12)).isEmpty();
        assertSameEntry(store.entry(13).orElseThrow(), committed.get(3));
        assertSameEntry(store.entry(15).orElseThrow(), committed.get(5));
        assertThat(store.entry(16)).isEmpty();
        assertThat(store.entry(-1)).isEmpty();
        // pruned blocks' state stays; only their undo information is gone
        assertThat(s(store.get(b("k10")))).isEqualTo("v10");

        store.revertTip();
        store.revertTip();
        store.revertTip();
        assertThat(store.tip()).isEmpty();
        assertThat(store.get(b("k13"))).isNull();
        assertThat(s(store.get(b("k12")))).isEqualTo("v12");
    }

    @ParameterizedTest
    @MethodSource("stores")
    void anEmptyWindowIsNotAnEmptyStore(StoreFactory f) {
        ChainStore store = open(f, 2);
        assertThat(store.base()).isEmpty();
        store.commit(10, hash("h10"), hash("h9"), List.of(), changes("k10", "v10"));
        assertThat(store.base()).contains(new Cursor(9, hash("h9")));
        store.commit(11, hash("h11"), hash("h10"), List.of(), changes("k11", "v11"));
        assertThat(store.base()).contains(new Cursor(9, hash("h9")));
        store.commit(12, hash("h12"), hash("h11"), List.of(), changes("k12", "v12"));
        // block 10 was pruned: it is the base now
        assertThat(store.base()).contains(new Cursor(10, hash("h10")));
        store.revertTip();
        assertThat(store.base()).contains(new Cursor(10, hash("h10")));
        store.revertTip();
        // the window is empty, the state is as of block 10, and the base says so
        assertThat(store.tip()).isEmpty();
        assertThat(store.base()).contains(new Cursor(10, hash("h10")));
        assertThat(s(store.get(b("k10")))).isEqualTo("v10");
        assertThat(store.get(b("k11"))).isNull();
        if (store.durable()) {
            store.close();
            store = open(f, 2);
            assertThat(store.tip()).isEmpty();
            assertThat(store.base()).contains(new Cursor(10, hash("h10")));
            assertThat(s(store.get(b("k10")))).isEqualTo("v10");
        }
        // resuming on top of the base moves it to the new block's parent (the same block here)
        store.commit(11, hash("b11"), hash("h10"), List.of(), changes("k11", "b11"));
        assertThat(store.base()).contains(new Cursor(10, hash("h10")));
        assertThat(store.window()).extracting(JournalEntry::height).containsExactly(11L);
        // the window of a chain that starts at block 0 has no base once emptied: nothing lies below it
        ChainStore genesis = f.open(tmp.resolve("genesis"), 2);
        opened.add(genesis);
        genesis.commit(0, hash("g0"), "0".repeat(64), List.of(), changes("g", "0"));
        assertThat(genesis.base()).isEmpty();
        genesis.revertTip();
        assertThat(genesis.base()).isEmpty();
        assertThat(genesis.get(b("g"))).isNull();
    }

    @ParameterizedTest
    @MethodSource("stores")
    void windowAccessorsReturnCopies(StoreFactory f) {
        ChainStore store = open(f, 3);
        store.commit(1, hash("1"), hash("0"), List.of(), changes("a", "1"));
        List<JournalEntry> w = store.window();
        store.commit(2, hash("2"), hash("1"), List.of(), changes("a", "2"));
        assertThat(w).hasSize(1);
        byte[] v = store.get(b("a"));
        v[0] = 'Z';
        assertThat(s(store.get(b("a")))).isEqualTo("2");
    }

    @ParameterizedTest
    @MethodSource("stores")
    void commitMustExtendTheTip(StoreFactory f) {
        ChainStore store = open(f, 6);
        store.commit(5, hash("5"), hash("4"), List.of(), changes("a", "5"));

        assertThatThrownBy(() -> store.commit(7, hash("7"), hash("5"), List.of(), changes("a", "7")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("does not extend the tip 5");
        assertThatThrownBy(() -> store.commit(5, hash("5b"), hash("4"), List.of(), changes("a", "x")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("does not extend the tip 5");
        assertThatThrownBy(() -> store.commit(6, hash("6"), hash("other"), List.of(), changes("a", "6")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("does not extend the tip 5");

        assertThat(store.window()).hasSize(1);
        assertThat(s(store.get(b("a")))).isEqualTo("5");
        store.commit(6, hash("6"), hash("5"), List.of(), changes("a", "6"));
        assertThat(s(store.get(b("a")))).isEqualTo("6");
    }

    @ParameterizedTest
    @MethodSource("stores")
    void emptyBlocksAreJournalled(StoreFactory f) {
        ChainStore store = open(f, 2);
        store.commit(0, hash("0"), "0".repeat(64), List.of(), new StateChanges());
        JournalEntry e = store.commit(1, hash("1"), hash("0"), List.of(), new StateChanges());
        assertThat(e.messages()).isEmpty();
        assertThat(e.undo()).isEmpty();
        assertThat(store.window()).extracting(JournalEntry::height).containsExactly(0L, 1L);
        assertSameEntry(store.revertTip(), e);
    }

    @ParameterizedTest
    @MethodSource("stores")
    void binaryKeysAndValues(StoreFactory f) {
        ChainStore store = open(f, 2);
        byte[] k = {0, (byte) 0xff, 0, 1};
        byte[] empty = {};
        StateChanges c = new StateChanges();
        c.put(k, empty);
        c.put(new byte[] {(byte) 0x80}, new byte[] {0, 0, 0});
        store.commit(1, hash("1"), hash("0"), List.of(), c);
        assertThat(store.get(k)).isEmpty();
        assertThat(store.get(new byte[] {(byte) 0x80})).containsExactly(0, 0, 0);
        StateChanges d = new StateChanges();
        d.delete(k);
        store.commit(2, hash("2"), hash("1"), List.of(), d);
        assertThat(store.get(k)).isNull();
        store.revertTip();
        assertThat(store.get(k)).isEmpty(); // an empty value is not "absent"
    }

    /**
     * Random commits, rejected commits and reverts (and, for durable stores, reopens), compared
     * after every step with a model: the state map and the window.
     */
    @ParameterizedTest
    @MethodSource("stores")
    void randomSequencesMatchTheModel(StoreFactory f) {
        for (long seed = 1; seed <= 6; seed++) {
            Path dir = tmp.resolve("random-" + seed);
            int windowSize = 1 + (int) (seed % 5);
            runRandom(f, dir, windowSize, new Random(seed), 250);
        }
    }

    private static final class ModelBlock {
        final JournalEntry entry;
        final Map<String, byte[]> stateBefore;

        ModelBlock(JournalEntry entry, Map<String, byte[]> stateBefore) {
            this.entry = entry;
            this.stateBefore = stateBefore;
        }
    }

    private void runRandom(StoreFactory f, Path dir, int windowSize, Random rnd, int steps) {
        final int keySpace = 40;
        ChainStore store = f.open(dir, windowSize);
        opened.add(store);
        Map<String, byte[]> state = new HashMap<>();
        List<ModelBlock> window = new ArrayList<>();
        long nextHeight = rnd.nextInt(1000);
        String nextParent = hash("genesis");
        int branch = 0;
        for (int step = 0; step < steps; step++) {
            int op = rnd.nextInt(100);
            if (op < 60) {
                String h = hash("b" + nextHeight + "/" + branch + "/" + step);
                StateChanges c = StoreTesting.randomChanges(rnd, keySpace, 8);
                Map<String, byte[]> before = new HashMap<>(state);
                JournalEntry e = store.commit(nextHeight, h, nextParent, messages(nextHeight, h, rnd.nextInt(3)), c);
                StoreTesting.apply(state, c);
                window.add(new ModelBlock(e, before));
                while (window.size() > windowSize) {
                    window.remove(0);
                }
                nextHeight++;
                nextParent = h;
            } else if (op < 70 && !window.isEmpty()) {
                long badHeight = nextHeight + (rnd.nextBoolean() ? 1 : -1);
                String badParent = rnd.nextBoolean() ? nextParent : hash("nope" + step);
                long height = badParent.equals(nextParent) ? badHeight : nextHeight;
                ChainStore current = store;
                assertThatThrownBy(() -> current.commit(height, hash("bad"), badParent, List.of(), changes("key-1", "bad")))
                        .isInstanceOf(IllegalStateException.class);
            } else if (op < 95) {
                if (window.isEmpty()) {
                    assertThatThrownBy(store::revertTip).isInstanceOf(IllegalStateException.class);
                } else {
                    ModelBlock last = window.remove(window.size() - 1);
                    assertSameEntry(store.revertTip(), last.entry);
                    state = new HashMap<>(last.stateBefore);
                    nextHeight = last.entry.height();
                    nextParent = last.entry.parentHash();
                    branch++;
                }
            } else if (op >= 98 && store.durable()) {
                store.close();
                store = f.open(dir, windowSize);
                opened.add(store);
            }
            assertStateEquals(store, state, keySpace);
            assertSameWindow(store.window(), window.stream().map(m -> m.entry).toList());
            if (window.isEmpty()) {
                assertThat(store.tip()).isEmpty();
            } else {
                JournalEntry tip = window.get(window.size() - 1).entry;
                assertSameEntry(store.tip().orElseThrow(), tip);
                assertSameEntry(store.entry(tip.height()).orElseThrow(), tip);
                assertSameEntry(store.entry(window.get(0).entry.height()).orElseThrow(), window.get(0).entry);
            }
        }
        store.close();
    }

    @ParameterizedTest
    @MethodSource("stores")
    void aGroupCommitIsOneBlockAfterAnotherAndKeepsTheWholeGroupInTheJournal(StoreFactory f) {
        ChainStore grouped = open(f, 3);
        ChainStore single = new InMemoryChainStore(100);
        grouped.commit(1, hash("1"), hash("0"), messages(1, hash("1"), 1), changes("a", "1"));
        single.commit(1, hash("1"), hash("0"), messages(1, hash("1"), 1), changes("a", "1"));
        List<BlockResult> group = new ArrayList<>();
        for (int h = 2; h <= 9; h++) {
            // the same keys rewritten and deleted across the group: each undo record must hold the value
            // the previous block of the group left, not the value before the group
            StateChanges c = h % 3 == 0 ? changes("a", null, "b" + h, "x") : changes("a", "v" + h, "b", "v" + h);
            group.add(new BlockResult(h, hash("" + h), hash("" + (h - 1)), messages(h, hash("" + h), 2), c));
            single.commit(h, hash("" + h), hash("" + (h - 1)), messages(h, hash("" + h), 2), c);
        }
        List<JournalEntry> written = grouped.commit(group);

        assertThat(written).extracting(JournalEntry::height).containsExactly(2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        assertThat(grouped.window()).as("window 3, but every block of the last group stays for lagging sinks")
                .extracting(JournalEntry::height).containsExactly(2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        assertThat(grouped.base()).contains(new Cursor(1, hash("1")));
        for (JournalEntry e : grouped.window()) {
            assertSameEntry(e, single.entry(e.height()).orElseThrow());
        }
        assertSameValues(grouped, single, "a", "b", "b3", "b6", "b9");
        // undo through the group, block by block, to the state before it
        for (int h = 9; h >= 2; h--) {
            assertThat(grouped.revertTip().height()).isEqualTo(h);
            single.revertTip();
            assertSameValues(grouped, single, "a", "b", "b3", "b6", "b9");
        }
        assertThat(s(grouped.get(b("a")))).isEqualTo("1");

        grouped.commit(group);
        grouped.commit(10, hash("10"), hash("9"), List.of(), changes("c", "10"));
        assertThat(grouped.window()).as("the next commit prunes back to the window")
                .extracting(JournalEntry::height).containsExactly(8L, 9L, 10L);
        assertThat(grouped.base()).contains(new Cursor(7, hash("7")));
    }

    @ParameterizedTest
    @MethodSource("stores")
    void aGroupThatDoesNotLinkUpIsRefusedWhole(StoreFactory f) {
        ChainStore store = open(f, 6);
        store.commit(1, hash("1"), hash("0"), List.of(), changes("a", "1"));
        List<BlockResult> broken = List.of(
                new BlockResult(2, hash("2"), hash("1"), List.of(), changes("a", "2")),
                new BlockResult(3, hash("3"), hash("other"), List.of(), changes("a", "3")));
        assertThatThrownBy(() -> store.commit(broken)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("block 3").hasMessageContaining("does not extend block 2");
        assertThat(store.tip().orElseThrow().height()).isEqualTo(1);
        assertThat(s(store.get(b("a")))).isEqualTo("1");
    }

    private static void assertSameValues(ChainStore actual, ChainStore expected, String... keys) {
        for (String k : keys) {
            assertThat(s(actual.get(b(k)))).as("key %s", k).isEqualTo(s(expected.get(b(k))));
        }
    }
}
