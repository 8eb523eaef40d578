package dev.debshrew.journal;

import static dev.debshrew.journal.StoreTesting.assertSameWindow;
import static dev.debshrew.journal.StoreTesting.b;
import static dev.debshrew.journal.StoreTesting.changes;
import static dev.debshrew.journal.StoreTesting.hash;
import static dev.debshrew.journal.StoreTesting.messages;
import static dev.debshrew.journal.StoreTesting.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.debshrew.sink.Cursor;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link InMemoryChainStore#of}: a store built from another store's snapshot (state, window, base)
 * behaves as that store from then on, through commits, pruning and reverts back below the snapshot's
 * window top; a window that is not a chain above its base is refused, naming the entry.
 */
class InMemoryChainStoreTest {

    private static String parent(long h) {
        return h == 0 ? "0".repeat(64) : hash("a" + (h - 1));
    }

    private static BlockResult block(long h, Object... keyValues) {
        return new BlockResult(h, hash("a" + h), parent(h), messages(h, hash("a" + h), 2), changes(keyValues));
    }

    private static Map<ByteBuffer, byte[]> state(ChainStore store, String... keys) {
        Map<ByteBuffer, byte[]> out = new HashMap<>();
        for (String k : keys) {
            byte[] v = store.get(b(k));
            if (v != null) {
                out.put(ByteBuffer.wrap(b(k)), v);
            }
        }
        return out;
    }

    @Test
    void aStoreBuiltFromASnapshotBehavesAsTheOriginal() {
        InMemoryChainStore original = new InMemoryChainStore(3);
        original.commit(List.of(block(0, "x", "0"), block(1, "x", "1", "y", "1"), block(2, "y", null),
                block(3, "z", "3"), block(4, "x", "4")));
        assertThat(original.window()).as("a group larger than the window is kept whole").hasSize(5);

        InMemoryChainStore copy = InMemoryChainStore.of(3, state(original, "x", "y", "z"), original.window(),
                original.base().orElse(null));
        assertSameWindow(copy.window(), original.window());
        assertThat(copy.base()).isEqualTo(original.base()).isEmpty();
        assertThat(s(copy.get(b("x")))).isEqualTo("4");
        assertThat(copy.get(b("y"))).isNull();

        for (InMemoryChainStore st : List.of(original, copy)) {
            st.commit(List.of(block(5, "x", "5")));
            assertThat(st.window()).extracting(JournalEntry::height).containsExactly(3L, 4L, 5L);
            assertThat(st.base()).contains(new Cursor(2, hash("a2")));
            st.revertTip();
            st.revertTip();
            st.revertTip(); // below the snapshot's top: the undo records came with the window
        }
        assertSameWindow(copy.window(), original.window());
        assertThat(copy.base()).isEqualTo(original.base());
        for (String k : List.of("x", "y", "z")) {
            assertThat(s(copy.get(b(k)))).as(k).isEqualTo(s(original.get(b(k))));
        }
        assertThat(s(copy.get(b("x")))).isEqualTo("1");
        assertThat(copy.get(b("z"))).as("undone with block 3").isNull();
    }

    @Test
    void aWindowThatIsNotAChainAboveItsBaseIsRefusedNamingTheEntry() {
        InMemoryChainStore original = new InMemoryChainStore(2);
        for (long h = 0; h <= 4; h++) {
            original.commit(List.of(block(h, "k", Long.toString(h))));
        }
        List<JournalEntry> window = original.window(); // 3, 4 above base 2
        Cursor base = original.base().orElseThrow();
        assertThat(InMemoryChainStore.of(2, Map.of(), window, base).tip()).isEqualTo(original.tip());
        assertThatThrownBy(() -> InMemoryChainStore.of(2, Map.of(), window, new Cursor(1, hash("a1"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("journal entry 3");
        assertThatThrownBy(() -> InMemoryChainStore.of(2, Map.of(), List.of(window.get(1)), base))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("journal entry 4");
        assertThatThrownBy(() -> InMemoryChainStore.of(2, Map.of(), window, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("an empty base");
        assertThat(InMemoryChainStore.of(2, Map.of(), List.of(), base).base()).contains(base);
    }
}
