package dev.debshrew.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * {@code POST /admin/reload} (behind the admin token like every data endpoint): an optional JSON
 * body {@code {"module": "/path/to/new.wasm"}} names the module, else the configured
 * {@code transform.path} is read again from disk. Answers 200 with the report
 * ({@link ModuleReloads.Report#toJson}) when the module was accepted, 422 when it could not be
 * loaded (the old module runs on), 400 for a body that is not such JSON, 405 for another method.
 */
final class ReloadEndpoint {

    static final String PATH = "/admin/reload";
    private static final int MAX_BODY = 64 * 1024;

    private ReloadEndpoint() {
    }

    /** A status and a JSON body. */
    record Answer(int status, String body) {
    }

    static Answer handle(HttpExchange ex, ModuleReloads reloads, ObjectMapper mapper) throws IOException {
        if (!"POST".equals(ex.getRequestMethod())) {
            ex.getResponseHeaders().set("Allow", "POST");
            return error(mapper, 405, PATH + " accepts POST only");
        }
        if (reloads == null) {
            return error(mapper, 503, "hot reload is not available in this process");
        }
        Object module = module(ex, mapper);
        if (module instanceof Answer refused) {
            return refused;
        }
        ModuleReloads.Report r = reloads.reload((String) module);
        return new Answer(r.ok() ? 200 : 422, mapper.writeValueAsString(r.toJson(mapper.createObjectNode())) + "\n");
    }

    /**
     * {@code POST /admin/reload?pipeline=NAME} of a daemon with several pipelines: that pipeline's
     * reload, as {@link #handle}; without a name every pipeline reloads its configured module
     * (a {@code module} in the body then needs a name): {@code {"ok": .., "pipelines": {NAME: report}}}.
     */
    static Answer handle(HttpExchange ex, List<PipelineView> pipelines, String name, ObjectMapper mapper)
            throws IOException {
        if (name != null) {
            PipelineView v = pipelines.stream().filter(p -> name.equals(p.name())).findFirst().orElse(null);
            if (v == null) {
                return error(mapper, 404, "no pipeline named '" + name + "'");
            }
            return handle(ex, v.reloads(), mapper);
        }
        if (!"POST".equals(ex.getRequestMethod())) {
            ex.getResponseHeaders().set("Allow", "POST");
            return error(mapper, 405, PATH + " accepts POST only");
        }
        Object module = module(ex, mapper);
        if (module instanceof Answer refused) {
            return refused;
        }
        if (module != null) {
            return error(mapper, 400, "a module path needs a pipeline: " + PATH + "?pipeline=NAME");
        }
        ObjectNode body = mapper.createObjectNode();
        ObjectNode each = body.putObject("pipelines");
        boolean ok = true;
        for (PipelineView p : pipelines) {
            if (p.reloads() == null) {
                continue;
            }
            ModuleReloads.Report r = p.reloads().reload(null);
            ok &= r.ok();
            r.toJson(each.putObject(p.name()));
        }
        body.put("ok", ok);
        return new Answer(ok ? 200 : 422, mapper.writeValueAsString(body) + "\n");
    }

    /** The body's {@code module} (null: the configured one), or the {@link Answer} refusing the body. */
    private static Object module(HttpExchange ex, ObjectMapper mapper) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            return error(mapper, 400, "request body larger than " + MAX_BODY + " bytes");
        }
        if (new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            return null;
        }
        JsonNode json;
        try {
            json = mapper.readTree(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return error(mapper, 400, "request body is not JSON: " + e.getOriginalMessage());
        }
        JsonNode m = json == null ? null : json.get("module");
        if (json == null || !json.isObject() || (m != null && !m.isTextual() && !m.isNull())) {
            return error(mapper, 400, "request body must be a JSON object, optionally {\"module\": \"PATH\"}");
        }
        return m == null || m.isNull() ? null : m.asText();
    }

    private static Answer error(ObjectMapper mapper, int status, String message) throws IOException {
        return new Answer(status, mapper.writeValueAsString(mapper.createObjectNode().put("ok", false)
                .put("error", message)) + "\n");
    }
}
