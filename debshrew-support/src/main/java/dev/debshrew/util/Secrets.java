package dev.debshrew.util;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Redaction of credentials before anything is logged, put in an exception message, a
 * {@code toString} or a status page. Every component that prints a URL, a connection string or a
 * configuration value that may hold a secret goes through here, so there is one rule for all.
 */
public final class Secrets {

    /** What a redacted value is replaced with. */
    public static final String MASK = "***";

    /** {@code password=...} / {@code pw: ...} style pairs in libpq strings, JDBC properties and JAAS configs. */
    private static final Pattern KEY_VALUE = Pattern.compile(
            "(?i)((?:password|passwd|pwd|secret|token|api[_-]?key|sslpassword)\\s*[=:]\\s*)(\"[^\"]*\"|'[^']*'|[^\\s;&,)]+)");

    /** {@code scheme://user:password@} user info in any URL-like string. */
    private static final Pattern USER_INFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)([^/@\\s]*)@");

    private Secrets() {
    }

    /**
     * A URL with its user info replaced by {@link #MASK} and secret-looking query parameters
     * masked; the host, port and path stay (they are what an operator needs to diagnose).
     * Unparsable input is still scrubbed with {@link #scrub}.
     */
    public static String redactUrl(String url) {
        return scrub(url);
    }

    /**
     * Masks every credential this class recognises inside free text: URL user info
     * ({@code user:pw@} becomes {@code ***@}) and {@code password=...}-style pairs.
     */
    public static String scrub(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = USER_INFO.matcher(text);
        String s = m.replaceAll(r -> Matcher.quoteReplacement(r.group(1) + MASK + "@"));
        return KEY_VALUE.matcher(s).replaceAll(r -> Matcher.quoteReplacement(r.group(1) + MASK));
    }

    /** {@link #MASK} for a non-empty secret, the value itself when it is null or empty. */
    public static String mask(String secret) {
        return secret == null || secret.isEmpty() ? secret : MASK;
    }
}
