package dev.debshrew.journal;

import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.transform.StateChanges;
import java.util.List;
import java.util.Objects;

/**
 * What the transform produced for one block on its parent: the unit the engine hands to the
 * {@link ChainStore} (state changes plus journal entry) and to the sinks (messages plus cursor).
 *
 * @param height     block height
 * @param hash       block hash (lowercase hex, display order)
 * @param parentHash hash of the block at {@code height - 1} the block was computed on
 * @param messages   the block's CDC messages, in order
 * @param changes    the block's state writes, in order
 * @param module     SHA-256 (hex) of the transform module that produced the block; null: not known
 */
public record BlockResult(long height, String hash, String parentHash, List<CdcMessage> messages,
        StateChanges changes, String module) {

    /** A result whose module is not known. */
    public BlockResult(long height, String hash, String parentHash, List<CdcMessage> messages, StateChanges changes) {
        this(height, hash, parentHash, messages, changes, null);
    }

    public BlockResult {
        if (height < 0) {
            throw new IllegalArgumentException("negative block height " + height);
        }
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(parentHash, "parentHash");
        messages = List.copyOf(messages);
        Objects.requireNonNull(changes, "changes");
    }
}
