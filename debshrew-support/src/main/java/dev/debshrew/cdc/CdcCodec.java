package dev.debshrew.cdc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Reads and writes CDC messages in debshrew's native JSON form, wire-compatible with the original
 * Rust debshrew.
 *
 * <p>Writing: compact JSON, fields in the documented order, optional fields ({@code
 * transaction_id}, {@code before}, {@code after}, {@code inverse}) omitted when absent.
 *
 * <p>Reading: {@link #decodeArray(byte[])} validates everything a guest returns (types, lowercase
 * operation, non-empty table and key, before/after consistent with the operation, no NUL character
 * anywhere, as no sink can store it: see {@link #decodeTransformMessage}) and reports the first
 * violation with its message index and field. Unknown fields are ignored. A timestamp may be epoch
 * milliseconds or an RFC 3339 string (legacy modules); it is normalised to milliseconds.
 *
 * <p>Thread-safe; share one instance.
 */
public final class CdcCodec {

    private static final ObjectMapper MAPPER = newMapper();

    private final JsonFactory factory = MAPPER.getFactory();

    private static ObjectMapper newMapper() {
        ObjectMapper mapper = new ObjectMapper();
        // Guests may legitimately return large strings (raw transactions as hex); the size cap is
        // enforced by the host before parsing, so lift Jackson's default string-length limit.
        mapper.getFactory().setStreamReadConstraints(
                StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build());
        return mapper;
    }

    /** The shared Jackson mapper used for CDC JSON (row values are {@link JsonNode}s of it). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    // ------------------------------------------------------------------ writing

    /** Compact native JSON of one message. */
    public String encode(CdcMessage message) {
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = factory.createGenerator(w)) {
            write(g, message);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /** Compact native JSON of one message, UTF-8. */
    public byte[] encodeBytes(CdcMessage message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        writeTo(out, message);
        return out.toByteArray();
    }

    /** Writes the compact native JSON of one message to {@code out} (UTF-8, no newline). */
    public void writeTo(OutputStream out, CdcMessage message) {
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            write(g, message);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a JSON array of messages, compact. */
    public String encodeArray(List<CdcMessage> messages) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = factory.createGenerator(w)) {
            g.writeStartArray();
            for (CdcMessage m : messages) {
                write(g, m);
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /** Pretty-printed native JSON of one message (console output). */
    public String encodePretty(CdcMessage message) {
        Writer w = new StringWriter(512);
        try (JsonGenerator g = factory.createGenerator(w)) {
            g.useDefaultPrettyPrinter();
            write(g, message);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    private static void write(JsonGenerator g, CdcMessage m) throws IOException {
        CdcHeader h = m.header();
        CdcPayload p = m.payload();
        g.writeStartObject();
        g.writeObjectFieldStart("header");
        g.writeStringField("source", h.source());
        g.writeNumberField("timestamp", h.timestamp());
        g.writeNumberField("block_height", h.blockHeight());
        g.writeStringField("block_hash", h.blockHash());
        if (h.transactionId() != null) {
            g.writeStringField("transaction_id", h.transactionId());
        }
        if (h.inverse()) {
            g.writeBooleanField("inverse", true);
        }
        g.writeEndObject();
        g.writeObjectFieldStart("payload");
        g.writeStringField("operation", p.operation().wireName());
        g.writeStringField("table", p.table());
        g.writeStringField("key", p.key());
        if (p.before() != null) {
            g.writeFieldName("before");
            MAPPER.writeTree(g, p.before());
        }
        if (p.after() != null) {
            g.writeFieldName("after");
            MAPPER.writeTree(g, p.after());
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    // ------------------------------------------------------------------ reading

    /**
     * Parses and validates a JSON array of CDC messages (a transform's output).
     *
     * @throws CdcFormatException naming the message index and field of the first violation
     */
    public List<CdcMessage> decodeArray(byte[] utf8Json) throws CdcFormatException {
        JsonNode root = parse(utf8Json);
        if (!root.isArray()) {
            throw new CdcFormatException("expected a JSON array of CDC messages, got " + describe(root));
        }
        List<CdcMessage> out = new ArrayList<>(root.size());
        int i = 0;
        for (Iterator<JsonNode> it = root.elements(); it.hasNext(); i++) {
            JsonNode m = it.next();
            CdcMessage message = fromTree(m, "message[" + i + "]");
            NulCheck.check(m, "message[" + i + "]");
            out.add(message);
        }
        return out;
    }

    /**
     * Parses and validates one message a transform pushed (legacy push ABI): like
     * {@link #decode(byte[])}, and also rejects the NUL character anywhere, like
     * {@link #decodeArray(byte[])}.
     *
     * @throws CdcFormatException naming the field of the first violation
     */
    public CdcMessage decodeTransformMessage(byte[] utf8Json) throws CdcFormatException {
        JsonNode root = parse(utf8Json);
        CdcMessage message = fromTree(root, "message");
        NulCheck.check(root, "message");
        return message;
    }

    /**
     * Parses and validates one stored CDC message (the journal). Does not reject NUL characters,
     * so journals written before transform output was checked for them still read back; use
     * {@link #decodeTransformMessage(byte[])} for a transform's output.
     *
     * @throws CdcFormatException naming the field of the first violation
     */
    public CdcMessage decode(byte[] utf8Json) throws CdcFormatException {
        return fromTree(parse(utf8Json), "message");
    }

    /** Parses and validates one CDC message given as a string. */
    public CdcMessage decode(String json) throws CdcFormatException {
        return decode(json.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode parse(byte[] utf8Json) throws CdcFormatException {
        try {
            JsonNode root = MAPPER.readTree(utf8Json);
            if (root == null || root.isMissingNode()) {
                throw new CdcFormatException("invalid JSON: empty input");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw new CdcFormatException("invalid JSON: " + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr(), e);
        } catch (IOException e) {
            throw new CdcFormatException("invalid JSON: " + e.getMessage(), e);
        }
    }

    /**
     * Validates a parsed message tree and builds the message.
     *
     * @param where prefix for error messages, e.g. {@code message[3]}
     */
    public CdcMessage fromTree(JsonNode node, String where) throws CdcFormatException {
        if (!node.isObject()) {
            throw new CdcFormatException(where + ": expected an object, got " + describe(node));
        }
        JsonNode header = requireObject(node, "header", where);
        JsonNode payload = requireObject(node, "payload", where);
        String hw = where + ".header";
        String pw = where + ".payload";

        String source = requireString(header, "source", hw, false);
        long timestamp = readTimestamp(header.get("timestamp"), hw + ".timestamp");
        long height = requireUnsigned(header, "block_height", hw, 0xFFFF_FFFFL);
        String blockHash = requireString(header, "block_hash", hw, false);
        String txid = optionalString(header, "transaction_id", hw);
        JsonNode inv = header.get("inverse");
        boolean inverse = inv != null && inv.isBoolean() && inv.booleanValue();

        String opName = requireString(payload, "operation", pw, true);
        Operation op;
        try {
            op = Operation.fromWireName(opName);
        } catch (IllegalArgumentException e) {
            throw new CdcFormatException(pw + ".operation: " + e.getMessage());
        }
        String table = requireString(payload, "table", pw, true);
        String key = requireString(payload, "key", pw, true);
        JsonNode before = presentOrNull(payload.get("before"));
        JsonNode after = presentOrNull(payload.get("after"));
        switch (op) {
            case CREATE -> {
                if (after == null) {
                    throw new CdcFormatException(pw + ": operation 'create' requires 'after'");
                }
                if (before != null) {
                    throw new CdcFormatException(pw + ": operation 'create' must not have 'before'");
                }
            }
            case UPDATE -> {
                if (before == null || after == null) {
                    throw new CdcFormatException(pw + ": operation 'update' requires both 'before' and 'after'");
                }
            }
            case DELETE -> {
                if (before == null) {
                    throw new CdcFormatException(pw + ": operation 'delete' requires 'before'");
                }
                if (after != null) {
                    throw new CdcFormatException(pw + ": operation 'delete' must not have 'after'");
                }
            }
        }
        return new CdcMessage(
                new CdcHeader(source, timestamp, height, blockHash, txid, inverse),
                new CdcPayload(op, table, key, before, after));
    }

    private static JsonNode presentOrNull(JsonNode n) {
        return n == null || n instanceof NullNode ? null : n;
    }

    private static JsonNode requireObject(JsonNode parent, String field, String where) throws CdcFormatException {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            throw new CdcFormatException(where + ": missing field '" + field + "'");
        }
        if (!n.isObject()) {
            throw new CdcFormatException(where + "." + field + ": expected an object, got " + describe(n));
        }
        return n;
    }

    private static String requireString(JsonNode parent, String field, String where, boolean nonEmpty)
            throws CdcFormatException {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            throw new CdcFormatException(where + ": missing field '" + field + "'");
        }
        if (!n.isTextual()) {
            throw new CdcFormatException(where + "." + field + ": expected a string, got " + describe(n));
        }
        if (nonEmpty && n.textValue().isEmpty()) {
            throw new CdcFormatException(where + "." + field + ": must not be empty");
        }
        return n.textValue();
    }

    private static String optionalString(JsonNode parent, String field, String where) throws CdcFormatException {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new CdcFormatException(where + "." + field + ": expected a string, got " + describe(n));
        }
        return n.textValue();
    }

    private static long requireUnsigned(JsonNode parent, String field, String where, long max)
            throws CdcFormatException {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            throw new CdcFormatException(where + ": missing field '" + field + "'");
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0 || n.longValue() > max) {
            throw new CdcFormatException(where + "." + field + ": expected an integer in 0.." + max + ", got " + describe(n));
        }
        return n.longValue();
    }

    private static long readTimestamp(JsonNode n, String where) throws CdcFormatException {
        if (n == null || n.isNull()) {
            throw new CdcFormatException(where + ": missing");
        }
        if (n.isIntegralNumber() && n.canConvertToLong() && n.longValue() >= 0) {
            return n.longValue();
        }
        if (n.isTextual()) {
            try {
                return OffsetDateTime.parse(n.textValue()).toInstant().toEpochMilli();
            } catch (DateTimeParseException e) {
                throw new CdcFormatException(where + ": expected epoch milliseconds or an RFC 3339 timestamp, got '"
                        + n.textValue() + "'");
            }
        }
        throw new CdcFormatException(where + ": expected epoch milliseconds or an RFC 3339 string, got " + describe(n));
    }

    private static String describe(JsonNode n) {
        String text = n.toString();
        if (text.length() > 60) {
            text = text.substring(0, 57) + "...";
        }
        return n.getNodeType().name().toLowerCase() + " " + text;
    }
}
