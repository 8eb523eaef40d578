package dev.debshrew.sink;

import dev.debshrew.cdc.CdcMessage;
import java.util.List;
import java.util.Objects;

/**
 * The messages of one block, in order, and the cursor after it; or the inverse messages of the
 * undo of one block, whose cursor is then the undone block's parent. A message's index within its
 * block (used by output formats, e.g. Kafka's per-block {@code index}, the changelog's
 * {@code idx}) is its position in {@link #messages()}. A block without messages still moves the
 * cursor. Immutable.
 *
 * @param cursor   the cursor once this change is applied
 * @param messages the block's messages (or the undo's inverse messages), in order
 */
public record BlockChange(Cursor cursor, List<CdcMessage> messages) {

    public BlockChange {
        Objects.requireNonNull(cursor, "cursor");
        messages = List.copyOf(Objects.requireNonNull(messages, "messages"));
    }

    /** A block without messages: it only moves the cursor. */
    public static BlockChange empty(Cursor cursor) {
        return new BlockChange(cursor, List.of());
    }
}
