package dev.debshrew.cdc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Rejects the NUL character (U+0000) anywhere in a CDC message: table, key, header strings, and
 * every string and object key inside {@code before} / {@code after}.
 *
 * <p>PostgreSQL {@code text} and {@code jsonb} cannot hold NUL, and a sink that silently strips or
 * replaces it would make the outputs of different sinks disagree. So a message containing NUL is
 * invalid transform output, rejected once, where transform output is decoded, before any sink
 * sees it: every sink behaves the same (the block fails as a transform failure). Transforms that
 * carry arbitrary decoded bytes (e.g. Bitcoin inscriptions) must strip or escape NUL themselves.
 */
final class NulCheck {

    private static final int MAX_SHOWN = 40;

    private NulCheck() {
    }

    /**
     * @param message the message's JSON object (already checked to be an object)
     * @param where   prefix of the error, e.g. {@code message[3]}
     * @throws CdcFormatException naming the field path of the first NUL, the table and the key
     */
    static void check(JsonNode message, String where) throws CdcFormatException {
        String path = find(message, "");
        if (path == null) {
            return;
        }
        JsonNode payload = message.path("payload");
        throw new CdcFormatException(where + path + ": contains the NUL character (U+0000), which no sink can store"
                + " consistently (message of table " + show(payload.path("table")) + ", key "
                + show(payload.path("key")) + "); the transform must strip or escape NUL characters");
    }

    /** The path of the first NUL in {@code node} (an object key or a string value), or null. */
    private static String find(JsonNode node, String path) {
        if (node.isTextual()) {
            return node.textValue().indexOf('\0') >= 0 ? path : null;
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String child = path + "." + e.getKey();
                if (e.getKey().indexOf('\0') >= 0) {
                    return path + " (object key " + show(e.getKey()) + ")";
                }
                String found = find(e.getValue(), child);
                if (found != null) {
                    return found;
                }
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String found = find(node.get(i), path + "[" + i + "]");
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static String show(JsonNode n) {
        return n.isTextual() ? show(n.textValue()) : n.isMissingNode() ? "(missing)" : n.toString();
    }

    /** The string quoted, NUL shown as {@code \u0000}, cut to a readable length. */
    private static String show(String s) {
        String cut = s.length() > MAX_SHOWN ? s.substring(0, MAX_SHOWN) + "..." : s;
        return "'" + cut.replace("\0", "\\u0000") + "'";
    }
}
