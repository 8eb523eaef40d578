package dev.debshrew.connect;

import com.fasterxml.jackson.databind.JsonNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Applies a CDC stream to tables, strictly: a create of a row that exists, an update or delete of a
 * row that does not, or an update whose {@code before} is not the row, fails, naming the message. Two
 * streams describing the same chain through different reorgs fold to the same tables; a message
 * delivered twice or lost does not fold, or folds to different tables.
 */
final class OutputFold {

    private static final CdcCodec CODEC = new CdcCodec();

    /** Rows ({@code table/key} -> the row's after image) and how many inverse messages were applied. */
    record Tables(Map<String, JsonNode> rows, int inverse) {
    }

    private OutputFold() {
    }

    static Tables fold(String what, List<CommittedTopic.Entry> records) throws Exception {
        Map<String, JsonNode> rows = new TreeMap<>();
        int inverse = 0;
        for (CommittedTopic.Entry r : records) {
            CdcMessage m = CODEC.decode(r.value().getBytes(StandardCharsets.UTF_8));
            String row = m.payload().table() + "/" + m.payload().key();
            JsonNode current = rows.get(row);
            boolean ok = switch (m.payload().operation()) {
                case CREATE -> current == null;
                case UPDATE, DELETE -> current != null && Objects.equals(current, m.payload().before());
            };
            if (!ok) {
                throw new AssertionError(what + ": message does not apply to row " + row + " (now " + current + "): "
                        + r.value());
            }
            switch (m.payload().operation()) {
                case CREATE, UPDATE -> rows.put(row, m.payload().after());
                case DELETE -> rows.remove(row);
            }
            if (m.header().inverse()) {
                inverse++;
            }
        }
        return new Tables(rows, inverse);
    }
}
