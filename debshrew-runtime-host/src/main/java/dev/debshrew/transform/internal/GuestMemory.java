package dev.debshrew.transform.internal;

import com.dylibso.chicory.runtime.Memory;
import dev.debshrew.transform.TransformExecutionException.Kind;

/**
 * Bounds-checked access to guest memory. Every pointer and length coming from the guest is
 * untrusted; anything outside the memory becomes a {@link HostAbort} of kind
 * {@link Kind#BAD_POINTER} naming the host function (never an exception from inside Chicory).
 *
 * <p>LP buffer convention: {@code [u32 LE length N][N bytes]}, the pointer points AT the length.
 */
public final class GuestMemory {

    /** Largest byte array the host will allocate for one guest buffer. */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 16;

    private GuestMemory() {
    }

    /** Size of the memory in bytes. */
    public static long size(Memory memory) {
        return (long) memory.pages() * Memory.PAGE_SIZE;
    }

    /** The unsigned value of an i32 argument. */
    public static long u32(long arg) {
        return arg & 0xFFFF_FFFFL;
    }

    /**
     * Reads the u32 length prefix of the LP buffer at {@code ptr}.
     *
     * @param what the host function or role, for error messages (e.g. {@code __set_state key})
     */
    public static long lpLength(Memory memory, long ptr, String what) {
        long size = size(memory);
        if (ptr + 4 > size) {
            throw new HostAbort(Kind.BAD_POINTER, what + ": LP buffer pointer " + ptr
                    + " is outside guest memory (" + size + " bytes)");
        }
        return u32(memory.readInt((int) ptr));
    }

    /**
     * Reads the LP buffer at {@code ptr} (pointer at the length prefix).
     *
     * @param what the host function or role, for error messages
     */
    public static byte[] readLp(Memory memory, long ptr, String what) {
        long len = lpLength(memory, ptr, what);
        return readLpData(memory, ptr, len, what);
    }

    /** Reads the data of the LP buffer at {@code ptr} whose prefix says {@code len}. */
    public static byte[] readLpData(Memory memory, long ptr, long len, String what) {
        long size = size(memory);
        if (ptr + 4 + len > size || len > MAX_ARRAY) {
            throw new HostAbort(Kind.BAD_POINTER, what + ": LP buffer at " + ptr + " with length " + len
                    + " extends past the end of guest memory (" + size + " bytes)");
        }
        if (len == 0) {
            return new byte[0];
        }
        return memory.readBytes((int) ptr + 4, (int) len);
    }

    /** Copies {@code data} to guest memory at {@code ptr} (no length prefix). */
    public static void write(Memory memory, long ptr, byte[] data, String what) {
        long size = size(memory);
        if (ptr + data.length > size) {
            throw new HostAbort(Kind.BAD_POINTER, what + ": destination " + ptr + " with " + data.length
                    + " bytes extends past the end of guest memory (" + size + " bytes)");
        }
        if (data.length > 0) {
            memory.write((int) ptr, data);
        }
    }
}
