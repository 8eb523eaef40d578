package dev.debshrew.journal;

import static dev.debshrew.journal.StoreTesting.b;
import static dev.debshrew.journal.StoreTesting.hash;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.debshrew.sink.Cursor;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RocksRestore}: a store rebuilt from the state and window of another equals it and goes on
 * as it does; state writes beyond one batch; a restore on an existing store (the tail); a restore
 * that did not finish is refused by {@link RocksChainStore#open} naming why.
 */
class RocksRestoreTest {

    private static final int WINDOW = 3;
    private static final int KEYS = 50;

    @TempDir
    Path dir;

    /** Commits blocks from..to with random changes to {@code ref} (and the model); returns the tip hash. */
    private static String commit(InMemoryChainStore ref, Map<String, byte[]> model, Random rnd, long from, long to,
            String parent) {
        for (long h = from; h <= to; h++) {
            String hash = hash("b" + h + parent);
            var changes = StoreTesting.randomChanges(rnd, KEYS, 6);
            ref.commit(h, hash, parent, StoreTesting.messages(h, hash, 1), changes);
            StoreTesting.apply(model, changes);
            parent = hash;
        }
        return parent;
    }

    private static void restoreInto(RocksRestore r, Map<String, byte[]> model) {
        for (int k = 0; k < KEYS; k++) {
            byte[] v = model.get("key-" + k);
            r.put(b("key-" + k), v); // absent keys: deletes, as a changelog's tombstones
        }
    }

    @Test
    void aRestoredStoreEqualsTheOriginalAndGoesOnAsIt() {
        Random rnd = new Random(7);
        InMemoryChainStore ref = new InMemoryChainStore(WINDOW);
        Map<String, byte[]> model = new HashMap<>();
        String tip = commit(ref, model, rnd, 10, 16, hash("genesis"));
        RocksChainStore store;
        try (RocksRestore r = RocksRestore.begin(dir.resolve("db"), WINDOW)) {
            restoreInto(r, model);
            store = r.finish(ref.window(), ref.base().orElse(null));
        }
        try (store) {
            assertThat(store.window()).hasSize(WINDOW);
            assertThat(store.tip().orElseThrow().hash()).isEqualTo(tip);
            assertThat(store.base()).isEqualTo(ref.base());
            StoreTesting.assertStateEquals(store, model, KEYS);
            for (int i = 0; i < 2; i++) { // undo from the restored undo records
                JournalEntry undone = ref.revertTip();
                assertThat(store.revertTip().hash()).isEqualTo(undone.hash());
            }
            for (int k = 0; k < KEYS; k++) {
                assertThat(store.get(b("key-" + k))).as("key-%d after the reverts", k).isEqualTo(ref.get(b("key-" + k)));
            }
            var c = StoreTesting.changes("key-1", "x");
            String h = hash("new");
            String parent = ref.tip().orElseThrow().hash();
            ref.commit(15, h, parent, List.of(), c);
            store.commit(15, h, parent, List.of(), c);
            assertThat(store.get(b("key-1"))).isEqualTo(b("x"));
            assertThat(store.base()).isEqualTo(ref.base());
        }
    }

    @Test
    void manyStateWritesGoOutInBatchesAndATailRestoreUpdatesAnExistingStore() {
        Path db = dir.resolve("db");
        Cursor base = new Cursor(99, hash("base"));
        try (RocksRestore r = RocksRestore.begin(db, WINDOW)) {
            for (int i = 0; i < 25_000; i++) {
                r.put(b("k" + i), b("v" + i));
            }
            assertThat(r.writes()).isEqualTo(25_000);
            r.finish(List.of(), base).close();
        }
        JournalEntry e = new JournalEntry(100, hash("100"), base.hash(), List.of(),
                List.of(new StateUndo(b("k1"), b("v1"))), "m");
        try (RocksRestore r = RocksRestore.begin(db, WINDOW)) { // the tail: k1 rewritten, k2 deleted, one block
            r.put(b("k1"), b("new"));
            r.put(b("k2"), null);
            try (RocksChainStore store = r.finish(List.of(e), base)) {
                assertThat(store.get(b("k24999"))).isEqualTo(b("v24999"));
                assertThat(store.get(b("k1"))).isEqualTo(b("new"));
                assertThat(store.get(b("k2"))).isNull();
                assertThat(store.tip().orElseThrow().hash()).isEqualTo(hash("100"));
                assertThat(store.base()).contains(base);
                store.revertTip();
                assertThat(store.get(b("k1"))).isEqualTo(b("v1"));
            }
        }
    }

    @Test
    void aRestoreThatDidNotFinishIsRefused() {
        Path db = dir.resolve("db");
        try (RocksRestore r = RocksRestore.begin(db, WINDOW)) {
            r.put(b("k"), b("v"));
        } // closed without finish: a crash mid-restore
        assertThatThrownBy(() -> RocksChainStore.open(db, WINDOW)).isInstanceOf(StateStoreException.class)
                .hasMessageContaining(db.toAbsolutePath().toString()).hasMessageContaining("did not finish");
        try (RocksRestore r = RocksRestore.begin(db, WINDOW)) { // restoring again finishes it
            r.put(b("k"), b("v2"));
            r.finish(List.of(), null).close();
        }
        try (RocksChainStore s = RocksChainStore.open(db, WINDOW)) {
            assertThat(s.get(b("k"))).isEqualTo(b("v2"));
        }
    }
}
