package dev.debshrew.connect;

import java.util.ArrayList;
import java.util.List;

/**
 * A changelog topic as the list of records a {@link KafkaChainStore} emitted, in offset order
 * (what a {@code read_committed} consumer of the compacted topic replays, compaction left aside),
 * for {@link LocalCache}; it records the offset each read started at.
 */
final class ListChangelog implements LocalCache.Source {

    /** The broker's default {@code delete.retention.ms}: one day. */
    static final long TOMBSTONE_RETENTION_MS = 86_400_000L;

    final List<StateChangelog.Change> records = new ArrayList<>();
    final List<Long> readsFrom = new ArrayList<>();
    private final String topic;
    private final String topicId;

    ListChangelog(String topic, String topicId) {
        this.topic = topic;
        this.topicId = topicId;
    }

    @Override
    public LocalCache.Position position() {
        return new LocalCache.Position(topic, topicId, 0, records.size(), TOMBSTONE_RETENTION_MS);
    }

    @Override
    public void read(long from, long to, StateChangelog.Replay replay) {
        readsFrom.add(from);
        for (long i = from; i < to; i++) {
            StateChangelog.Change c = records.get((int) i);
            replay.apply(i, c.key(), c.value());
        }
    }
}
