package dev.debshrew.devnet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.metashrew.VersionLine;
import dev.debshrew.util.Hex;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;

/** The JSON-RPC methods of the simulated metashrew node, with per-version-line shapes and errors. */
final class DevnetRpc {

    /** Thrown when the simulated node would drop the connection instead of answering. */
    static final class DropConnection extends Exception {
        private static final long serialVersionUID = 1L;

        DropConnection(String why) {
            super(why, null, false, false);
        }
    }

    /** A JSON-RPC error to answer. */
    private static final class RpcError extends Exception {
        private static final long serialVersionUID = 1L;
        final int code;

        RpcError(int code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    private static final long LATEST = Long.MAX_VALUE;
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final DevnetNode node;
    private final VersionLine line;
    private final Duration maxMetadataBlock;

    DevnetRpc(DevnetNode node, VersionLine line, Duration maxMetadataBlock) {
        if (line == null || line == VersionLine.AUTO) {
            throw new IllegalArgumentException("the devnet needs a concrete version line (v8, rc, rc11 or current), got " + line);
        }
        this.node = node;
        this.line = line;
        this.maxMetadataBlock = maxMetadataBlock;
    }

    private boolean v9() {
        return line == VersionLine.RC11 || line == VersionLine.CURRENT;
    }

    static ObjectNode envelope(JsonNode id) {
        ObjectNode o = F.objectNode();
        o.put("jsonrpc", "2.0");
        o.set("id", id == null ? F.nullNode() : id);
        return o;
    }

    static ObjectNode error(JsonNode id, int code, String message) {
        ObjectNode o = envelope(id);
        ObjectNode e = o.putObject("error");
        e.put("code", code);
        e.put("message", message);
        return o;
    }

    ObjectNode handle(JsonNode id, String method, JsonNode params, long heightBackwards)
            throws DropConnection, InterruptedException {
        if (params == null || params.isNull()) {
            if (line == VersionLine.V8) {
                throw new DropConnection("v8 drops the connection when params are missing");
            }
            params = F.arrayNode();
        }
        try {
            if (!params.isArray()) {
                throw invalidParams("params must be an array");
            }
            JsonNode result = switch (method) {
                case "metashrew_height" -> height(heightBackwards);
                case "metashrew_getblockhash" -> blockHash(params);
                case "metashrew_view" -> view(params);
                case "metashrew_stateroot" -> stateRoot(params);
                case "metashrew_snapshot" -> snapshot();
                case "metashrew_preview" -> throw new RpcError(-32000, "Generic error: metashrew_preview is not simulated by the devnet");
                default -> throw methodNotFound();
            };
            ObjectNode o = envelope(id);
            o.set("result", result);
            return o;
        } catch (RpcError e) {
            return error(id, e.code, e.getMessage());
        }
    }

    private RpcError methodNotFound() {
        return v9() ? new RpcError(-32000, "Generic error: Method not found") : new RpcError(-32601, "Method not found");
    }

    private RpcError invalidParams(String detail) {
        return v9() ? new RpcError(-32000, "Serialization error: Invalid params: " + detail)
                : new RpcError(-32602, "Invalid params: " + detail);
    }

    private JsonNode height(long backwards) throws InterruptedException {
        node.awaitMetadata(maxMetadataBlock);
        long h = Math.max(0, node.tip() - backwards);
        return switch (line) {
            case V8 -> F.textNode(Long.toString(h + 1));
            case RC -> F.numberNode(h);
            default -> F.textNode(Long.toString(h));
        };
    }

    private JsonNode blockHash(JsonNode params) throws RpcError, InterruptedException {
        JsonNode p = params.get(0);
        if (p == null || !p.isIntegralNumber() || !p.canConvertToLong() || p.asLong() < 0) {
            throw invalidParams("expected [height: integer], got " + params);
        }
        node.awaitMetadata(maxMetadataBlock);
        long h = p.asLong();
        DevnetBlock b = node.blockForHash(h);
        if (b == null) {
            throw new RpcError(-32000, "Storage error: Block hash not found for height " + h);
        }
        return F.textNode("0x" + b.hash());
    }

    /** Parses the view height per version line; LATEST for "latest" (and for any number on rc11). */
    private long viewHeight(JsonNode p) throws RpcError {
        if (p == null || p.isNull()) {
            throw invalidParams("missing height");
        }
        if (p.isTextual() && p.asText().equals("latest")) {
            return LATEST;
        }
        switch (line) {
            case CURRENT -> {
                if (p.isTextual() && isDecimal(p.asText())) {
                    return Long.parseLong(p.asText());
                }
                if (p.isIntegralNumber() && p.canConvertToLong() && p.asLong() >= 0) {
                    return p.asLong();
                }
                throw new RpcError(-32000, "Serialization error: Invalid height: " + p);
            }
            case RC11 -> {
                if (p.isNumber()) {
                    return LATEST; // the rc11..alpha.4 trap: a JSON number is silently "latest"
                }
                if (p.isTextual() && isDecimal(p.asText())) {
                    return Long.parseLong(p.asText());
                }
                throw new RpcError(-32000, "Serialization error: Invalid height: " + p);
            }
            default -> {
                if (p.isIntegralNumber() && p.canConvertToLong() && p.asLong() >= 0) {
                    return p.asLong();
                }
                throw new RpcError(-32602, "Invalid params: height must be \"latest\" or an integer, got " + p);
            }
        }
    }

    private static boolean isDecimal(String s) {
        return !s.isEmpty() && s.length() <= 18 && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private JsonNode view(JsonNode params) throws RpcError {
        JsonNode name = params.get(0);
        JsonNode input = params.get(1);
        if (name == null || !name.isTextual() || input == null || !input.isTextual()) {
            throw invalidParams("expected [viewName, inputHex, height], got " + params);
        }
        long h = viewHeight(params.get(2));
        try {
            Hex.decode(input.asText());
        } catch (IllegalArgumentException e) {
            throw new RpcError(-32000, "Serialization error: Invalid hex input: " + e.getMessage());
        }
        List<DevnetBlock> state = node.indexedUpTo(h);
        byte[] out = switch (name.asText()) {
            case "blocktracker" -> {
                byte[] r = new byte[state.size()];
                for (int i = 0; i < r.length; i++) {
                    r[i] = (byte) Integer.parseInt(state.get(i).hash().substring(0, 2), 16);
                }
                yield r;
            }
            case "getblock" -> state.get(state.size() - 1).raw();
            default -> throw new RpcError(-32000,
                    "View function error: View function failed: Failed to get view function '" + name.asText() + "'");
        };
        return F.textNode("0x" + Hex.encode(out));
    }

    private JsonNode stateRoot(JsonNode params) throws RpcError {
        if (line == VersionLine.V8) {
            throw methodNotFound();
        }
        JsonNode p = params.get(0);
        long h;
        if (p != null && p.isTextual() && p.asText().equals("latest")) {
            h = LATEST;
        } else if (p != null && p.isTextual() && isDecimal(p.asText())) {
            h = Long.parseLong(p.asText());
        } else if (p != null && p.isIntegralNumber() && p.canConvertToLong() && p.asLong() >= 0) {
            h = p.asLong();
        } else {
            throw invalidParams("expected [height as \"latest\" or decimal string], got " + params);
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (DevnetBlock b : node.indexedUpTo(h)) {
            all.writeBytes(b.hashBytes());
        }
        return F.textNode("0x" + Hex.encode(BtcWriter.sha256(all.toByteArray())));
    }

    private JsonNode snapshot() throws RpcError {
        if (line == VersionLine.V8) {
            throw methodNotFound();
        }
        long tip = node.tip();
        ObjectNode s = F.objectNode();
        s.put("height", tip);
        s.put("tip_hash", node.indexedBlock(tip).hash());
        s.put("version_line", line.id());
        s.put("devnet", true);
        try {
            return F.textNode(MAPPER.writeValueAsString(s));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
