package dev.debshrew.cdc;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the messages that undo a block's messages on a reorg.
 *
 * <table>
 *   <caption>Inversion rules</caption>
 *   <tr><th>original</th><th>inverse</th><th>before</th><th>after</th></tr>
 *   <tr><td>create</td><td>delete</td><td>original after</td><td>none</td></tr>
 *   <tr><td>update</td><td>update</td><td>original after</td><td>original before</td></tr>
 *   <tr><td>delete</td><td>create</td><td>none</td><td>original before</td></tr>
 * </table>
 *
 * <p>The inverse header keeps source, transaction id, table and key; its {@code block_height} is
 * the undone height - 1 (as the original debshrew did), its {@code block_hash} is the hash of the
 * block at that height on the orphaned branch (so height and hash together name the state the
 * table returns to), its timestamp is the time of the undo, and it is marked {@code inverse}.
 */
public final class Inversion {

    private Inversion() {
    }

    /**
     * The message that undoes {@code original}.
     *
     * @param parentHash hash of the block at {@code original.header().blockHeight() - 1}
     * @param nowMillis  timestamp for the inverse message
     */
    public static CdcMessage invert(CdcMessage original, String parentHash, long nowMillis) {
        CdcHeader h = original.header();
        CdcPayload p = original.payload();
        CdcPayload inverted = switch (p.operation()) {
            case CREATE -> new CdcPayload(Operation.DELETE, p.table(), p.key(), p.after(), null);
            case UPDATE -> new CdcPayload(Operation.UPDATE, p.table(), p.key(), p.after(), p.before());
            case DELETE -> new CdcPayload(Operation.CREATE, p.table(), p.key(), null, p.before());
        };
        CdcHeader header = new CdcHeader(
                h.source(), nowMillis, Math.max(0, h.blockHeight() - 1), parentHash, h.transactionId(), true);
        return new CdcMessage(header, inverted);
    }

    /**
     * Inverts all messages of one block, in reverse order (last change undone first).
     *
     * @param blockMessages the block's messages in emission order
     * @param parentHash    hash of the block's parent
     */
    public static List<CdcMessage> invertBlock(List<CdcMessage> blockMessages, String parentHash, long nowMillis) {
        List<CdcMessage> out = new ArrayList<>(blockMessages.size());
        for (int i = blockMessages.size() - 1; i >= 0; i--) {
            out.add(invert(blockMessages.get(i), parentHash, nowMillis));
        }
        return out;
    }
}
