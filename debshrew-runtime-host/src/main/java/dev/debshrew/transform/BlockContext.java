package dev.debshrew.transform;

import dev.debshrew.util.Hex;
import java.util.Arrays;
import java.util.Objects;

/**
 * The block a transform is run for.
 *
 * @param height block height (0 .. 2^31-1, as the guest receives it as an {@code i32})
 * @param blockHash the 32 hash bytes in display order (as returned by
 *     {@code metashrew_getblockhash}, decoded from hex); copied defensively
 */
public record BlockContext(long height, byte[] blockHash) {

    /** Length of a block hash in bytes. */
    public static final int HASH_LENGTH = 32;

    /**
     * Validates and copies the arguments.
     *
     * @throws IllegalArgumentException if the height is out of range or the hash is not 32 bytes
     */
    public BlockContext {
        if (height < 0 || height > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("block height out of range: " + height);
        }
        Objects.requireNonNull(blockHash, "blockHash");
        if (blockHash.length != HASH_LENGTH) {
            throw new IllegalArgumentException("block hash must be " + HASH_LENGTH + " bytes, got " + blockHash.length);
        }
        blockHash = blockHash.clone();
    }

    /** Convenience factory from the hex string returned by {@code metashrew_getblockhash}. */
    public static BlockContext of(long height, String blockHashHex) {
        return new BlockContext(height, Hex.decode(blockHashHex));
    }

    /** A copy of the hash bytes (display order). */
    @Override
    public byte[] blockHash() {
        return blockHash.clone();
    }

    /** The hash as lowercase hex (display order). */
    public String blockHashHex() {
        return Hex.encode(blockHash);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockContext b && b.height == height && Arrays.equals(b.blockHash, blockHash);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(height) * 31 + Arrays.hashCode(blockHash);
    }

    @Override
    public String toString() {
        return "BlockContext[height=" + height + ", blockHash=" + blockHashHex() + "]";
    }
}
