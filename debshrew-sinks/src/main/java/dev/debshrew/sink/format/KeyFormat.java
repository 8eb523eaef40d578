package dev.debshrew.sink.format;

import dev.debshrew.cdc.CdcMessage;
import java.nio.charset.StandardCharsets;

/** How the record key (Kafka message key) of a CDC message is formed. Keys are UTF-8 strings. */
public enum KeyFormat {
    /** The row key, {@code payload.key} (default; as the original debshrew). */
    KEY,
    /**
     * {@code <table>:<key>}, for topics that carry several tables. In the table name {@code %} is
     * written {@code %25} and {@code :} {@code %3A}, so the first {@code :} always ends the table
     * and distinct (table, key) pairs never share a key; ordinary table names appear as they are.
     */
    TABLE_KEY;

    /** The key as a string. */
    public String key(CdcMessage m) {
        return switch (this) {
            case KEY -> m.payload().key();
            case TABLE_KEY -> m.payload().table().replace("%", "%25").replace(":", "%3A") + ":" + m.payload().key();
        };
    }

    /** The key as UTF-8 bytes. */
    public byte[] keyBytes(CdcMessage m) {
        return key(m).getBytes(StandardCharsets.UTF_8);
    }
}
