package dev.debshrew.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Helpers shared by the sinks' option declarations: unknown-key checks, prefixed pass-through, docs. */
public final class ConfigOptions {

    /** Keys the daemon's config may put in every sink section; sinks ignore them. */
    public static final Set<String> COMMON_KEYS = Set.of("type", "name", "enabled");

    private ConfigOptions() {
    }

    /**
     * Rejects keys that are neither declared options (or aliases), nor start with one of
     * {@code prefixes}, nor one of {@link #COMMON_KEYS}: a typo must not silently fall back to a
     * default.
     */
    public static void checkKnown(Map<String, ?> config, List<ConfigOption<?>> options, List<String> prefixes,
            String owner) {
        Set<String> known = new HashSet<>(COMMON_KEYS);
        for (ConfigOption<?> o : options) {
            known.addAll(o.names());
        }
        List<String> unknown = new ArrayList<>();
        outer:
        for (String k : config.keySet()) {
            if (known.contains(k)) {
                continue;
            }
            for (String p : prefixes) {
                if (k.startsWith(p) && k.length() > p.length()) {
                    continue outer;
                }
            }
            unknown.add(k);
        }
        if (!unknown.isEmpty()) {
            List<String> names = new ArrayList<>();
            options.forEach(o -> names.add(o.name()));
            throw new IllegalArgumentException(owner + ": unknown option(s) " + unknown + "; known options: " + names
                    + (prefixes.isEmpty() ? "" : " and keys starting with " + prefixes));
        }
    }

    /**
     * The entries whose key starts with {@code prefix}, prefix removed, values as strings (for
     * client property pass-through, e.g. {@code producer.sasl.mechanism}).
     */
    public static Map<String, String> withPrefix(Map<String, ?> config, String prefix) {
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, ?> e : config.entrySet()) {
            if (e.getKey().startsWith(prefix) && e.getKey().length() > prefix.length() && e.getValue() != null) {
                out.put(e.getKey().substring(prefix.length()), String.valueOf(e.getValue()));
            }
        }
        return out;
    }

    /**
     * The message of a section's option error with every quoted option name given its key path, e.g.
     * {@code kafka sink: option 'batch_size': ...} with prefix {@code sink.} becomes
     * {@code kafka sink: option 'sink.batch_size': ...}.
     */
    public static String qualify(String message, String pathPrefix) {
        if (message == null) {
            return null;
        }
        String quoted = java.util.regex.Matcher.quoteReplacement(pathPrefix);
        String s = message.replaceAll("\\b(options? |and )'([A-Za-z0-9_.\\[\\]-]+)'", "$1'" + quoted + "$2'");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("unknown option\\(s\\) \\[([^\\]]*)\\]").matcher(s);
        if (m.find()) {
            List<String> keys = new ArrayList<>();
            for (String k : m.group(1).split(", ")) {
                keys.add(pathPrefix + k);
            }
            s = s.substring(0, m.start()) + "unknown option(s) " + keys + s.substring(m.end());
        }
        return s;
    }

    /** A Markdown table documenting {@code options} (name, type, default, meaning). */
    public static String markdownTable(List<ConfigOption<?>> options) {
        StringBuilder sb = new StringBuilder();
        sb.append("| Option | Type | Default | Meaning |\n|---|---|---|---|\n");
        for (ConfigOption<?> o : options) {
            String name = "`" + o.name() + "`";
            for (String a : o.aliases()) {
                name += " (alias `" + a + "`)";
            }
            String doc = o.doc();
            if (o.validationText() != null) {
                doc += " Validation: " + o.validationText() + ".";
            }
            sb.append("| ").append(name)
                    .append(" | ").append(o.type().replace("|", "\\|"))
                    .append(" | ").append(o.required() ? "required"
                            : o.defaultValue() == null && o.defaultText().equals("(none)") ? "—"
                            : "`" + o.defaultText() + "`")
                    .append(" | ").append(doc.replace("|", "\\|").replace("\n", " "))
                    .append(" |\n");
        }
        return sb.toString();
    }
}
