package dev.debshrew.connect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.debshrew.cdc.CdcHeader;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.cdc.CdcPayload;
import dev.debshrew.cdc.Operation;
import dev.debshrew.journal.BlockResult;
import dev.debshrew.journal.ChainStore;
import dev.debshrew.journal.InMemoryChainStore;
import dev.debshrew.journal.JournalEntry;
import dev.debshrew.transform.StateChanges;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Kafka-backed store against the in-memory one, operation for operation, and its changelog: a
 * store restored from the changelog records it emitted (in order, as a {@code read_committed}
 * consumer replays the topic) equals the store that emitted them, at every step.
 */
class KafkaChainStoreTest {

    private static final int WINDOW = 3;

    private static String hash(String branch, long h) {
        return String.format("%064x", (branch.hashCode() * 1000L + h) & Long.MAX_VALUE);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Block {@code h} of {@code branch}: a message, a counter, a key per block, a delete of the key of h - 2. */
    private static BlockResult block(String branch, long h, String parent, ChainStore reading) {
        StateChanges c = new StateChanges();
        byte[] counter = reading.get(b("count"));
        long n = counter == null ? 1 : Long.parseLong(new String(counter, StandardCharsets.UTF_8)) + 1;
        c.put(b("count"), b(Long.toString(n)));
        c.put(new byte[] {0, (byte) h, (byte) 0xff}, b(branch + h));
        c.delete(new byte[] {0, (byte) (h - 2), (byte) 0xff});
        CdcMessage m = new CdcMessage(CdcHeader.of("test", 1000 + h, h, hash(branch, h), "tx" + h),
                new CdcPayload(Operation.CREATE, "t", branch + h, null,
                        JsonNodeFactory.instance.objectNode().put("n", n)));
        return new BlockResult(h, hash(branch, h), parent, List.of(m), c, "module");
    }

    private final InMemoryChainStore reference = new InMemoryChainStore(WINDOW);
    private final KafkaChainStore store = KafkaChainStore.restore(WINDOW, StateChangelog.Snapshot.empty());
    private final List<StateChangelog.Change> topic = new ArrayList<>();

    /** The store as a task would rebuild it from the topic now, checked equal to the reference. */
    private void checkRestorable() {
        topic.addAll(store.drain());
        StateChangelog.Replay replay = new StateChangelog.Replay("t.state");
        for (int i = 0; i < topic.size(); i++) {
            replay.apply(i, topic.get(i).key(), topic.get(i).value());
        }
        KafkaChainStore restored = KafkaChainStore.restore(WINDOW, replay.snapshot());
        for (ChainStore s : List.of(store, restored)) {
            assertThat(describe(s.window())).isEqualTo(describe(reference.window()));
            assertThat(s.base()).isEqualTo(reference.base());
            for (int k = 0; k < 40; k++) {
                byte[] key = {0, (byte) k, (byte) 0xff};
                assertThat(s.get(key)).as("key %d", k).isEqualTo(reference.get(key));
            }
            assertThat(s.get(b("count"))).isEqualTo(reference.get(b("count")));
        }
    }

    /** Entries as comparable text (StateUndo holds arrays, which records compare by identity). */
    private static List<String> describe(List<JournalEntry> window) {
        return window.stream().map(e -> e.height() + " " + e.hash() + " " + e.parentHash() + " " + e.messages() + " "
                + e.undo().stream().map(u -> new String(u.key(), StandardCharsets.ISO_8859_1) + "="
                        + (u.previousValue() == null ? "null" : new String(u.previousValue(), StandardCharsets.UTF_8)))
                        .toList() + " " + e.module()).toList();
    }

    private String commitBoth(String branch, long from, long to, String parent) {
        List<BlockResult> group = new ArrayList<>();
        InMemoryChainStore shadow = reference; // blocks of a group read the state before the group (enough here)
        for (long h = from; h <= to; h++) {
            BlockResult r = block(branch, h, parent, shadow);
            group.add(r);
            parent = r.hash();
        }
        reference.commit(group);
        store.commit(group);
        return parent;
    }

    @Test
    void restoredStoreEqualsTheStoreThroughCommitsPruningAndReverts() {
        String parent = commitBoth("a", 0, 0, "0".repeat(64));
        checkRestorable();
        parent = commitBoth("a", 1, 4, parent); // a group larger than the window
        checkRestorable();
        for (long h = 5; h <= 8; h++) {
            parent = commitBoth("a", h, h, parent);
            checkRestorable();
        }
        for (int i = 0; i < 2; i++) { // a reorg: two blocks undone
            assertThat(store.revertTip().height()).isEqualTo(reference.revertTip().height());
            checkRestorable();
        }
        parent = reference.tip().orElseThrow().hash();
        commitBoth("b", 7, 9, parent);
        checkRestorable();
        while (reference.tip().isPresent()) { // everything in the window undone: the base remains
            store.revertTip();
            reference.revertTip();
            checkRestorable();
        }
        assertThat(store.base()).isPresent();
    }

    @Test
    void aGroupWritesEachKeyOnce() {
        commitBoth("a", 0, 0, "0".repeat(64));
        checkRestorable();
        commitBoth("a", 1, 10, reference.tip().orElseThrow().hash()); // 10 blocks, each writing "count"
        List<StateChangelog.Change> group = store.drain();
        assertThat(group.stream().map(StateChangelog.Change::key).distinct().count()).as("keys written once")
                .isEqualTo(group.size());
        assertThat(group.stream().filter(c -> c.key().startsWith("j:") && c.value() != null)
                .map(StateChangelog.Change::key)).as("journal entries written: the group's (a group is kept whole)")
                .hasSize(10).doesNotContain("j:00000000000000000000");
        assertThat(group).filteredOn(c -> c.key().equals("s:" + java.util.Base64.getEncoder().encodeToString(b("count"))))
                .singleElement().extracting(StateChangelog.Change::value)
                .isEqualTo(java.util.Base64.getEncoder().encodeToString(reference.get(b("count"))));
        topic.addAll(group);
        checkRestorable(); // the deduplicated changelog restores the same store
    }

    @Test
    void aChangelogThatIsNotAChainIsRefusedNamingTheTopic() {
        String parent = commitBoth("a", 0, 2, "0".repeat(64));
        commitBoth("a", 3, 3, parent);
        List<StateChangelog.Change> changes = store.drain().stream()
                .filter(c -> !c.key().equals(String.format("j:%020d", 1))).toList(); // a hole in the window
        StateChangelog.Replay replay = new StateChangelog.Replay("t.state");
        for (int i = 0; i < changes.size(); i++) {
            replay.apply(i, changes.get(i).key(), changes.get(i).value());
        }
        assertThatThrownBy(replay::snapshot).hasMessageContaining("t.state").hasMessageContaining("journal entry 2");
        assertThatThrownBy(() -> new StateChangelog.Replay("t.state").apply(7, "x:1", "v"))
                .hasMessageContaining("t.state").hasMessageContaining("offset 7").hasMessageContaining("x:1");
    }
}
