package dev.debshrew.cdc;

import java.util.Objects;

/**
 * One change event: a create, update or delete of one row of one table, produced by a transform
 * for one block (or by debshrew to undo one on a reorg). Immutable.
 *
 * <p>Use {@link CdcCodec} to read and write the native JSON form and {@link Inversion} to build
 * the message that undoes this one.
 */
public record CdcMessage(CdcHeader header, CdcPayload payload) {

    public CdcMessage {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(payload, "payload");
    }
}
