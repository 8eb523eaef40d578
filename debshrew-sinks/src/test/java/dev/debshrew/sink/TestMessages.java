package dev.debshrew.sink;

import com.fasterxml.jackson.databind.JsonNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcHeader;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.cdc.CdcPayload;
import dev.debshrew.cdc.Operation;
import java.util.List;

/** Builds CDC messages for sink tests. */
public final class TestMessages {

    private TestMessages() {
    }

    public static String hash(long height) {
        return String.format("%064x", height * 7919 + 1);
    }

    public static Cursor cursor(long height) {
        return new Cursor(height, hash(height));
    }

    public static JsonNode json(String text) {
        try {
            return CdcCodec.mapper().readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    public static CdcMessage create(long height, String table, String key, String afterJson) {
        return msg(height, Operation.CREATE, table, key, null, json(afterJson));
    }

    public static CdcMessage update(long height, String table, String key, String beforeJson, String afterJson) {
        return msg(height, Operation.UPDATE, table, key, json(beforeJson), json(afterJson));
    }

    public static CdcMessage delete(long height, String table, String key, String beforeJson) {
        return msg(height, Operation.DELETE, table, key, json(beforeJson), null);
    }

    /** One block change: {@code messages}, then {@code cursor}. */
    public static BlockChange block(Cursor cursor, CdcMessage... messages) {
        return new BlockChange(cursor, List.of(messages));
    }

    /** Commits one block (a batch of one block change) to {@code sink}. */
    public static void commitBlock(Sink sink, Cursor cursor, List<CdcMessage> messages) throws SinkException {
        sink.commit(SinkBatch.of(new BlockChange(cursor, messages)));
    }

    /** Commits one block (a batch of one block change) to {@code sink}. */
    public static void commitBlock(Sink sink, Cursor cursor, CdcMessage... messages) throws SinkException {
        commitBlock(sink, cursor, List.of(messages));
    }

    public static CdcMessage msg(long height, Operation op, String table, String key, JsonNode before, JsonNode after) {
        return new CdcMessage(
                CdcHeader.of("test_transform", 1_700_000_000_000L + height, height, hash(height), null),
                new CdcPayload(op, table, key, before, after));
    }
}
