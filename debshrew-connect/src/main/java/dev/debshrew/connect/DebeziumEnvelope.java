package dev.debshrew.connect;

import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.format.KeyFormat;
import dev.debshrew.sink.format.OutputFormat;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;

/**
 * {@code value.format=debezium}: a CDC message as a Connect {@link Struct} with its schema, the
 * Debezium envelope ({@code before}, {@code after}, {@code source}, {@code op}, {@code ts_ms}) exactly
 * as the daemon's Kafka sink writes it with {@code format: debezium} and {@code debezium_schemas: true}.
 *
 * <p>The envelope is built by the daemon's own encoder (debshrew-sinks' Debezium format, whose row
 * schema is inferred from the message's rows and documented in docs/sinks.md: objects as structs of
 * optional fields, strings, booleans, int64, double, arrays; what no Connect type describes as a
 * string with the logical name {@code io.debezium.data.Json}) and read into Connect data by
 * {@link JsonConverter} ({@code schemas.enable=true}), so {@code JsonConverter} on the worker writes
 * back the same JSON: the two outputs cannot drift apart. Keys are a struct {@code dev.debshrew.Key}
 * with one field {@code key} (the row key, or {@code <table>:<key>} with {@code key.format=table_key}),
 * as Debezium keys are structs of the primary key's columns.
 */
final class DebeziumEnvelope {

    /** The key's schema: the row key as the primary key column {@code key}. */
    static final Schema KEY_SCHEMA = SchemaBuilder.struct().name("dev.debshrew.Key")
            .field("key", Schema.STRING_SCHEMA).build();
    /** The cursor record's schema. */
    static final Schema CURSOR_SCHEMA = SchemaBuilder.struct().name("dev.debshrew.Cursor")
            .field(ConnectRecords.HEIGHT, Schema.INT64_SCHEMA).field(ConnectRecords.HASH, Schema.STRING_SCHEMA)
            .build();

    private final OutputFormat format = OutputFormat.debezium(true);
    private final JsonConverter reader = new JsonConverter();
    private final KeyFormat keyFormat;

    DebeziumEnvelope(KeyFormat keyFormat) {
        this.keyFormat = keyFormat;
        reader.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "true",
                JsonConverterConfig.SCHEMAS_CACHE_SIZE_CONFIG, "1000"), false);
    }

    /** The key struct of {@code m}. */
    Struct key(CdcMessage m) {
        return new Struct(KEY_SCHEMA).put("key", keyFormat.key(m));
    }

    /**
     * The envelope of {@code m}, the {@code index}-th message of its block, for {@code topic} (the
     * record's topic; the envelope itself, like the daemon's, does not depend on it).
     *
     * @throws ConnectException naming the table, key and block when the row cannot be read as Connect data
     */
    SchemaAndValue value(CdcMessage m, int index, String topic) {
        try {
            return reader.toConnectData(topic, format.encode(m, index));
        } catch (DataException e) {
            throw new ConnectException("message " + index + " of block " + m.header().blockHeight() + " (table '"
                    + m.payload().table() + "', key '" + m.payload().key() + "') does not fit a Connect schema: "
                    + e.getMessage(), e);
        }
    }

    /** The cursor record's value. */
    static Struct cursor(Cursor c) {
        return new Struct(CURSOR_SCHEMA).put(ConnectRecords.HEIGHT, c.height()).put(ConnectRecords.HASH, c.hash());
    }
}
