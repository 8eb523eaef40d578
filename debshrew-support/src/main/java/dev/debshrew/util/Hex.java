package dev.debshrew.util;

/** Lowercase hexadecimal encoding and decoding, with optional {@code 0x} prefix on input. */
public final class Hex {

    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private Hex() {
    }

    /** Lowercase hex of {@code bytes}, no prefix. */
    public static String encode(byte[] bytes) {
        char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = DIGITS[(bytes[i] >> 4) & 0xf];
            out[2 * i + 1] = DIGITS[bytes[i] & 0xf];
        }
        return new String(out);
    }

    /** Removes a leading {@code 0x} or {@code 0X} if present. */
    public static String strip0x(String hex) {
        if (hex.length() >= 2 && hex.charAt(0) == '0' && (hex.charAt(1) == 'x' || hex.charAt(1) == 'X')) {
            return hex.substring(2);
        }
        return hex;
    }

    /**
     * Decodes hex (upper or lower case, optional {@code 0x}).
     *
     * @throws IllegalArgumentException on odd length or a non-hex character, naming its position
     */
    public static byte[] decode(String hex) {
        String s = strip0x(hex);
        if ((s.length() & 1) != 0) {
            throw new IllegalArgumentException("hex string has odd length " + s.length());
        }
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            int hi = Character.digit(s.charAt(2 * i), 16);
            int lo = Character.digit(s.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                throw new IllegalArgumentException("invalid hex character at position " + (hi < 0 ? 2 * i : 2 * i + 1));
            }
            out[i] = (byte) ((hi << 4) | lo);
        }
        return out;
    }
}
