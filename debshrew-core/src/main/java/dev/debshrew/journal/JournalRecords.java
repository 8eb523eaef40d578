package dev.debshrew.journal;

import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcFormatException;
import dev.debshrew.cdc.CdcMessage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Binary form of journal records and keys (see docs/state-store.md). All integers big-endian.
 *
 * <pre>
 * key    : u64 height
 * value  : u32 crc32(body) | body
 * body   : u8  version (2; version 1 is read too: it ends before the module)
 *          u64 height                      (must equal the key)
 *          str hash | str parentHash       (str = u32 length + UTF-8)
 *          u32 message count, per message: u32 length + native CDC JSON (UTF-8, CdcCodec)
 *          u32 undo count, per undo: u32 key length + key,
 *                                    u8 flag (0 = key was absent, 1 = present) [+ u32 length + value]
 *          str module                      (version 2: SHA-256 hex of the module that produced the block;
 *                                           empty: not known)
 * </pre>
 */
final class JournalRecords {

    static final byte VERSION = 2;
    /** The first version, without the module: still read. */
    static final byte VERSION_1 = 1;
    private static final byte ABSENT = 0;
    private static final byte PRESENT = 1;

    private static final CdcCodec CODEC = new CdcCodec();

    private JournalRecords() {
    }

    /** Why a record could not be read. */
    static final class BadRecordException extends Exception {
        private static final long serialVersionUID = 1L;

        BadRecordException(String message) {
            super(message);
        }

        BadRecordException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static byte[] key(long height) {
        if (height < 0) {
            throw new IllegalArgumentException("negative height " + height);
        }
        return ByteBuffer.allocate(8).putLong(height).array();
    }

    static long height(byte[] key) throws BadRecordException {
        if (key.length != 8) {
            throw new BadRecordException("journal key of " + key.length + " bytes (expected 8)");
        }
        long h = ByteBuffer.wrap(key).getLong();
        if (h < 0) {
            throw new BadRecordException("journal key with negative height " + h);
        }
        return h;
    }

