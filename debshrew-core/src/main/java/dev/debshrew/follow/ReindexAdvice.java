package dev.debshrew.follow;

import dev.debshrew.sink.Sink;
import dev.debshrew.sink.postgres.PostgresSink;
import dev.debshrew.sink.postgres.PostgresSinkConfig;
import java.util.List;

/**
 * What re-processing from a height below the journal window takes, per sink (what {@code rewind}
 * says instead of a bare refusal; docs/operations.md, "Re-indexing from a height").
 */
public final class ReindexAdvice {

    private ReindexAdvice() {
    }

    /** Whether {@code debshrew reindex} can take {@code sink} back below the window (materialized PostgreSQL). */
    public static boolean reindexable(Sink sink) {
        return sink instanceof PostgresSink pg && pg.config().mode() == PostgresSinkConfig.Mode.MATERIALIZED;
    }

    /** One sentence per sink on how to re-process from {@code from} (the first block to process again). */
    public static String belowWindow(List<Sink> sinks, long from) {
        StringBuilder sb = new StringBuilder("To re-process from block " + from + ":");
        for (Sink s : sinks) {
            sb.append(' ').append(s.name()).append(": ");
            if (reindexable(s)) {
                sb.append("'debshrew reindex --config FILE --from ").append(from).append("' deletes its rows written"
                        + " at or above ").append(from).append(", sets its cursor and the data directory to block ")
                        .append(from - 1).append(" (a transform without state only; one with state is re-indexed from"
                        + " start_height with a fresh data directory and emptied tables);");
            } else {
                sb.append("write a new output (new topics / file / events table) with a fresh data directory and"
                        + " start_height ").append(from).append(" (a transform with state: from its start_height);");
            }
        }
        return sb.append(" see docs/operations.md#re-indexing-from-a-height").toString();
    }
}
