package dev.debshrew.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The live status page served at {@code GET /}: one self-contained HTML file (inline CSS and
 * JavaScript, no build step, nothing loaded from elsewhere) that polls {@code /status} and
 * {@code /status/history} every two seconds. Loaded once from the class path.
 */
final class StatusPage {

    /**
     * Sent with the page: nothing but the page itself, its inline script and style, and requests to
     * this server; no frames.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'unsafe-inline';"
            + " style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'";

    private static final String HTML = load();

    private StatusPage() {
    }

    /** The page. */
    static String html() {
        return HTML;
    }

    private static String load() {
        try (InputStream in = StatusPage.class.getResourceAsStream("status.html")) {
            if (in == null) {
                throw new IllegalStateException("status.html missing from the class path (dev/debshrew/admin)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read status.html from the class path", e);
        }
    }

    /** Whether a request is for the page itself (static, no data), which needs no token. */
    static boolean isPagePath(String path, String method) {
        return ("GET".equals(method) || "HEAD".equals(method)) && ("/".equals(path) || "/index.html".equals(path));
    }
}
