package dev.debshrew.sink;

import dev.debshrew.cdc.CdcMessage;
import java.util.List;

/** TEMPORARY placeholder until the sinks branch lands. */
public record BlockChange(Cursor cursor, List<CdcMessage> messages) {
    public BlockChange {
        messages = List.copyOf(messages);
    }
}
