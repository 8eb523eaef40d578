package dev.debshrew.sink.format;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.debshrew.cdc.CdcCodec;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A Kafka Connect schema inferred from the rows ({@code before} / {@code after}) of one message,
 * for the Debezium format with Connect schemas.
 *
 * <p>Rows are arbitrary JSON, so the schema is inferred from the values at hand: objects become
 * structs (every field optional), strings {@code string}, booleans {@code boolean}, integers
 * {@code int64}, other numbers {@code double}, arrays {@code array} of their merged element type.
 * {@code before} and {@code after} share one schema (fields merged). A value that no Connect type
 * can describe faithfully (an integer beyond 64 bits, an array mixing types, a field whose type
 * differs between before and after, an empty or all-null array, an object with an empty field
 * name) is carried as a string holding
 * its compact JSON text, with the logical name {@code io.debezium.data.Json} as Debezium does for
 * JSON columns. A field that is null everywhere is an optional {@code string}.
 */
final class ConnectRowSchema {

    /** Logical type name Debezium uses for a string holding JSON text. */
    static final String JSON_LOGICAL_NAME = "io.debezium.data.Json";

    private sealed interface S permits Prim, Struct, Arr, Json, Unknown {
    }

    private record Prim(String type) implements S {
    }

    private record Struct(Map<String, S> fields) implements S {
    }

    private record Arr(S items) implements S {
    }

    private record Json() implements S {
    }

    private record Unknown() implements S {
    }

    private static final Prim STRING = new Prim("string");
    private static final Prim BOOLEAN = new Prim("boolean");
    private static final Prim INT64 = new Prim("int64");
    private static final Prim DOUBLE = new Prim("double");
    private static final Json JSON = new Json();
    private static final Unknown UNKNOWN = new Unknown();

    private final S schema;

    private ConnectRowSchema(S schema) {
        this.schema = schema;
    }

    /** The schema shared by a message's {@code before} and {@code after} (either may be null). */
    static ConnectRowSchema forRows(JsonNode before, JsonNode after) {
        S s = merge(infer(before), infer(after));
        if (s instanceof Unknown) {
            s = JSON;
        }
        return new ConnectRowSchema(s);
    }

    private static S infer(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return UNKNOWN;
        }
        if (n.isTextual()) {
            return STRING;
        }
        if (n.isBoolean()) {
            return BOOLEAN;
        }
        if (n.isIntegralNumber()) {
            return n.canConvertToLong() ? INT64 : JSON;
        }
        if (n.isNumber()) {
            return DOUBLE;
        }
        if (n.isObject()) {
            Map<String, S> fields = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                if (e.getKey().isEmpty()) {
                    return JSON; // Connect struct fields need a non-empty name
                }
                fields.put(e.getKey(), infer(e.getValue()));
            }
            return new Struct(fields);
        }
        if (n.isArray()) {
            S items = UNKNOWN;
            for (JsonNode e : n) {
                items = merge(items, infer(e));
            }
            return items instanceof Unknown || items instanceof Json ? JSON : new Arr(items);
        }
        return JSON;
    }

    private static S merge(S a, S b) {
        if (a instanceof Unknown) {
            return b;
        }
        if (b instanceof Unknown || a.equals(b)) {
            return a;
        }
        if (a instanceof Struct sa && b instanceof Struct sb) {
            Map<String, S> fields = new LinkedHashMap<>(sa.fields());
            for (Map.Entry<String, S> e : sb.fields().entrySet()) {
                fields.merge(e.getKey(), e.getValue(), ConnectRowSchema::merge);
            }
            return new Struct(fields);
        }
        if (a instanceof Arr aa && b instanceof Arr ab) {
            S items = merge(aa.items(), ab.items());
            return items instanceof Json ? JSON : new Arr(items);
        }
        if ((a == INT64 && b == DOUBLE) || (a == DOUBLE && b == INT64)) {
            return DOUBLE;
        }
        return JSON;
    }

    // ------------------------------------------------------------------ writing

    /** Writes the Connect JSON schema of a row field named {@code field} (always optional). */
    void writeSchema(JsonGenerator g, String field) throws IOException {
        writeSchema(g, schema, field);
    }

    private static void writeSchema(JsonGenerator g, S s, String field) throws IOException {
        g.writeStartObject();
        if (s instanceof Struct st) {
            g.writeStringField("type", "struct");
            g.writeArrayFieldStart("fields");
            for (Map.Entry<String, S> e : st.fields().entrySet()) {
                writeSchema(g, e.getValue(), e.getKey());
            }
            g.writeEndArray();
        } else if (s instanceof Arr a) {
            g.writeStringField("type", "array");
            g.writeFieldName("items");
            writeSchema(g, a.items(), null);
        } else if (s instanceof Prim p) {
            g.writeStringField("type", p.type());
        } else if (s instanceof Json) {
            g.writeStringField("type", "string");
            g.writeStringField("name", JSON_LOGICAL_NAME);
            g.writeNumberField("version", 1);
        } else {
            g.writeStringField("type", "string");
        }
        g.writeBooleanField("optional", true);
        if (field != null) {
            g.writeStringField("field", field);
        }
        g.writeEndObject();
    }

    /** Writes {@code row} shaped by this schema (null writes JSON null). */
    void writeValue(JsonGenerator g, JsonNode row) throws IOException {
        writeValue(g, schema, row);
    }

    private static void writeValue(JsonGenerator g, S s, JsonNode v) throws IOException {
        if (v == null || v.isNull() || v.isMissingNode()) {
            g.writeNull();
        } else if (s instanceof Json) {
            g.writeString(CdcCodec.mapper().writeValueAsString(v));
        } else if (s instanceof Struct st) {
            g.writeStartObject();
            for (Map.Entry<String, S> e : st.fields().entrySet()) {
                g.writeFieldName(e.getKey());
                writeValue(g, e.getValue(), v.get(e.getKey()));
            }
            g.writeEndObject();
        } else if (s instanceof Arr a) {
            g.writeStartArray();
            for (JsonNode e : v) {
                writeValue(g, a.items(), e);
            }
            g.writeEndArray();
        } else if (s == INT64) {
            g.writeNumber(v.longValue());
        } else if (s == DOUBLE) {
            g.writeNumber(v.doubleValue());
        } else if (s == BOOLEAN) {
            g.writeBoolean(v.booleanValue());
        } else if (s == STRING) {
            g.writeString(v.textValue());
        } else {
            // Unknown: only inferred where every value is null, handled above.
            throw new IllegalStateException("value " + Objects.toString(v) + " has no inferred schema");
        }
    }
}
