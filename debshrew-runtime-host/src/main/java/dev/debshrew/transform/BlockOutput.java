package dev.debshrew.transform;

import dev.debshrew.cdc.CdcMessage;
import java.util.List;
import java.util.Objects;

/**
 * Everything a transform produced for one block: its validated CDC messages, in guest order, and
 * the state writes it made. Only returned when the whole block succeeded.
 *
 * @param messages the validated messages (immutable; empty when the guest returned 0)
 * @param stateChanges the block's state writes, to be committed atomically with the block
 */
public record BlockOutput(List<CdcMessage> messages, StateChanges stateChanges) {

    /** Copies {@code messages} into an immutable list. */
    public BlockOutput {
        messages = List.copyOf(messages);
        Objects.requireNonNull(stateChanges, "stateChanges");
    }
}
