package dev.debshrew.connect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.journal.InMemoryChainStore;
import dev.debshrew.journal.JournalEntry;
import dev.debshrew.journal.StateUndo;
import dev.debshrew.sink.Cursor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The changelog topic's records: the state and the reorg window of one pipeline as a compacted
 * topic of string keys and values (the connector's records go through {@code StringConverter}):
 *
 * <ul>
 *   <li>{@code s:<base64 key>} → base64 value: one state entry; a tombstone (null) deletes it;</li>
 *   <li>{@code j:<height, 20 digits>} → the journal entry as JSON (messages in the native CDC JSON,
 *       undo records in base64); a tombstone when it leaves the window;</li>
 *   <li>{@code b} → {@code <height>:<hash>}, the block below the window; a tombstone for none.</li>
 * </ul>
 *
 * Replaying the topic in offset order (compacted or not) gives the store the last committed
 * transaction left ({@link Replay}, {@link Snapshot}).
 *
 * <p>The records are Connect strings, so they read back under every converter the connector allows
 * ({@link #text}): {@code StringConverter} writes them as they are, {@code JsonConverter} as a JSON
 * string ({@code schemas.enable=false}) or as {@code {"schema":..,"payload":"..."}} (true); a
 * tombstone is a null value under all three.
 */
final class StateChangelog {

    /** One changelog record; a null value is a tombstone. */
    record Change(String key, String value) {
    }

    private static final ObjectMapper JSON = CdcCodec.mapper();
    private static final CdcCodec CODEC = new CdcCodec();
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final Base64.Decoder B64D = Base64.getDecoder();
    private static final String BASE = "b";

    private StateChangelog() {
    }

    static Change state(byte[] key, byte[] value) {
        return new Change("s:" + B64.encodeToString(key), value == null ? null : B64.encodeToString(value));
    }

    static Change journal(JournalEntry e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("height", e.height()).put("hash", e.hash()).put("parent", e.parentHash()).put("module", e.module());
        ArrayNode messages = n.putArray("messages");
        for (CdcMessage m : e.messages()) {
            messages.add(CODEC.encode(m));
        }
        ArrayNode undo = n.putArray("undo");
        for (StateUndo u : e.undo()) {
            undo.addObject().put("k", B64.encodeToString(u.key()))
                    .put("v", u.previousValue() == null ? null : B64.encodeToString(u.previousValue()));
        }
        return new Change(journalKey(e.height()), n.toString());
    }

    static Change pruned(long height) {
        return new Change(journalKey(height), null);
    }

    static Change base(Cursor base) {
        return new Change(BASE, base == null ? null : base.height() + ":" + base.hash());
    }

    private static String journalKey(long height) {
        return String.format("j:%020d", height);
    }

    /**
     * The string a converter wrote as {@code bytes}: a JSON string (JsonConverter without schemas), the
     * payload of a {@code {"schema":..,"payload":..}} envelope (JsonConverter with schemas), or the bytes
     * themselves (StringConverter). Unambiguous: a changelog key or value as written by StringConverter
     * never starts with a quote, and the only ones that start with a brace (journal entries) have no
     * {@code schema} field.
     */
    static String text(byte[] bytes) throws java.io.IOException {
        if (bytes == null) {
            return null;
        }
        String s = new String(bytes, StandardCharsets.UTF_8);
        if (s.startsWith("\"")) {
            return JSON.readTree(s).textValue();
        }
        if (s.startsWith("{")) {
            JsonNode n = JSON.readTree(s);
            if (n.size() == 2 && n.has("schema") && n.has("payload")) {
                JsonNode payload = n.get("payload");
                if (!payload.isNull() && !payload.isTextual()) {
                    throw new IllegalArgumentException("the payload is not a string");
                }
                return payload.isNull() ? null : payload.textValue();
            }
        }
        return s;
    }

    /** What the changelog holds: state, window (oldest first) and base. */
    record Snapshot(Map<ByteBuffer, byte[]> state, List<JournalEntry> window, Cursor base) {

        static Snapshot empty() {
            return new Snapshot(Map.of(), List.of(), null);
        }
    }

    /** Where a replay's state writes go (a null value deletes the key). */
    interface StateWriter {
        void put(byte[] key, byte[] value);
    }

    /**
     * Accumulates changelog records in offset order into a {@link Snapshot}: state writes into a map
     * of its own (the whole state on the heap) or, given a {@link StateWriter}, straight to it (the
     * snapshot's state is then empty); the window and its base are kept here (a window's worth).
     */
    static final class Replay {
        private final String topic;
        private final Map<ByteBuffer, byte[]> state = new HashMap<>();
        private final StateWriter writer;
        private final TreeMap<Long, JournalEntry> journal = new TreeMap<>();
        private Cursor base;

        Replay(String topic) {
            this(topic, null, List.of(), null);
        }

        /**
         * A replay whose state writes go to {@code writer}, starting from {@code window} and
         * {@code base} (those of a local store the records that follow apply to; empty and null for
         * a replay from the beginning).
         */
        Replay(String topic, StateWriter writer, List<JournalEntry> window, Cursor base) {
            this.topic = topic;
            this.writer = writer;
            for (JournalEntry e : window) {
                journal.put(e.height(), e);
            }
            this.base = base;
        }

        /** Applies one record as the converter wrote it ({@link #text}); throws naming the topic and offset. */
        void apply(long offset, byte[] key, byte[] value) {
            String k;
            String v;
            try {
                k = text(key);
                v = text(value);
            } catch (java.io.IOException | RuntimeException e) {
                throw new IllegalStateException("state changelog topic '" + topic + "': cannot read the record at"
                        + " offset " + offset + ": " + e.getMessage() + "; the topic must hold only this connector's"
                        + " changelog", e);
            }
            if (k == null) {
                throw new IllegalStateException("state changelog topic '" + topic + "': the record at offset " + offset
                        + " has no key; the topic must hold only this connector's changelog");
            }
            apply(offset, k, v);
        }

        /** Applies one record; throws naming the topic, offset and key on a record it cannot read. */
        void apply(long offset, String key, String value) {
            try {
                if (key.startsWith("s:")) {
                    byte[] k = B64D.decode(key.substring(2));
                    byte[] v = value == null ? null : B64D.decode(value);
                    if (writer != null) {
                        writer.put(k, v);
                    } else if (v == null) {
                        state.remove(ByteBuffer.wrap(k));
                    } else {
                        state.put(ByteBuffer.wrap(k), v);
                    }
                } else if (key.startsWith("j:")) {
                    long height = Long.parseLong(key.substring(2));
                    if (value == null) {
                        journal.remove(height);
                    } else {
                        journal.put(height, entry(value));
                    }
                } else if (key.equals(BASE)) {
                    base = value == null ? null : cursor(value);
                } else {
                    throw new IllegalArgumentException("unknown key");
                }
            } catch (dev.debshrew.journal.StateStoreException e) {
                throw e; // the local cache failed, not the record
            } catch (RuntimeException | java.io.IOException | dev.debshrew.cdc.CdcFormatException e) {
                throw new IllegalStateException("state changelog topic '" + topic + "': cannot read the record at"
                        + " offset " + offset + " (key '" + key + "'): " + e.getMessage()
                        + "; the topic must hold only this connector's changelog", e);
            }
        }

        /** The snapshot; checks that the window is a chain above the base. */
        Snapshot snapshot() {
            List<JournalEntry> window = new ArrayList<>(journal.values());
            try {
                InMemoryChainStore.of(Math.max(1, window.size()), Map.of(), window, base);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("state changelog topic '" + topic + "': " + e.getMessage()
                        + "; the topic is not a committed changelog of this connector", e);
            }
            return new Snapshot(state, window, base);
        }

        private static JournalEntry entry(String value) throws java.io.IOException,
                dev.debshrew.cdc.CdcFormatException {
            JsonNode n = JSON.readTree(value);
            List<CdcMessage> messages = new ArrayList<>();
            for (JsonNode m : n.get("messages")) {
                messages.add(CODEC.decode(m.asText().getBytes(StandardCharsets.UTF_8)));
            }
            List<StateUndo> undo = new ArrayList<>();
            for (JsonNode u : n.get("undo")) {
                JsonNode v = u.get("v");
                undo.add(new StateUndo(B64D.decode(u.get("k").asText()),
                        v == null || v.isNull() ? null : B64D.decode(v.asText())));
            }
            JsonNode module = n.get("module");
            return new JournalEntry(n.get("height").asLong(), n.get("hash").asText(), n.get("parent").asText(),
                    messages, undo, module == null || module.isNull() ? null : module.asText());
        }

        private static Cursor cursor(String value) {
            int colon = value.indexOf(':');
            return new Cursor(Long.parseLong(value.substring(0, colon)), value.substring(colon + 1));
        }
    }
}
