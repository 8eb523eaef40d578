package dev.debshrew.sink;

import java.util.Objects;

/**
 * A position in the chain: the last block whose messages a sink has made durable.
 * A sink's committed cursor is the truth on restart.
 *
 * @param height block height
 * @param hash   block hash, lowercase hex without {@code 0x}, display byte order
 */
public record Cursor(long height, String hash) {

    public Cursor {
        if (height < 0) {
            throw new IllegalArgumentException("cursor height must be >= 0, got " + height);
        }
        Objects.requireNonNull(hash, "hash");
    }

    @Override
    public String toString() {
        return height + ":" + hash;
    }
}
