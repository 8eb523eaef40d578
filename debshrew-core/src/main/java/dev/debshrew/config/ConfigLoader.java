package dev.debshrew.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.util.Secrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the daemon's configuration the way an operator writes it (docs/configuration.md):
 * <ol>
 * <li>the file, JSON or YAML chosen by its extension ({@code .yaml}/{@code .yml}, else JSON);</li>
 * <li>{@code ${VAR}} and {@code ${VAR:-default}} in string values, from the environment
 *     ({@code $${} is a literal {@code ${}); an unset variable without default is an error naming the
 *     key path and the variable;</li>
 * <li>{@code DEBSHREW_<PATH>} environment overrides ({@link EnvOverrides});</li>
 * <li>{@code <key>_file} for secrets ({@code password_file}, {@code token_file}...): the file's
 *     content, one trailing newline removed, registered with {@link Secrets}.</li>
 * </ol>
 */
public final class ConfigLoader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern VAR = Pattern.compile("\\$\\$\\{|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
    private static final String FILE_SUFFIX = "_file";

    private ConfigLoader() {
    }

    /** Reads, substitutes, applies {@code env}'s overrides and secret files, and validates {@code file}. */
    public static DebshrewConfig load(Path file, Map<String, String> env) throws ConfigException {
        return DebshrewConfig.fromJson(read(file, env), file.toString());
    }

    /** The config tree of {@code file} with substitution, {@code env}'s overrides and secret files applied. */
    public static ObjectNode read(Path file, Map<String, String> env) throws ConfigException {
        ObjectNode root = parse(file, "config file");
        String source = file.toString();
        substitute(root, env, source);
        EnvOverrides.apply(root, env);
        resolveSecretFiles(root, source);
        return root;
    }

    /** Whether {@code file} is read as YAML ({@code .yaml} or {@code .yml}). */
    public static boolean isYaml(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".yaml") || name.endsWith(".yml");
    }

    /**
     * Parses {@code file} (YAML or JSON by extension) into an object tree.
     *
     * @param what what the file is, for errors (e.g. {@code "config file"})
     */
    public static ObjectNode parse(Path file, String what) throws ConfigException {
        boolean yaml = isYaml(file);
        try {
            JsonNode n = (yaml ? YAML : CdcCodec.mapper()).readTree(Files.readAllBytes(file));
            if (n == null || n.isMissingNode() || n.isNull()) {
                return CdcCodec.mapper().createObjectNode();
            }
            if (!n.isObject()) {
                throw new ConfigException(what + " " + file + " must contain " + (yaml ? "a YAML mapping" : "a JSON object"));
            }
            // a YAML tree's numbers and strings are plain Jackson nodes: the same tree as the JSON equivalent
            return (ObjectNode) CdcCodec.mapper().valueToTree(n);
        } catch (NoSuchFileException e) {
            throw new ConfigException(what + " " + file + " does not exist");
        } catch (JsonProcessingException e) {
            if (!yaml) {
                throw ConfigRedaction.notJson(what, file, e);
            }
            // the YAML problem mark quotes a line of the file, which may hold a password: position only
            throw new ConfigException(what + " " + file + " is not valid YAML"
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr()));
        } catch (IOException e) {
            throw new ConfigException(what + " " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** Replaces {@code ${VAR}} / {@code ${VAR:-default}} in every string value of the tree. */
    public static void substitute(JsonNode node, Map<String, String> env, String source) throws ConfigException {
        substitute(node, "", env, source);
    }

    private static void substitute(JsonNode node, String path, Map<String, String> env, String source)
            throws ConfigException {
        if (node instanceof ObjectNode o) {
            List<String> keys = new ArrayList<>();
            o.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                String p = path.isEmpty() ? k : path + "." + k;
                JsonNode v = o.get(k);
                if (v.isTextual()) {
                    o.set(k, TextNode.valueOf(expand(v.textValue(), p, env, source)));
                } else {
                    substitute(v, p, env, source);
                }
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                String p = path + "[" + i + "]";
                if (a.get(i).isTextual()) {
                    a.set(i, TextNode.valueOf(expand(a.get(i).textValue(), p, env, source)));
                } else {
                    substitute(a.get(i), p, env, source);
                }
            }
        }
    }

    /** {@code text} with its variables replaced; errors name {@code path} and the variable. */
    static String expand(String text, String path, Map<String, String> env, String source) throws ConfigException {
        if (!text.contains("${")) {
            return text;
        }
        Matcher m = VAR.matcher(text);
        StringBuilder out = new StringBuilder();
        int last = 0;
        while (m.find()) {
            String between = text.substring(last, m.start());
            if (between.contains("${")) {
                throw malformed(path, source);
            }
            out.append(between);
            last = m.end();
            if (m.group().equals("$${")) {
                out.append("${");
                continue;
            }
            String value = env.get(m.group(1));
            if (value == null || (value.isEmpty() && m.group(2) != null)) {
                if (m.group(2) == null) {
                    throw new ConfigException(source + ": option '" + path + "': environment variable " + m.group(1)
                            + " is not set (write ${" + m.group(1) + ":-default} to give a default)");
                }
                value = m.group(2);
            }
            out.append(value);
        }
        if (text.substring(last).contains("${")) {
            throw malformed(path, source);
        }
        String result = out.append(text, last, text.length()).toString();
        return result;
    }

    private static ConfigException malformed(String path, String source) {
        return new ConfigException(source + ": option '" + path + "': malformed ${...}: write ${NAME} or"
                + " ${NAME:-default} (NAME: letters, digits, _), or $${ for a literal ${");
    }

    /**
     * Replaces each {@code <key>_file} whose key names a secret (password, token, secret, ...) by
     * {@code <key>} with the file's content, one trailing newline removed.
     */
    public static void resolveSecretFiles(JsonNode node, String source) throws ConfigException {
        resolveSecretFiles(node, "", source);
    }

    private static void resolveSecretFiles(JsonNode node, String path, String source) throws ConfigException {
        if (node instanceof ObjectNode o) {
            List<String> keys = new ArrayList<>();
            o.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                String p = path.isEmpty() ? k : path + "." + k;
                String stem = k.substring(0, Math.max(0, k.length() - FILE_SUFFIX.length()));
                if (k.endsWith(FILE_SUFFIX) && !stem.isEmpty() && Secrets.isSecretKey(stem) && o.get(k).isTextual()) {
                    String stemPath = path.isEmpty() ? stem : path + "." + stem;
                    if (o.hasNonNull(stem)) {
                        throw new ConfigException(source + ": options '" + stemPath + "' and '" + p
                                + "' are the same option; give only one");
                    }
                    Path file = Path.of(o.remove(k).textValue());
                    o.put(stem, readSecret(file, p, source));
                } else {
                    resolveSecretFiles(o.get(k), p, source);
                }
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                resolveSecretFiles(a.get(i), path + "[" + i + "]", source);
            }
        }
    }

    /** The secret in {@code file}, one trailing newline removed, registered with {@link Secrets}. */
    private static String readSecret(Path file, String path, String source) throws ConfigException {
        String value;
        try {
            value = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(source + ": option '" + path + "': file " + file + " does not exist");
        } catch (IOException | RuntimeException e) {
            // the exception's class says why (AccessDeniedException: permission denied); never the content
            throw new ConfigException(source + ": option '" + path + "': cannot read file " + file + ": "
                    + (e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e.getClass().getSimpleName()));
        }
        if (value.endsWith("\r\n")) {
            value = value.substring(0, value.length() - 2);
        } else if (value.endsWith("\n")) {
            value = value.substring(0, value.length() - 1);
        }
        if (value.isEmpty()) {
            throw new ConfigException(source + ": option '" + path + "': file " + file + " is empty");
        }
        Secrets.register(value);
        return value;
    }
}
