package dev.debshrew.cdc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * Payload of a CDC message: which row changed and how.
 *
 * @param operation create, update or delete
 * @param table     table name (non-empty; untrusted, chosen by the transform)
 * @param key       the row's primary key (non-empty)
 * @param before    row before the change, {@code null} when absent (create)
 * @param after     row after the change, {@code null} when absent (delete)
 */
public record CdcPayload(Operation operation, String table, String key, JsonNode before, JsonNode after) {

    public CdcPayload {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(key, "key");
    }
}
