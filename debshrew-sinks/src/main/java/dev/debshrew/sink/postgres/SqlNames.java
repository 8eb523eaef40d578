package dev.debshrew.sink.postgres;

import dev.debshrew.util.Hex;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Safe SQL identifiers from untrusted names (CDC table names are chosen by the transform).
 *
 * <p>Every identifier is double-quoted with embedded quotes doubled, so quotes, spaces, SQL text
 * and any Unicode are stored literally. The mapping name → identifier is injective, so no crafted
 * name can land in another name's table:
 * <ul>
 *   <li>a name that PostgreSQL can hold as it is (non-empty, at most 63 bytes of UTF-8, no NUL, no
 *       unpaired surrogate) and that does not contain {@value #MARKER} maps to itself;</li>
 *   <li>every other name maps to a readable prefix of it (NUL and unpaired surrogates shown as
 *       {@code _}), then {@value #MARKER} and 16 hex digits of the SHA-256 of the name's UTF-16 code
 *       units, cut to fit 63 bytes.</li>
 * </ul>
 * Names of the first kind never contain {@value #MARKER} and names of the second kind always do,
 * so the two kinds never meet; two names of the second kind share an identifier only if their
 * 64-bit hashes collide (a second preimage of SHA-256 truncated to 64 bits).
 */
final class SqlNames {

    static final int MAX_IDENTIFIER_BYTES = 63;
    /** Separates the readable part from the hash in escaped names; never in a name kept as it is. */
    static final char MARKER = '~';
    private static final int HASH_HEX_DIGITS = 16;

    private SqlNames() {
    }

    /** The PostgreSQL identifier (unquoted) under which {@code name} is stored. */
    static String identifier(String name) {
        boolean wellFormed = name.equals(new String(name.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
        if (wellFormed && !name.isEmpty() && name.indexOf('\0') < 0 && name.indexOf(MARKER) < 0
                && utf8Length(name) <= MAX_IDENTIFIER_BYTES) {
            return name;
        }
        int budget = MAX_IDENTIFIER_BYTES - 1 - HASH_HEX_DIGITS;
        StringBuilder sb = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == 0 || Character.isSurrogate((char) cp) && Character.charCount(cp) == 1) {
                cp = '_';
            }
            int len = utf8Length(new String(Character.toChars(cp)));
            if (bytes + len > budget) {
                break;
            }
            sb.appendCodePoint(cp);
            bytes += len;
        }
        return sb.append(MARKER).append(hash16(name)).toString();
    }

    /** 16 hex digits of the SHA-256 of the name's UTF-16 code units (defined for any Java string). */
    private static String hash16(String name) {
        byte[] units = new byte[name.length() * 2];
        for (int i = 0; i < name.length(); i++) {
            units[2 * i] = (byte) (name.charAt(i) >> 8);
            units[2 * i + 1] = (byte) name.charAt(i);
        }
        return Hex.encode(Arrays.copyOf(sha256(units), HASH_HEX_DIGITS / 2));
    }

    /** {@code "name"} with embedded double quotes doubled. */
    static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** {@code "schema"."table"}. */
    static String qualified(String schema, String table) {
        return quote(schema) + "." + quote(table);
    }

    static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The advisory lock key of a pipeline: the first 8 bytes (big-endian) of
     * SHA-256("debshrew:" + pipeline), as a signed bigint.
     */
    static long advisoryLockKey(String pipeline) {
        byte[] d = sha256(("debshrew:" + pipeline).getBytes(StandardCharsets.UTF_8));
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (d[i] & 0xff);
        }
        return v;
    }
}
