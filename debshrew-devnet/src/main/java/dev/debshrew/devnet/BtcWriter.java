package dev.debshrew.devnet;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Little-endian Bitcoin serialisation helpers and hashing for the devnet chain generator. */
final class BtcWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

    BtcWriter u8(int v) {
        out.write(v & 0xff);
        return this;
    }

    BtcWriter u32(long v) {
        for (int i = 0; i < 4; i++) {
            out.write((int) (v >>> (8 * i)) & 0xff);
        }
        return this;
    }

    BtcWriter u64(long v) {
        for (int i = 0; i < 8; i++) {
            out.write((int) (v >>> (8 * i)) & 0xff);
        }
        return this;
    }

    BtcWriter varint(long v) {
        if (v < 0xfd) {
            u8((int) v);
        } else if (v <= 0xffff) {
            u8(0xfd);
            u8((int) v);
            u8((int) (v >>> 8));
        } else if (v <= 0xffffffffL) {
            u8(0xfe);
            u32(v);
        } else {
            u8(0xff);
            u64(v);
        }
        return this;
    }

    BtcWriter bytes(byte[] b) {
        out.write(b, 0, b.length);
        return this;
    }

    /** Writes a varint length followed by the bytes. */
    BtcWriter varBytes(byte[] b) {
        varint(b.length);
        return bytes(b);
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    static byte[] sha256(byte[]... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) {
                md.update(p);
            }
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    static byte[] dsha256(byte[]... parts) {
        return sha256(sha256(parts));
    }

    static byte[] reversed(byte[] b) {
        byte[] r = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            r[i] = b[b.length - 1 - i];
        }
        return r;
    }

    /** Bitcoin merkle root (internal byte order) of hashes given in internal byte order. */
    static byte[] merkleRoot(java.util.List<byte[]> leaves) {
        if (leaves.isEmpty()) {
            throw new IllegalArgumentException("merkle root of no leaves");
        }
        java.util.List<byte[]> level = new java.util.ArrayList<>(leaves);
        while (level.size() > 1) {
            java.util.List<byte[]> next = new java.util.ArrayList<>((level.size() + 1) / 2);
            for (int i = 0; i < level.size(); i += 2) {
                byte[] a = level.get(i);
                byte[] b = i + 1 < level.size() ? level.get(i + 1) : a;
                next.add(dsha256(a, b));
            }
            level = next;
        }
        return level.get(0);
    }

    /** Push opcode(s) for {@code data} in a script (data shorter than 76 bytes). */
    static byte[] push(byte[] data) {
        if (data.length >= 76) {
            throw new IllegalArgumentException("push data too long: " + data.length);
        }
        if (data.length == 0) {
            return new byte[] {0x00};
        }
        byte[] r = new byte[data.length + 1];
        r[0] = (byte) data.length;
        System.arraycopy(data, 0, r, 1, data.length);
        return r;
    }

    /** Minimal CScriptNum encoding of a non-negative number (BIP34 height push payload). */
    static byte[] scriptNum(long v) {
        if (v == 0) {
            return new byte[0];
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        long x = v;
        while (x > 0) {
            b.write((int) (x & 0xff));
            x >>>= 8;
        }
        byte[] r = b.toByteArray();
        if ((r[r.length - 1] & 0x80) != 0) {
            byte[] r2 = new byte[r.length + 1];
            System.arraycopy(r, 0, r2, 0, r.length);
            return r2;
        }
        return r;
    }
}
