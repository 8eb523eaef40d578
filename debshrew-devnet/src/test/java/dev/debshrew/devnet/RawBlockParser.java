package dev.debshrew.devnet;

import dev.debshrew.util.Hex;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A minimal, independent Bitcoin block parser for tests. */
final class RawBlockParser {

    record Input(byte[] prevTxid, long vout, byte[] scriptSig, long sequence, List<byte[]> witness) {
        boolean isCoinbase() {
            return Arrays.equals(prevTxid, new byte[32]) && vout == 0xffffffffL;
        }

        String prevKey() {
            return Hex.encode(prevTxid) + ":" + vout;
        }
    }

    record Output(long value, byte[] script) {
    }

    record Tx(long version, boolean segwit, List<Input> inputs, List<Output> outputs, long locktime, byte[] txid, byte[] wtxid) {
        String txidDisplay() {
            return Hex.encode(reverse(txid));
        }
    }

    record Block(long version, byte[] prev, byte[] merkle, long time, long bits, long nonce, byte[] header, List<Tx> txs) {
        byte[] hash() {
            return dsha(header);
        }

        String hashDisplay() {
            return Hex.encode(reverse(hash()));
        }

        String prevDisplay() {
            return Hex.encode(reverse(prev));
        }
    }

    private final ByteBuffer buf;

    private RawBlockParser(byte[] raw) {
        this.buf = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    }

    static Block parse(byte[] raw) {
        RawBlockParser p = new RawBlockParser(raw);
        byte[] header = p.bytes(80);
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        long version = h.getInt() & 0xffffffffL;
        byte[] prev = new byte[32];
        h.get(prev);
        byte[] merkle = new byte[32];
        h.get(merkle);
        long time = h.getInt() & 0xffffffffL;
        long bits = h.getInt() & 0xffffffffL;
        long nonce = h.getInt() & 0xffffffffL;
        long n = p.varint();
        List<Tx> txs = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            txs.add(p.tx());
        }
        if (p.buf.hasRemaining()) {
            throw new IllegalArgumentException(p.buf.remaining() + " trailing bytes after the last transaction");
        }
        return new Block(version, prev, merkle, time, bits, nonce, header, txs);
    }

    private Tx tx() {
        int start = buf.position();
        long version = u32();
        boolean segwit = false;
        if (buf.get(buf.position()) == 0) {
            if (buf.get(buf.position() + 1) != 1) {
                throw new IllegalArgumentException("bad segwit flag");
            }
            buf.position(buf.position() + 2);
            segwit = true;
        }
        int insStart = buf.position();
        long nIn = varint();
        List<byte[]> prevs = new ArrayList<>();
        List<Long> vouts = new ArrayList<>();
        List<byte[]> sigs = new ArrayList<>();
        List<Long> seqs = new ArrayList<>();
        for (long i = 0; i < nIn; i++) {
            prevs.add(bytes(32));
            vouts.add(u32());
            sigs.add(bytes((int) varint()));
            seqs.add(u32());
        }
        long nOut = varint();
        List<Output> outs = new ArrayList<>();
        for (long i = 0; i < nOut; i++) {
            long value = buf.getLong();
            outs.add(new Output(value, bytes((int) varint())));
        }
        int insEnd = buf.position();
        List<List<byte[]>> wits = new ArrayList<>();
        for (long i = 0; i < nIn; i++) {
            List<byte[]> stack = new ArrayList<>();
            if (segwit) {
                long items = varint();
                for (long j = 0; j < items; j++) {
                    stack.add(bytes((int) varint()));
                }
            }
            wits.add(stack);
        }
        long locktime = u32();
        int end = buf.position();
        byte[] all = Arrays.copyOfRange(buf.array(), start, end);
        ByteArrayOutputStream stripped = new ByteArrayOutputStream();
        stripped.write(buf.array(), start, 4);
        stripped.write(buf.array(), insStart, insEnd - insStart);
        stripped.write(buf.array(), end - 4, 4);
        byte[] txid = dsha(stripped.toByteArray());
        List<Input> inputs = new ArrayList<>();
        for (int i = 0; i < nIn; i++) {
            inputs.add(new Input(prevs.get(i), vouts.get(i), sigs.get(i), seqs.get(i), wits.get(i)));
        }
        return new Tx(version, segwit, inputs, outs, locktime, txid, dsha(all));
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        buf.get(b);
        return b;
    }

    private long u32() {
        return buf.getInt() & 0xffffffffL;
    }

    private long varint() {
        int first = buf.get() & 0xff;
        return switch (first) {
            case 0xfd -> buf.getShort() & 0xffffL;
            case 0xfe -> buf.getInt() & 0xffffffffL;
            case 0xff -> buf.getLong();
            default -> first;
        };
    }

    static byte[] dsha(byte[]... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) {
                md.update(p);
            }
            return MessageDigest.getInstance("SHA-256").digest(md.digest());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] reverse(byte[] b) {
        byte[] r = b.clone();
        for (int i = 0; i < r.length / 2; i++) {
            byte t = r[i];
            r[i] = r[r.length - 1 - i];
            r[r.length - 1 - i] = t;
        }
        return r;
    }

    static byte[] merkle(List<byte[]> leaves) {
        List<byte[]> level = new ArrayList<>(leaves);
        while (level.size() > 1) {
            List<byte[]> next = new ArrayList<>();
            for (int i = 0; i < level.size(); i += 2) {
                byte[] a = level.get(i);
                byte[] b = i + 1 < level.size() ? level.get(i + 1) : a;
                byte[] ab = new byte[64];
                System.arraycopy(a, 0, ab, 0, 32);
                System.arraycopy(b, 0, ab, 32, 32);
                next.add(dsha(ab));
            }
            level = next;
        }
        return level.get(0);
    }
}