    /**
     * Encodes a record. Every message is decoded back once (the codec validates on reading), so a
     * message the journal could not read back at the next start is refused here, before anything
     * is written, rather than making the journal look corrupted later.
     *
     * @throws IllegalArgumentException naming the message that cannot be stored
     */
    static byte[] encode(JournalEntry e) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + 64 * e.undo().size());
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(0); // CRC placeholder
            out.writeByte(VERSION);
            out.writeLong(e.height());
            writeBytes(out, e.hash().getBytes(StandardCharsets.UTF_8));
            writeBytes(out, e.parentHash().getBytes(StandardCharsets.UTF_8));
            out.writeInt(e.messages().size());
            for (int i = 0; i < e.messages().size(); i++) {
                byte[] json = CODEC.encodeBytes(e.messages().get(i));
                try {
                    CODEC.decode(json);
                } catch (CdcFormatException ex) {
                    throw new IllegalArgumentException("block " + e.height() + ": message " + i
                            + " cannot be stored in the journal (it would not read back): " + ex.getMessage(), ex);
                }
                writeBytes(out, json);
            }
            out.writeInt(e.undo().size());
            for (StateUndo u : e.undo()) {
                writeBytes(out, u.key());
                if (u.previousValue() == null) {
                    out.writeByte(ABSENT);
                } else {
                    out.writeByte(PRESENT);
                    writeBytes(out, u.previousValue());
                }
            }
            writeBytes(out, (e.module() == null ? "" : e.module()).getBytes(StandardCharsets.UTF_8));
            out.flush();
            byte[] record = bytes.toByteArray();
            ByteBuffer.wrap(record).putInt(0, crc(record));
            return record;
        } catch (IOException ex) {
            throw new UncheckedIOException(ex); // cannot happen with a byte array
        }
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    /** CRC32 of everything after the 4-byte checksum field. */
    static int crc(byte[] record) {
        CRC32 crc = new CRC32();
        crc.update(record, 4, record.length - 4);
        return (int) crc.getValue();
    }

    /** Checks the CRC only. */
    static void checkCrc(byte[] record) throws BadRecordException {
        if (record.length < 5) {
            throw new BadRecordException("record of " + record.length + " bytes is too short to hold a checksum and a body");
        }
        int stored = ByteBuffer.wrap(record).getInt(0);
        int actual = crc(record);
        if (stored != actual) {
            throw new BadRecordException(String.format("checksum mismatch (stored CRC32 %08x, computed %08x over %d bytes)",
                    stored, actual, record.length - 4));
        }
    }

    /**
     * Verifies the checksum and decodes a record stored under {@code keyHeight}.
     *
     * @throws BadRecordException saying what is wrong
     */
    static JournalEntry decode(long keyHeight, byte[] record) throws BadRecordException {
        checkCrc(record);
        ByteBuffer in = ByteBuffer.wrap(record);
        in.position(4);
        try {
            byte version = in.get();
            if (version != VERSION && version != VERSION_1) {
                throw new BadRecordException("unknown record version " + version + " (this build reads " + VERSION_1
                        + " and " + VERSION + ")");
            }
            long height = in.getLong();
            if (height != keyHeight) {
                throw new BadRecordException("record for height " + height + " is stored under key " + keyHeight);
            }
            String hash = readString(in, "hash");
            String parentHash = readString(in, "parent hash");
            int messageCount = readCount(in, "message count", 4);
            List<CdcMessage> messages = new ArrayList<>(messageCount);
            for (int i = 0; i < messageCount; i++) {
                byte[] json = readBytes(in, "message " + i);
                try {
                    messages.add(CODEC.decode(json));
                } catch (CdcFormatException ex) {
                    throw new BadRecordException("message " + i + " cannot be decoded: " + ex.getMessage(), ex);
                }
            }
            int undoCount = readCount(in, "undo count", 5);
            List<StateUndo> undo = new ArrayList<>(undoCount);
            for (int i = 0; i < undoCount; i++) {
                byte[] key = readBytes(in, "undo " + i + " key");
                byte flag = in.get();
                byte[] previous;
                if (flag == ABSENT) {
                    previous = null;
                } else if (flag == PRESENT) {
                    previous = readBytes(in, "undo " + i + " value");
                } else {
                    throw new BadRecordException("undo " + i + ": invalid presence flag " + flag);
                }
                undo.add(new StateUndo(key, previous));
            }
            String module = version == VERSION_1 ? "" : readString(in, "module");
            if (in.hasRemaining()) {
                throw new BadRecordException(in.remaining() + " unexpected trailing byte(s)");
            }
            return new JournalEntry(height, hash, parentHash, messages, undo, module.isEmpty() ? null : module);
        } catch (BufferUnderflowException ex) {
            throw new BadRecordException("record is truncated (" + record.length + " bytes)", ex);
        }
    }

    private static int readCount(ByteBuffer in, String what, int minBytesEach) throws BadRecordException {
        int n = in.getInt();
        if (n < 0 || (long) n * minBytesEach > in.remaining()) {
            throw new BadRecordException(what + " " + Integer.toUnsignedString(n) + " exceeds the record size");
        }
        return n;
    }

    private static byte[] readBytes(ByteBuffer in, String what) throws BadRecordException {
        int n = in.getInt();
        if (n < 0 || n > in.remaining()) {
            throw new BadRecordException(what + ": length " + Integer.toUnsignedString(n) + " exceeds the record size");
        }
        byte[] b = new byte[n];
        in.get(b);
        return b;
    }

    private static String readString(ByteBuffer in, String what) throws BadRecordException {
        byte[] b = readBytes(in, what);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException ex) {
            throw new BadRecordException(what + " is not valid UTF-8", ex);
        }
    }
}
