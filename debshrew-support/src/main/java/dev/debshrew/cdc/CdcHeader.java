package dev.debshrew.cdc;

import java.util.Objects;

/**
 * Header of a CDC message: where the change came from.
 *
 * @param source        name the transform gives itself
 * @param timestamp     epoch milliseconds
 * @param blockHeight   height of the block the change belongs to (for an inverse message: the
 *                      height the table state returns to, i.e. undone height - 1)
 * @param blockHash     hex block hash (for an inverse message: the hash of the block at
 *                      {@code blockHeight} on the orphaned branch, which is the state returned to)
 * @param transactionId optional transaction id, {@code null} when absent
 * @param inverse       {@code true} for messages debshrew generated to undo an orphaned block;
 *                      serialised as {@code "inverse":true} and omitted when false
 */
public record CdcHeader(
        String source,
        long timestamp,
        long blockHeight,
        String blockHash,
        String transactionId,
        boolean inverse) {

    public CdcHeader {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(blockHash, "blockHash");
    }

    /** A regular (non-inverse) header. */
    public static CdcHeader of(String source, long timestamp, long blockHeight, String blockHash, String transactionId) {
        return new CdcHeader(source, timestamp, blockHeight, blockHash, transactionId, false);
    }
}
