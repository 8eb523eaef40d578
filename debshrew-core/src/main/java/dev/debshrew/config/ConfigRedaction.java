package dev.debshrew.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.util.Secrets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Keeps the configuration's secrets out of every output: registers them with {@link Secrets} as
 * soon as the tree is read, and reports JSON syntax errors without the offending token.
 */
public final class ConfigRedaction {

    private ConfigRedaction() {
    }

    /**
     * Registers every secret of the tree with {@link Secrets} before anything can quote it: the
     * metashrew password, URL credentials and header values, and the sinks' passwords, secret-named
     * options ({@code sasl.jaas.config}...) and credentials in their URLs.
     */
    public static void registerSecrets(JsonNode root) {
        Secrets.registerConfig(CdcCodec.mapper().convertValue(root, new TypeReference<Map<String, Object>>() { }));
        root.path("metashrew").path("headers").forEach(v -> Secrets.register(v.isValueNode() ? v.asText() : v.toString()));
    }

    /**
     * The error for a file that is not valid JSON: where and what, without the offending token,
     * which may be an unquoted password (Jackson quotes it: {@code Unrecognized token 'hunter2'}).
     *
     * @param what what the file is, e.g. {@code "config file"}
     */
    public static ConfigException notJson(String what, Path file, JsonProcessingException e) {
        String why = e.getOriginalMessage() == null ? "syntax error"
                : e.getOriginalMessage().replaceAll("'[^'\\n]*'", "'...'").replaceAll("\\s+", " ");
        return new ConfigException(what + " " + file + " is not valid JSON: " + why
                + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                        + e.getLocation().getColumnNr()));
    }
}
