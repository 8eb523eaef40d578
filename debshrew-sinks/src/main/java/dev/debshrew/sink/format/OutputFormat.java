package dev.debshrew.sink.format;

import dev.debshrew.cdc.CdcMessage;

/**
 * How a sink serialises one CDC message as a record value (a Kafka record value, a line of a
 * file). Implementations are stateless and thread-safe.
 *
 * <ul>
 *   <li>{@link #NATIVE}: debshrew's compact native JSON, byte-compatible with the original.</li>
 *   <li>{@link #debezium(boolean)}: the Debezium change-event envelope, optionally wrapped in the
 *       Kafka Connect {@code {"schema":..,"payload":..}} envelope.</li>
 * </ul>
 */
public interface OutputFormat {

    /** The native format: {@link dev.debshrew.cdc.CdcCodec} compact JSON. */
    OutputFormat NATIVE = NativeFormat.INSTANCE;

    /** Short name: {@code native} or {@code debezium}. */
    String name();

    /**
     * Serialises {@code message} as UTF-8 bytes, without a trailing newline.
     *
     * @param index position of the message within its block (0-based); formats that
     *              carry it (Debezium {@code source.index}) use it, others ignore it
     */
    byte[] encode(CdcMessage message, int index);

    /** The Debezium envelope; {@code connectSchemas} adds the Kafka Connect schema/payload wrapper. */
    static OutputFormat debezium(boolean connectSchemas) {
        return new DebeziumFormat(connectSchemas);
    }

    /** The format named {@code kind}; {@code connectSchemas} applies to Debezium only. */
    static OutputFormat of(Kind kind, boolean connectSchemas) {
        return switch (kind) {
            case NATIVE -> NATIVE;
            case DEBEZIUM -> debezium(connectSchemas);
        };
    }

    /** The selectable formats (config value in lowercase). */
    enum Kind {
        NATIVE,
        DEBEZIUM
    }
}
