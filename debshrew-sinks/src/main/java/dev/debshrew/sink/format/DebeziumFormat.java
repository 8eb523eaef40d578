package dev.debshrew.sink.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcHeader;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.cdc.CdcPayload;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The Debezium change-event envelope:
 *
 * <pre>
 * {"before":ROW|null,"after":ROW|null,
 *  "source":{"connector":"debshrew","name":SOURCE,"ts_ms":MS,"table":TBL,"block_height":H,
 *            "block_hash":HEX,"index":I,"inverse":BOOL,"transaction_id":T?},
 *  "op":"c"|"u"|"d","ts_ms":MS}
 * </pre>
 *
 * {@code index} is the message's position within its block; {@code inverse} marks
 * messages that undo an orphaned block (they are otherwise ordinary c/u/d events). With Connect
 * schemas the envelope is wrapped as {@code {"schema":SCHEMA,"payload":ENVELOPE}} where SCHEMA is
 * a Kafka Connect JSON schema ({@code JsonConverter}, {@code schemas.enable=true}); row schemas are
 * inferred per message, see {@link ConnectRowSchema}.
 */
final class DebeziumFormat implements OutputFormat {

    static final String ENVELOPE_SCHEMA_NAME = "dev.debshrew.Envelope";
    static final String SOURCE_SCHEMA_NAME = "dev.debshrew.Source";

    private static final JsonFactory FACTORY = CdcCodec.mapper().getFactory();

    private final boolean connectSchemas;

    DebeziumFormat(boolean connectSchemas) {
        this.connectSchemas = connectSchemas;
    }

    @Override
    public String name() {
        return "debezium";
    }

    @Override
    public byte[] encode(CdcMessage message, int index) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(384);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            if (connectSchemas) {
                CdcPayload p = message.payload();
                ConnectRowSchema rows = ConnectRowSchema.forRows(p.before(), p.after());
                g.writeStartObject();
                g.writeFieldName("schema");
                writeEnvelopeSchema(g, rows);
                g.writeFieldName("payload");
                writeEnvelope(g, message, index, rows);
                g.writeEndObject();
            } else {
                writeEnvelope(g, message, index, null);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static String op(CdcMessage m) {
        return switch (m.payload().operation()) {
            case CREATE -> "c";
            case UPDATE -> "u";
            case DELETE -> "d";
        };
    }

    private static void writeEnvelope(JsonGenerator g, CdcMessage m, int index, ConnectRowSchema rows)
            throws IOException {
        CdcHeader h = m.header();
        CdcPayload p = m.payload();
        g.writeStartObject();
        g.writeFieldName("before");
        writeRow(g, p.before(), rows);
        g.writeFieldName("after");
        writeRow(g, p.after(), rows);
        g.writeObjectFieldStart("source");
        g.writeStringField("connector", "debshrew");
        g.writeStringField("name", h.source());
        g.writeNumberField("ts_ms", h.timestamp());
        g.writeStringField("table", p.table());
        g.writeNumberField("block_height", h.blockHeight());
        g.writeStringField("block_hash", h.blockHash());
        g.writeNumberField("index", index);
        g.writeBooleanField("inverse", h.inverse());
        if (h.transactionId() != null) {
            g.writeStringField("transaction_id", h.transactionId());
        } else if (rows != null) {
            g.writeNullField("transaction_id"); // with a schema every declared field is present
        }
        g.writeEndObject();
        g.writeStringField("op", op(m));
        g.writeNumberField("ts_ms", h.timestamp());
        g.writeEndObject();
    }

    private static void writeRow(JsonGenerator g, JsonNode row, ConnectRowSchema rows) throws IOException {
        if (row == null) {
            g.writeNull();
        } else if (rows == null) {
            CdcCodec.mapper().writeTree(g, row);
        } else {
            rows.writeValue(g, row);
        }
    }

    private static void writeEnvelopeSchema(JsonGenerator g, ConnectRowSchema rows) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "struct");
        g.writeStringField("name", ENVELOPE_SCHEMA_NAME);
        g.writeBooleanField("optional", false);
        g.writeArrayFieldStart("fields");
        rows.writeSchema(g, "before");
        rows.writeSchema(g, "after");
        g.writeStartObject();
        g.writeStringField("type", "struct");
        g.writeStringField("name", SOURCE_SCHEMA_NAME);
        g.writeBooleanField("optional", false);
        g.writeStringField("field", "source");
        g.writeArrayFieldStart("fields");
        field(g, "connector", "string", false);
        field(g, "name", "string", false);
        field(g, "ts_ms", "int64", false);
        field(g, "table", "string", false);
        field(g, "block_height", "int64", false);
        field(g, "block_hash", "string", false);
        field(g, "index", "int32", false);
        field(g, "inverse", "boolean", false);
        field(g, "transaction_id", "string", true);
        g.writeEndArray();
        g.writeEndObject();
        field(g, "op", "string", false);
        field(g, "ts_ms", "int64", true);
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void field(JsonGenerator g, String name, String type, boolean optional) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", type);
        g.writeBooleanField("optional", optional);
        g.writeStringField("field", name);
        g.writeEndObject();
    }

    @Override
    public String toString() {
        return connectSchemas ? "debezium (with Connect schemas)" : "debezium";
    }
}
