package dev.debshrew.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcFormatException;
import dev.debshrew.cdc.CdcMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Folds a stream of CDC messages into table state (table -> key -> row), strictly: a create of an
 * existing row, or an update/delete whose before-image differs from the current row, is an error.
 */
public final class TableFold {

    private final Map<String, Map<String, JsonNode>> tables = new TreeMap<>();
    private long applied;

    public static TableFold ofFile(Path jsonLines) throws IOException, CdcFormatException {
        TableFold fold = new TableFold();
        for (CdcMessage m : readFile(jsonLines)) {
            fold.apply(m);
        }
        return fold;
    }

    public static List<CdcMessage> readFile(Path jsonLines) throws IOException, CdcFormatException {
        CdcCodec codec = new CdcCodec();
        List<CdcMessage> out = new ArrayList<>();
        for (String line : Files.readAllLines(jsonLines)) {
            if (!line.isEmpty()) {
                out.add(codec.decode(line));
            }
        }
        return out;
    }

    public void apply(CdcMessage m) {
        Map<String, JsonNode> t = tables.computeIfAbsent(m.payload().table(), k -> new TreeMap<>());
        String key = m.payload().key();
        JsonNode current = t.get(key);
        switch (m.payload().operation()) {
            case CREATE -> {
                if (current != null) {
                    throw new IllegalStateException("create of existing row " + m.payload().table() + "/" + key);
                }
                t.put(key, m.payload().after());
            }
            case UPDATE -> {
                if (current == null || !current.equals(m.payload().before())) {
                    throw new IllegalStateException("update of " + m.payload().table() + "/" + key + " with before "
                            + m.payload().before() + " but the row is " + current);
                }
                t.put(key, m.payload().after());
            }
            case DELETE -> {
                if (current == null || !current.equals(m.payload().before())) {
                    throw new IllegalStateException("delete of " + m.payload().table() + "/" + key + " with before "
                            + m.payload().before() + " but the row is " + current);
                }
                t.remove(key);
            }
        }
        if (t.isEmpty()) {
            tables.remove(m.payload().table());
        }
        applied++;
    }

    public Map<String, Map<String, JsonNode>> tables() {
        return tables;
    }

    public long applied() {
        return applied;
    }

    public int rows(String table) {
        return tables.getOrDefault(table, Map.of()).size();
    }
}
