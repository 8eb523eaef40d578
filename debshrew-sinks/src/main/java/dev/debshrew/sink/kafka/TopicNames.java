package dev.debshrew.sink.kafka;

import dev.debshrew.util.Hex;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Maps untrusted table / source names into legal Kafka topic names, deterministically and without
 * collisions between distinct names: a name made only of legal characters is used as is; any
 * other is sanitised (illegal characters become {@code _}) and suffixed with {@code _} and the
 * first 8 hex digits of the SHA-256 of the original. A final name longer than 249 characters is
 * cut and suffixed the same way.
 */
final class TopicNames {

    static final int MAX_LENGTH = 249;

    private TopicNames() {
    }

    /** The topic for {@code table} / {@code source} under {@code template}. */
    static String expand(String template, String table, String source) {
        String t = template;
        if (t.contains("{table}")) {
            t = t.replace("{table}", part(table));
        }
        if (t.contains("{source}")) {
            t = t.replace("{source}", part(source));
        }
        if (t.length() > MAX_LENGTH) {
            String suffix = "_" + hash8(t);
            t = t.substring(0, MAX_LENGTH - suffix.length()) + suffix;
        }
        if (t.equals(".") || t.equals("..")) {
            t = t.replace('.', '_') + "_" + hash8(t);
        }
        return t;
    }

    /** One sanitised placeholder value. */
    static String part(String name) {
        if (!name.isEmpty() && KafkaSinkConfig.isLegalTopic(name)) {
            return name;
        }
        StringBuilder sb = new StringBuilder(name.length() + 9);
        name.codePoints().forEach(cp -> sb.append(cp < 128 && KafkaSinkConfig.isLegalTopicChar((char) cp)
                ? (char) cp : '_'));
        return sb.append('_').append(hash8(name)).toString();
    }

    static String hash8(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return Hex.encode(Arrays.copyOf(d, 4));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
