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
import dev.debshrew.journal.RocksChainStore;
import dev.debshrew.transform.StateChanges;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Kafka-backed store against the in-memory one, operation for operation, and its changelog: a
 * store restored from the changelog records it emitted (in order, as a {@code read_committed}
 * consumer replays the topic) equals the store that emitted them, at every step. Run over both
 * local caches: the heap and RocksDB ({@link LocalCache}: restored whole into a fresh directory, and
 * by tail from the checkpoint a clean stop left after the previous step).
 */
class KafkaChainStoreTest {

    /** The local cache under the Kafka-backed store. */
    enum Cache { MEMORY, ROCKSDB }

    @TempDir
    Path dir;
    private Cache cache;
    private KafkaChainStore store;
    private int restores;


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
    private final ListChangelog changelog = new ListChangelog("t.state", "id-1");
    private final List<StateChangelog.Change> topic = changelog.records;

    private void start(Cache c) {
        cache = c;
        store = c == Cache.MEMORY ? KafkaChainStore.restore(WINDOW, StateChangelog.Snapshot.empty())
                : KafkaChainStore.over(RocksChainStore.open(dir.resolve("live"), WINDOW));
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    /** The stores a task would rebuild from the topic now (closed by the caller). */
    private List<KafkaChainStore> restored() {
        if (cache == Cache.MEMORY) {
            StateChangelog.Replay replay = new StateChangelog.Replay("t.state");
            for (int i = 0; i < topic.size(); i++) {
                replay.apply(i, topic.get(i).key(), topic.get(i).value());
            }
            return List.of(KafkaChainStore.restore(WINDOW, replay.snapshot()));
        }
        List<KafkaChainStore> out = new ArrayList<>();
        try (LocalCache fresh = LocalCache.acquire(dir.resolve("full-" + restores++), Duration.ofSeconds(5))) {
            out.add(fresh.open(changelog, WINDOW));
            assertThat(fresh.restored().tail()).isFalse();
        }
        kept = LocalCache.acquire(dir.resolve("kept"), Duration.ofSeconds(5));
        out.add(kept.open(changelog, WINDOW));
        assertThat(kept.restored().tail()).as("a tail after the first restore").isEqualTo(restores > 1);
        assertThat(kept.restored().from()).isEqualTo(restores > 1 ? keptAt : 0);
        return out;
    }

    /** The cache restored by tail at each step (checkpointed after the comparison, as a clean stop). */
    private LocalCache kept;
    private long keptAt;

    /** The store as a task would rebuild it from the topic now, checked equal to the reference. */
    private void checkRestorable() {
        topic.addAll(store.drain());
        List<KafkaChainStore> restored = restored();
        List<ChainStore> all = new ArrayList<>(restored);
        all.add(0, store);
        try {
            compare(all);
        } finally {
            restored.forEach(KafkaChainStore::close);
            if (kept != null) {
                keptAt = changelog.position().end();
                kept.checkpoint();
                kept.close();
                kept = null;
            }
        }
    }

    private void compare(List<ChainStore> stores) {
        for (ChainStore s : stores) {
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

    @ParameterizedTest
    @EnumSource(Cache.class)
    void restoredStoreEqualsTheStoreThroughCommitsPruningAndReverts(Cache kind) {
        start(kind);
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

    @ParameterizedTest
    @EnumSource(Cache.class)
    void aGroupWritesEachKeyOnce(Cache kind) {
        start(kind);
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
        start(Cache.MEMORY);
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
