package dev.debshrew.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcFormatException;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.transform.StateChanges;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** Helpers shared by the journal tests. */
final class StoreTesting {

    static final CdcCodec CODEC = new CdcCodec();

    private StoreTesting() {
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String s(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /** A 64-hex-digit hash derived from a label. */
    static String hash(String label) {
        byte[] h = new byte[32];
        byte[] l = b(label);
        for (int i = 0; i < 32; i++) {
            h[i] = (byte) (l[i % l.length] * 31 + i * 7 + l.length);
        }
        return HexFormat.of().formatHex(h);
    }

    static CdcMessage message(long height, String hash, int i) {
        String json = switch (i % 3) {
            case 0 -> "{\"header\":{\"source\":\"t\",\"timestamp\":" + (1_700_000_000_000L + height) + ",\"block_height\":"
                    + height + ",\"block_hash\":\"" + hash + "\"},\"payload\":{\"operation\":\"create\",\"table\":\"rows\","
                    + "\"key\":\"" + height + "-" + i + "\",\"after\":{\"v\":" + i + ",\"s\":\"\u00e9\\\"x\"}}}";
            case 1 -> "{\"header\":{\"source\":\"t\",\"timestamp\":1,\"block_height\":" + height + ",\"block_hash\":\"" + hash
                    + "\",\"transaction_id\":\"tx" + i + "\"},\"payload\":{\"operation\":\"update\",\"table\":\"rows\","
                    + "\"key\":\"k" + i + "\",\"before\":{\"v\":[1,2.5,null]},\"after\":{\"v\":true}}}";
            default -> "{\"header\":{\"source\":\"t\",\"timestamp\":2,\"block_height\":" + height + ",\"block_hash\":\"" + hash
                    + "\",\"inverse\":true},\"payload\":{\"operation\":\"delete\",\"table\":\"other\",\"key\":\"k" + i
                    + "\",\"before\":\"plain\"}}";
        };
        try {
            return CODEC.decode(json);
        } catch (CdcFormatException e) {
            throw new AssertionError(e);
        }
    }

    static List<CdcMessage> messages(long height, String hash, int n) {
        List<CdcMessage> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(message(height, hash, i));
        }
        return out;
    }

    static StateChanges changes(Object... keyValues) {
        StateChanges c = new StateChanges();
        for (int i = 0; i < keyValues.length; i += 2) {
            String k = (String) keyValues[i];
            String v = (String) keyValues[i + 1];
            if (v == null) {
                c.delete(b(k));
            } else {
                c.put(b(k), b(v));
            }
        }
        return c;
    }

    /** Random state changes over a small key space (repeats and deletes of absent keys included). */
    static StateChanges randomChanges(Random rnd, int keySpace, int maxChanges) {
        StateChanges c = new StateChanges();
        int n = rnd.nextInt(maxChanges + 1);
        for (int i = 0; i < n; i++) {
            byte[] key = b("key-" + rnd.nextInt(keySpace));
            if (rnd.nextInt(4) == 0) {
                c.delete(key);
            } else {
                byte[] v = new byte[rnd.nextInt(12)];
                rnd.nextBytes(v);
                c.put(key, v);
            }
        }
        return c;
    }

    /** Applies changes to a model map keyed by the UTF-8 string of the key. */
    static void apply(Map<String, byte[]> model, StateChanges changes) {
        for (StateChanges.Entry e : changes.entries()) {
            if (e.value() == null) {
                model.remove(s(e.key()));
            } else {
                model.put(s(e.key()), e.value().clone());
            }
        }
    }

    static void assertStateEquals(ChainStore store, Map<String, byte[]> model, int keySpace) {
        Map<String, String> actual = new TreeMap<>();
        Map<String, String> expected = new TreeMap<>();
        for (int k = 0; k < keySpace; k++) {
            String key = "key-" + k;
            byte[] a = store.get(b(key));
            byte[] e = model.get(key);
            actual.put(key, a == null ? "<absent>" : HexFormat.of().formatHex(a));
            expected.put(key, e == null ? "<absent>" : HexFormat.of().formatHex(e));
        }
        if (!actual.equals(expected)) {
            assertThat(actual).as("state of %s", store).isEqualTo(expected);
        }
    }

    /** Field-by-field equality (records with byte arrays and JSON trees do not compare by value). */
    static void assertSameEntry(JournalEntry actual, JournalEntry expected) {
        assertThat(actual.height()).isEqualTo(expected.height());
        assertThat(actual.hash()).isEqualTo(expected.hash());
        assertThat(actual.parentHash()).isEqualTo(expected.parentHash());
        assertThat(actual.messages().stream().map(CODEC::encode).toList())
                .isEqualTo(expected.messages().stream().map(CODEC::encode).toList());
        assertThat(actual.messages()).isEqualTo(expected.messages());
        assertThat(actual.undo()).hasSameSizeAs(expected.undo());
        for (int i = 0; i < actual.undo().size(); i++) {
            assertThat(actual.undo().get(i).key()).as("undo %d key", i).isEqualTo(expected.undo().get(i).key());
            assertThat(actual.undo().get(i).previousValue()).as("undo %d previous value", i)
                    .isEqualTo(expected.undo().get(i).previousValue());
        }
    }

    static void assertSameWindow(List<JournalEntry> actual, List<JournalEntry> expected) {
        assertThat(actual.stream().map(JournalEntry::height).toList())
                .isEqualTo(expected.stream().map(JournalEntry::height).toList());
        for (int i = 0; i < actual.size(); i++) {
            assertSameEntry(actual.get(i), expected.get(i));
        }
    }
}
