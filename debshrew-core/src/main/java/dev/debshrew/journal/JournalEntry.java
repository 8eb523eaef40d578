package dev.debshrew.journal;

import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.sink.Cursor;
import java.util.List;

/**
 * One processed block kept in the reorg window: enough to recognise it on the node (hash and
 * parent link) and to undo it exactly (its messages, to be inverted, and the state undo records).
 *
 * @param height     block height
 * @param hash       block hash (lowercase hex, display order)
 * @param parentHash hash of the block at {@code height - 1} on the same branch
 * @param messages   the block's CDC messages in emission order
 * @param undo       the block's state undo records, in write order
 * @param module     SHA-256 (hex) of the transform module that produced the block (hot reload changes it
 *                   between blocks); null for blocks recorded before modules were tracked per block
 */
public record JournalEntry(long height, String hash, String parentHash, List<CdcMessage> messages, List<StateUndo> undo,
        String module) {

    public JournalEntry {
        messages = List.copyOf(messages);
        undo = List.copyOf(undo);
    }

    /** An entry whose module is not known. */
    public JournalEntry(long height, String hash, String parentHash, List<CdcMessage> messages, List<StateUndo> undo) {
        this(height, hash, parentHash, messages, undo, null);
    }

    /** The block below this one ({@code height - 1}, {@code parentHash}), or null for block 0. */
    public Cursor parentCursor() {
        return height == 0 ? null : new Cursor(height - 1, parentHash);
    }
}
