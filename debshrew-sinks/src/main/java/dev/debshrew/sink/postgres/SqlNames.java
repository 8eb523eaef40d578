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
 * and any Unicode are stored literally. PostgreSQL identifiers hold at most 63 bytes and no NUL
 * (and would be truncated silently): a name that is too long, contains NUL or is not valid UTF-16
 * is cut to fit and suffixed with {@code _} and the first 8 hex digits of the SHA-256 of the full
 * name, so the mapping is deterministic and distinct long names do not collide.
 */
final class SqlNames {

    static final int MAX_IDENTIFIER_BYTES = 63;
    private static final int HASH_SUFFIX_BYTES = 9;

    private SqlNames() {
    }

    /** The PostgreSQL identifier (unquoted) under which {@code name} is stored. */
    static String identifier(String name) {
        boolean wellFormed = name.equals(new String(name.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
        if (wellFormed && name.indexOf('\0') < 0 && !name.isEmpty()
                && utf8Length(name) <= MAX_IDENTIFIER_BYTES) {
            return name;
        }
        String clean = wellFormed ? name.replace('\0', '_') : "_";
        StringBuilder sb = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < clean.length(); ) {
            int cp = clean.codePointAt(i);
            int len = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + len > MAX_IDENTIFIER_BYTES - HASH_SUFFIX_BYTES) {
                break;
            }
            sb.appendCodePoint(cp);
            bytes += len;
            i += Character.charCount(cp);
        }
        return sb.append('_').append(hash8(name)).toString();
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

    static String hash8(String s) {
        return Hex.encode(Arrays.copyOf(sha256(s), 4));
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The advisory lock key of a pipeline: the first 8 bytes (big-endian) of
     * SHA-256("debshrew:" + pipeline), as a signed bigint.
     */
    static long advisoryLockKey(String pipeline) {
        byte[] d = sha256("debshrew:" + pipeline);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (d[i] & 0xff);
        }
        return v;
    }
}
