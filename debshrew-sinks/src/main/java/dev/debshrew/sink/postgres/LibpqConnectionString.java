package dev.debshrew.sink.postgres;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A libpq connection string (the original debshrew's {@code connection_string}) translated to a
 * pgjdbc URL and connection properties.
 *
 * <p>Both libpq forms are accepted: the URI form {@code postgresql://user:pw@host:port/db?k=v}
 * (also {@code postgres://}; every part percent-decoded) and the keyword form
 * {@code host=h port=5432 dbname=db user=u password='it''s'} (values may be single-quoted, with
 * {@code \'} and {@code \\} escapes). Supported keywords: see {@link #KEYWORDS}; any other, more
 * than one host or port, and Unix-domain sockets are rejected with an error naming the keyword.
 * Error messages never contain the password (or any other value of a secret keyword).
 *
 * @param jdbcUrl    {@code jdbc:postgresql://host:port/db}, without credentials
 * @param properties pgjdbc connection properties (user, password, sslmode, ...)
 */
public record LibpqConnectionString(String jdbcUrl, Map<String, String> properties) {

    /** libpq keyword → pgjdbc property; host, port and dbname go into the URL. */
    static final Map<String, String> KEYWORDS = Map.ofEntries(
            Map.entry("user", "user"),
            Map.entry("password", "password"),
            Map.entry("sslmode", "sslmode"),
            Map.entry("sslcert", "sslcert"),
            Map.entry("sslkey", "sslkey"),
            Map.entry("sslrootcert", "sslrootcert"),
            Map.entry("sslpassword", "sslpassword"),
            Map.entry("application_name", "ApplicationName"),
            Map.entry("connect_timeout", "connectTimeout"),
            Map.entry("options", "options"),
            Map.entry("keepalives", "tcpKeepAlive"),
            Map.entry("target_session_attrs", "targetServerType"),
            Map.entry("gssencmode", "gssEncMode"));

    private static final Set<String> URL_KEYWORDS = Set.of("host", "port", "dbname");
    private static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca",
            "verify-full");
    private static final Map<String, String> SESSION_ATTRS = Map.of("any", "any", "read-write", "primary",
            "primary", "primary", "read-only", "secondary", "standby", "secondary", "prefer-standby",
            "preferSecondary");
    private static final String WHAT = "option 'connection_string'";

    public LibpqConnectionString {
        properties = Map.copyOf(properties);
    }

    /** Whether {@code s} looks like a libpq URI ({@code postgresql://} or {@code postgres://}). */
    static boolean isUri(String s) {
        return s.startsWith("postgresql://") || s.startsWith("postgres://");
    }

    /**
     * Parses either libpq form.
     *
     * @throws IllegalArgumentException naming what is wrong (never a secret value)
     */
    public static LibpqConnectionString parse(String s) {
        Map<String, String> kv = isUri(s) ? parseUri(s) : parseKeywords(s);
        return translate(kv);
    }

    // ------------------------------------------------------------------ keyword form

    static Map<String, String> parseKeywords(String s) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        int n = s.length();
        while (true) {
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= n) {
                return out;
            }
            int start = i;
            while (i < n && s.charAt(i) != '=' && !Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            String key = s.substring(start, i);
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (key.isEmpty() || i >= n || s.charAt(i) != '=') {
                throw new IllegalArgumentException(WHAT + ": expected keyword=value at position " + start
                        + " (keyword form: host=... port=... dbname=... user=...; or a postgresql:// URI)");
            }
            i++;
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            StringBuilder v = new StringBuilder();
            if (i < n && s.charAt(i) == '\'') {
                i++;
                while (true) {
                    if (i >= n) {
                        throw new IllegalArgumentException(WHAT + ": unterminated quoted value of '" + key + "'");
                    }
                    char c = s.charAt(i++);
                    if (c == '\'') {
                        break;
                    }
                    if (c == '\\' && i < n) {
                        c = s.charAt(i++);
                    }
                    v.append(c);
                }
            } else {
                while (i < n && !Character.isWhitespace(s.charAt(i))) {
                    char c = s.charAt(i++);
                    if (c == '\\' && i < n) {
                        c = s.charAt(i++);
                    }
                    v.append(c);
                }
            }
            put(out, key, v.toString());
        }
    }

    // ------------------------------------------------------------------ URI form

    static Map<String, String> parseUri(String s) {
        Map<String, String> out = new LinkedHashMap<>();
        String rest = s.substring(s.indexOf("://") + 3);
        int q = rest.indexOf('?');
        String query = q >= 0 ? rest.substring(q + 1) : "";
        rest = q >= 0 ? rest.substring(0, q) : rest;
        int slash = rest.indexOf('/');
        String authority = slash >= 0 ? rest.substring(0, slash) : rest;
        if (slash >= 0 && slash + 1 < rest.length()) {
            put(out, "dbname", decode(rest.substring(slash + 1), "dbname"));
        }
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            authority = authority.substring(at + 1);
            int colon = userInfo.indexOf(':');
            put(out, "user", decode(colon >= 0 ? userInfo.substring(0, colon) : userInfo, "user"));
            if (colon >= 0) {
                put(out, "password", decode(userInfo.substring(colon + 1), "password"));
            }
        }
        if (authority.contains(",")) {
            throw new IllegalArgumentException(WHAT + ": several hosts (" + authority + ") are not supported; give"
                    + " one host (for failover use a JDBC URL in 'url')");
        }
        String host = authority;
        String port = null;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException(WHAT + ": unterminated IPv6 address '" + authority + "'");
            }
            host = authority.substring(1, close);
            String after = authority.substring(close + 1);
            port = after.startsWith(":") ? after.substring(1) : null;
        } else if (authority.lastIndexOf(':') >= 0) {
            host = authority.substring(0, authority.lastIndexOf(':'));
            port = authority.substring(authority.lastIndexOf(':') + 1);
        }
        if (!host.isEmpty()) {
            put(out, "host", decode(host, "host"));
        }
        if (port != null && !port.isEmpty()) {
            put(out, "port", decode(port, "port"));
        }
        if (!query.isEmpty()) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException(WHAT + ": query parameter '" + pair.replaceAll("=.*", "")
                            + "' must be key=value");
                }
                String key = decode(pair.substring(0, eq), "a query parameter name");
                out.remove(key); // a query parameter overrides the same part of the URI, as in libpq
                put(out, key, decode(pair.substring(eq + 1), "'" + key + "'"));
            }
        }
        return out;
    }

    /** Percent-decoding (UTF-8); {@code +} stays {@code +}, as in libpq. */
    private static String decode(String s, String part) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '%') {
                int hi = i + 2 < bytes.length ? Character.digit(bytes[i + 1], 16) : -1;
                int lo = i + 2 < bytes.length ? Character.digit(bytes[i + 2], 16) : -1;
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException(WHAT + ": invalid percent-encoding in " + part);
                }
                out.write(hi * 16 + lo);
                i += 2;
            } else {
                out.write(bytes[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void put(Map<String, String> out, String key, String value) {
        if (out.put(key, value) != null) {
            throw new IllegalArgumentException(WHAT + ": '" + key + "' is given twice");
        }
    }

    // ------------------------------------------------------------------ translation

    private static LibpqConnectionString translate(Map<String, String> kv) {
        Map<String, String> props = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : kv.entrySet()) {
            String key = e.getKey();
            String value = e.getValue();
            if (URL_KEYWORDS.contains(key)) {
                continue;
            }
            String property = KEYWORDS.get(key);
            if (property == null) {
                Set<String> known = new TreeSet<>(KEYWORDS.keySet());
                known.addAll(URL_KEYWORDS);
                throw new IllegalArgumentException(WHAT + ": unsupported keyword '" + key + "' (supported: " + known
                        + ")");
            }
            props.put(property, convert(key, value));
        }
        String host = kv.getOrDefault("host", "localhost");
        if (host.contains(",")) {
            throw new IllegalArgumentException(WHAT + ": several hosts (" + host + ") are not supported; give one host"
                    + " (for failover use a JDBC URL in 'url')");
        }
        if (host.startsWith("/") || host.startsWith("@")) {
            throw new IllegalArgumentException(WHAT + ": host '" + host + "' is a Unix-domain socket, which is not"
                    + " supported; connect over TCP (e.g. host=127.0.0.1)");
        }
        String port = kv.getOrDefault("port", "5432");
        if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException(WHAT + ": port '" + port + "' must be one number in 1..65535"
                    + (port.contains(",") ? " (several hosts/ports are not supported)" : ""));
        }
        String db = kv.getOrDefault("dbname", kv.getOrDefault("user", ""));
        String urlHost = host.contains(":") ? "[" + host + "]" : host;
        String url = "jdbc:postgresql://" + urlHost + ":" + port + "/" + encodePath(db);
        return new LibpqConnectionString(url, props);
    }

    private static String convert(String key, String value) {
        switch (key) {
            case "sslmode" -> {
                if (!SSL_MODES.contains(value)) {
                    throw new IllegalArgumentException(WHAT + ": sslmode '" + value + "' must be one of "
                            + new TreeSet<>(SSL_MODES));
                }
                return value;
            }
            case "connect_timeout" -> {
                if (!value.matches("[0-9]{1,9}")) {
                    throw new IllegalArgumentException(WHAT + ": connect_timeout '" + value + "' must be seconds");
                }
                return value;
            }
            case "keepalives" -> {
                return String.valueOf(!value.equals("0"));
            }
            case "target_session_attrs" -> {
                String v = SESSION_ATTRS.get(value.toLowerCase(Locale.ROOT));
                if (v == null) {
                    throw new IllegalArgumentException(WHAT + ": target_session_attrs '" + value + "' must be one of "
                            + new TreeSet<>(SESSION_ATTRS.keySet()));
                }
                return v;
            }
            default -> {
                return value;
            }
        }
    }

    /** Percent-encodes a database name for the JDBC URL path. */
    private static String encodePath(String db) {
        StringBuilder sb = new StringBuilder();
        for (byte b : db.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c < 128 && (Character.isLetterOrDigit(c) || "-._~".indexOf(c) >= 0)) {
                sb.append((char) c);
            } else {
                sb.append('%').append(String.format("%02X", c));
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        Map<String, String> shown = new LinkedHashMap<>(properties);
        shown.computeIfPresent("password", (k, v) -> dev.debshrew.util.Secrets.MASK);
        shown.computeIfPresent("sslpassword", (k, v) -> dev.debshrew.util.Secrets.MASK);
        return jdbcUrl + " " + shown;
    }
}
