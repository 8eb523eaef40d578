package dev.debshrew.follow;

import com.fasterxml.jackson.databind.JsonNode;
import dev.debshrew.cdc.CdcMessage;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Forms commit groups from accepted blocks. A block deeper than the reorg window below the node's
 * tip is final (no reorg the daemon survives can take it away), so final blocks are collected into
 * groups bounded by blocks, messages, bytes and time, each committed as one store write and one
 * sink transaction; a block within the window is committed on its own, as soon as it is accepted,
 * so live blocks reach the sinks without delay and undoing a reorg never splits a group.
 */
final class CommitGroups {

    private final EngineSettings settings;
    private final CommitStage stage;
    private List<CommitStage.Accepted> group = new ArrayList<>();
    private long messages;
    private long bytes;
    private long startedNanos;

    CommitGroups(EngineSettings settings, CommitStage stage) {
        this.settings = settings;
        this.stage = stage;
    }

    /** Adds an accepted block; {@code isFinal}: deeper than the reorg window below the node's tip. */
    void add(CommitStage.Accepted block, boolean isFinal) throws PipelineException, StopRequested {
        if (!isFinal) {
            flush();
            stage.submit(List.of(block));
            return;
        }
        if (group.isEmpty()) {
            startedNanos = System.nanoTime();
        }
        group.add(block);
        messages += block.result().messages().size();
        for (CdcMessage m : block.result().messages()) {
            bytes += approximateBytes(m);
        }
        if (group.size() >= settings.effectiveGroupBlocks() || messages >= settings.groupMaxMessages()
                || bytes >= settings.groupMaxBytes()) {
            flush();
        } else {
            flushIfOld();
        }
    }

    /** Submits the group when it has collected blocks for {@link EngineSettings#groupMaxTime()}. */
    void flushIfOld() throws PipelineException, StopRequested {
        if (!group.isEmpty() && System.nanoTime() - startedNanos >= settings.groupMaxTime().toNanos()) {
            flush();
        }
    }

    /** Submits the blocks collected so far as one group (nothing when there are none). */
    void flush() throws PipelineException, StopRequested {
        if (group.isEmpty()) {
            return;
        }
        List<CommitStage.Accepted> g = group;
        group = new ArrayList<>();
        messages = 0;
        bytes = 0;
        stage.submit(g);
    }


    /** The size of a message's JSON, approximately (strings and names by length, other values 8 bytes). */
    static long approximateBytes(CdcMessage m) {
        return 160 + m.payload().table().length() + m.payload().key().length() + nodeBytes(m.payload().before())
                + nodeBytes(m.payload().after());
    }

    private static long nodeBytes(JsonNode n) {
        if (n == null) {
            return 0;
        }
        if (n.isTextual()) {
            return n.textValue().length() + 2;
        }
        if (n.isObject()) {
            long sum = 2;
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                sum += e.getKey().length() + 4 + nodeBytes(e.getValue());
            }
            return sum;
        }
        if (n.isArray()) {
            long sum = 2;
            for (JsonNode c : n) {
                sum += 1 + nodeBytes(c);
            }
            return sum;
        }
        return 8;
    }
}
