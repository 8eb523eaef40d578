package dev.debshrew.admin;

import com.sun.net.httpserver.HttpExchange;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The admin server's optional bearer token check: {@code Authorization: Bearer TOKEN}, compared in
 * constant time (both sides hashed with SHA-256 first, so neither the content nor the length of the
 * token leaks through timing). The token and the header are never logged.
 */
final class AdminAuth {

    private static final String BEARER = "bearer ";

    private AdminAuth() {
    }

    /** Whether the request may proceed: no token configured, or the request carries it. */
    static boolean authorized(String token, HttpExchange ex) {
        if (token == null) {
            return true;
        }
        String header = ex.getRequestHeaders().getFirst("Authorization");
        if (header == null || header.length() < BEARER.length()
                || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return false;
        }
        return MessageDigest.isEqual(sha256(header.substring(BEARER.length()).strip()), sha256(token));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
