package dev.debshrew.sink.kafka;

import dev.debshrew.util.Hex;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Maps untrusted table / source names into legal Kafka topic names, injectively: distinct names
 * (or (source, table) pairs) never share a topic, not even after Kafka folds {@code .} into
 * {@code _} for metric names (Kafka refuses a topic whose folded name equals an existing one).
 *
 * <p>Each placeholder value becomes a <em>part</em>:
 * <ul>
 *   <li>a <em>safe</em> name is used as is: it starts with a letter or digit and otherwise holds
 *       only letters, digits, {@code -} and (when the template has a single placeholder) {@code _};
 *       at most 215 characters;
 *   <li>any other name is escaped: {@code -} followed by the name where letters and digits stay,
 *       every other UTF-16 unit below U+0100 becomes {@code -hh} and every other unit
 *       {@code --hhhh} (lowercase hex). Escaped parts start with {@code -}, safe ones never do, and
 *       the escape is reversible, so no name can be crafted to land on another's part.
 * </ul>
 * Parts never contain {@code .}, so a single-placeholder template maps distinct names to distinct
 * topics also after {@code .}/{@code _} folding. With both placeholders, parts contain neither
 * {@code .} nor {@code _} and the template must have one of them between the placeholders
 * ({@link #isLegalTemplate}), which makes the pair recoverable from the (folded)
 * name. A topic longer than 215 characters is cut to 215 and suffixed with {@code --} and the first
 * 32 hex digits (128 bits) of the SHA-256 of the full name: exactly 249 characters, so cut names
 * never equal uncut ones, and two cut names collide only if SHA-256 does.
 *
 * <p>Public so that every writer of debshrew's CDC topics routes alike (the Kafka sink's
 * {@code topic_template} and debshrew-connect's {@code topic.template}): validate a template with
 * {@link #isLegalTemplate}, map (table, source) with {@link #expand}, and compare topics as Kafka does
 * with {@link #folded}.
 */
public final class TopicNames {

    static final int MAX_LENGTH = 249;
    /** Longest name used without a hash suffix ({@code --} + 32 hex digits fill up to 249). */
    static final int MAX_PLAIN_LENGTH = MAX_LENGTH - 34;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private TopicNames() {
    }

    /** Whether {@code name} is a legal Kafka topic name. */
    public static boolean isLegalTopic(String name) {
        if (name.isEmpty() || name.length() > MAX_LENGTH || name.equals(".") || name.equals("..")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!isLegalTopicChar(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code template} is a usable {@code topic_template}: at least one placeholder, each at
     * most once, legal topic characters around them, and with both placeholders a {@code .} or
     * {@code _} between them (placeholder values never contain either, so the pair stays
     * recoverable from the topic name; see the class comment).
     */
    public static boolean isLegalTemplate(String template) {
        int t = template.indexOf("{table}");
        int s = template.indexOf("{source}");
        if ((t < 0 && s < 0) || (t >= 0 && template.indexOf("{table}", t + 1) >= 0)
                || (s >= 0 && template.indexOf("{source}", s + 1) >= 0)) {
            return false;
        }
        String literal = template.replace("{table}", "").replace("{source}", "");
        for (int i = 0; i < literal.length(); i++) {
            if (!isLegalTopicChar(literal.charAt(i))) {
                return false;
            }
        }
        if (t >= 0 && s >= 0) {
            String between = t < s ? template.substring(t + "{table}".length(), s)
                    : template.substring(s + "{source}".length(), t);
            return between.contains(".") || between.contains("_");
        }
        return true;
    }

    static boolean isLegalTopicChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == '-';
    }

    /**
     * The topic for {@code table} / {@code source} under {@code template} (one that
     * {@link #isLegalTemplate} accepts): always a legal topic name, distinct for distinct pairs.
     */
    public static String expand(String template, String table, String source) {
        boolean both = template.contains("{table}") && template.contains("{source}");
        String t = template;
        if (t.contains("{table}")) {
            t = t.replace("{table}", part(table, both));
        }
        if (t.contains("{source}")) {
            t = t.replace("{source}", part(source, both));
        }
        if (t.length() > MAX_PLAIN_LENGTH) {
            t = t.substring(0, MAX_PLAIN_LENGTH) + "--" + hash32(t);
        }
        return t;
    }

    /** How Kafka names {@code topic} in metrics; two topics with the same folded name cannot coexist. */
    public static String folded(String topic) {
        return topic.replace('.', '_');
    }

    /**
     * One placeholder value as a topic-name part.
     *
     * @param strict whether {@code _} must be escaped too (templates with both placeholders)
     */
    static String part(String name, boolean strict) {
        if (isSafe(name, strict)) {
            return name;
        }
        StringBuilder sb = new StringBuilder(name.length() * 3 + 1).append('-');
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (isAlnum(c)) {
                sb.append(c);
            } else if (c < 0x100) {
                sb.append('-').append(HEX[c >> 4]).append(HEX[c & 15]);
            } else {
                sb.append("--").append(HEX[c >> 12]).append(HEX[(c >> 8) & 15]).append(HEX[(c >> 4) & 15])
                        .append(HEX[c & 15]);
            }
        }
        return sb.toString();
    }

    private static boolean isSafe(String name, boolean strict) {
        if (name.isEmpty() || name.length() > MAX_PLAIN_LENGTH || !isAlnum(name.charAt(0))) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!isAlnum(c) && c != '-' && (strict || c != '_')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    private static String hash32(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return Hex.encode(Arrays.copyOf(d, 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
