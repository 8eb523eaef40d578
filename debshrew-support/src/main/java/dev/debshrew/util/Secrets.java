package dev.debshrew.util;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Redaction of credentials before anything is logged, put in an exception message, a
 * {@code toString} or a status page. Every component that prints a URL, a connection string or a
 * configuration value that may hold a secret goes through here, so there is one rule for all:
 *
 * <ul>
 * <li>URL user info ({@code scheme://user:password@}) becomes {@code scheme://***@};</li>
 * <li>{@code password=...}-style pairs (libpq strings, JDBC properties, JAAS configs) keep their key
 *     and lose their value;</li>
 * <li>every value {@linkplain #register registered} as a secret (configured passwords, header values,
 *     URL credentials) is replaced wherever it appears, whatever the surrounding text.</li>
 * </ul>
 * The daemon registers its configured secrets when it reads its configuration, and its log layout
 * passes every message and stack trace through {@link #scrub}.
 */
public final class Secrets {

    /** What a redacted value is replaced with. */
    public static final String MASK = "***";

    /**
     * Shortest secret {@link #register} remembers: masking a one- or two-character value everywhere
     * would make every log line unreadable (and such a value is no secret anyway).
     */
    public static final int MIN_REGISTERED_LENGTH = 4;

    /** {@code password=...} / {@code pw: ...} style pairs in libpq strings, JDBC properties and JAAS configs. */
    private static final Pattern KEY_VALUE = Pattern.compile(
            "(?i)((?:password|passwd|pwd|secret|token|api[_-]?key|sslpassword)\\s*[=:]\\s*)(\"[^\"]*\"|'[^']*'|[^\\s;&,)]+)");

    /** {@code scheme://user:password@} user info in any URL-like string. */
    private static final Pattern USER_INFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)([^/@\\s]*)@");

    /** Option or property names whose values are secrets. */
    private static final Pattern SECRET_KEY = Pattern.compile(
            "(?i).*(password|passwd|secret|token|api[_-]?key|jaas|credential|authorization).*");

    /** Registered secret values, longest first when masking (a secret containing another one). */
    private static final Set<String> REGISTERED = ConcurrentHashMap.newKeySet();

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
     * The URL of a remote endpoint (the metashrew node, a gateway) as it may be shown: scheme, user
     * info as {@code ***@} when present, host and port; a path beyond {@code /} becomes {@code /...}
     * and a query {@code ?...}, because gateways carry API keys in either. For example
     * {@code https://user:key@gw.example/v1/KEY?x=1} becomes {@code https://***@gw.example/...?...}.
     * Unparsable input yields {@code (unparsable URL)}.
     */
    public static String redactEndpoint(String url) {
        if (url == null) {
            return null;
        }
        try {
            URI u = new URI(url);
            if (u.getScheme() == null || u.getHost() == null) {
                return "(unparsable URL)";
            }
            String raw = u.getRawPath();
            String path = raw == null || raw.isEmpty() || raw.equals("/") ? "/" : "/...";
            return u.getScheme() + "://" + (u.getRawUserInfo() != null ? MASK + "@" : "")
                    + u.getHost() // an IPv6 host keeps its brackets
                    + (u.getPort() >= 0 ? ":" + u.getPort() : "") + path + (u.getRawQuery() != null ? "?..." : "");
        } catch (URISyntaxException e) {
            return "(unparsable URL)";
        }
    }

    /**
     * Masks every credential this class recognises inside free text: URL user info
     * ({@code user:pw@} becomes {@code ***@}), {@code password=...}-style pairs and every
     * {@linkplain #register registered} secret.
     */
    public static String scrub(String text) {
        if (text == null) {
            return null;
        }
        String s = text;
        if (!REGISTERED.isEmpty()) {
            List<String> known = REGISTERED.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();
            for (String secret : known) {
                if (s.contains(secret)) {
                    s = s.replace(secret, MASK);
                }
            }
        }
        Matcher m = USER_INFO.matcher(s);
        s = m.replaceAll(r -> Matcher.quoteReplacement(r.group(1) + MASK + "@"));
        return KEY_VALUE.matcher(s).replaceAll(r -> Matcher.quoteReplacement(r.group(1) + MASK));
    }

    /** {@link #MASK} for a non-empty secret, the value itself when it is null or empty. */
    public static String mask(String secret) {
        return secret == null || secret.isEmpty() ? secret : MASK;
    }

    /** {@code headers} with every value {@linkplain #mask masked}, for showing which headers are set. */
    public static Map<String, String> maskValues(Map<String, String> headers) {
        Map<String, String> out = new LinkedHashMap<>();
        headers.forEach((k, v) -> out.put(k, mask(v)));
        return out;
    }

    /**
     * Remembers {@code secret} so that {@link #scrub} masks it wherever it appears, also in its
     * percent-encoded form. Values shorter than {@link #MIN_REGISTERED_LENGTH} are ignored.
     * Process-wide: registered secrets stay registered.
     */
    public static void register(String secret) {
        if (secret == null || secret.length() < MIN_REGISTERED_LENGTH) {
            return;
        }
        REGISTERED.add(secret);
        String encoded = java.net.URLEncoder.encode(secret, StandardCharsets.UTF_8);
        if (!encoded.equals(secret)) {
            REGISTERED.add(encoded);
            REGISTERED.add(encoded.replace("+", "%20"));
        }
    }

    /**
     * Registers the credentials in the user info of {@code url} (user and password, raw and
     * decoded), if it has any. Text that is not a URL is scanned for {@code scheme://user:pw@}.
     */
    public static void registerUrlCredentials(String url) {
        if (url == null) {
            return;
        }
        Matcher m = USER_INFO.matcher(url);
        while (m.find()) {
            String info = m.group(2);
            int colon = info.indexOf(':');
            String password = colon < 0 ? null : info.substring(colon + 1);
            register(info);
            register(password);
            if (password != null) {
                try {
                    register(URLDecoder.decode(password.replace("+", "%2B"), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException ignored) {
                    // not percent-encoded: registered as is
                }
            }
        }
        Matcher kv = KEY_VALUE.matcher(url);
        while (kv.find()) {
            register(unquote(kv.group(2)));
        }
    }

    /** Whether an option or property named {@code key} holds a secret (password, token, JAAS config...). */
    public static boolean isSecretKey(String key) {
        return key != null && SECRET_KEY.matcher(key).matches();
    }

    /**
     * Registers every secret in a configuration map (recursively): values of {@linkplain #isSecretKey
     * secret keys}, and URL credentials or {@code password=} pairs inside any string value.
     */
    public static void registerConfig(Map<String, ?> config) {
        config.forEach((k, v) -> registerValue(k, v));
    }

    private static void registerValue(String key, Object v) {
        if (v instanceof Map<?, ?> map) {
            map.forEach((k, x) -> registerValue(String.valueOf(k), x));
        } else if (v instanceof Iterable<?> list) {
            list.forEach(x -> registerValue(key, x));
        } else if (v != null) {
            String s = String.valueOf(v);
            if (isSecretKey(key)) {
                register(s);
            }
            registerUrlCredentials(s);
        }
    }

    private static String unquote(String s) {
        if (s.length() >= 2 && (s.charAt(0) == '"' || s.charAt(0) == '\'') && s.charAt(s.length() - 1) == s.charAt(0)) {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }
}
