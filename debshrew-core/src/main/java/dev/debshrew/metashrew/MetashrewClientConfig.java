package dev.debshrew.metashrew;

import dev.debshrew.util.Secrets;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Immutable settings of a {@link MetashrewClient}. Build with {@link #builder(String)}; every setter
 * validates its argument and {@link Builder#build()} checks the combination, throwing
 * {@link IllegalArgumentException} with a message naming the offending setting (and never quoting a
 * credential). {@link #toString()} shows no password, URL credentials, path, query or header value.
 */
public final class MetashrewClientConfig {

    /** Default connect timeout: 10 s. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Default read timeout: 60 s (metadata calls may block for a long time during a node rollback). */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);
    /** Default number of retries after the first attempt of a call. */
    public static final int DEFAULT_MAX_RETRIES = 5;
    /** Default first backoff delay. */
    public static final Duration DEFAULT_BACKOFF_INITIAL = Duration.ofMillis(200);
    /** Default largest backoff delay. */
    public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofSeconds(10);
    /** Default backoff growth factor. */
    public static final double DEFAULT_BACKOFF_MULTIPLIER = 2.0;
    /** Default jitter: each delay is scaled by a random factor in [1 - jitter, 1 + jitter]. */
    public static final double DEFAULT_BACKOFF_JITTER = 0.2;
    /** Default largest response body: 32 MiB (a 4 MB block as hex is 8 MB). */
    public static final long DEFAULT_MAX_RESPONSE_BYTES = 32L * 1024 * 1024;
    /** Smallest accepted {@link #maxResponseBytes()}. */
    public static final long MIN_MAX_RESPONSE_BYTES = 1024;
    /** Largest accepted {@link #maxResponseBytes()}: 1 GiB. */
    public static final long MAX_MAX_RESPONSE_BYTES = 1L << 30;

    private final String url;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final int maxRetries;
    private final Duration backoffInitial;
    private final Duration backoffMax;
    private final double backoffMultiplier;
    private final double backoffJitter;
    private final VersionLine versionLine;
    private final long maxResponseBytes;
    private final String basicAuthUser;
    private final String basicAuthPassword;
    private final Map<String, String> headers;
    private final MetashrewClientListener listener;

    private MetashrewClientConfig(Builder b, String basicAuthUser, String basicAuthPassword) {
        this.url = b.url;
        this.connectTimeout = b.connectTimeout;
        this.readTimeout = b.readTimeout;
        this.maxRetries = b.maxRetries;
        this.backoffInitial = b.backoffInitial;
        this.backoffMax = b.backoffMax;
        this.backoffMultiplier = b.backoffMultiplier;
        this.backoffJitter = b.backoffJitter;
        this.versionLine = b.versionLine;
        this.maxResponseBytes = b.maxResponseBytes;
        this.basicAuthUser = basicAuthUser;
        this.basicAuthPassword = basicAuthPassword;
        this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
        this.listener = b.listener;
    }

    /** A builder for the node at {@code url} (http or https), which is used exactly as given. */
    public static Builder builder(String url) {
        return new Builder(url);
    }

    /** The JSON-RPC endpoint, exactly as configured. */
    public String url() {
        return url;
    }

    /** TCP connect timeout. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** Read (and write) timeout of one HTTP attempt; zero means none. */
    public Duration readTimeout() {
        return readTimeout;
    }

    /** Retries after the first attempt of a call, for retriable failures. */
    public int maxRetries() {
        return maxRetries;
    }

    /** Delay before the first retry (before jitter). */
    public Duration backoffInitial() {
        return backoffInitial;
    }

    /** Upper bound of a retry delay (before jitter). */
    public Duration backoffMax() {
        return backoffMax;
    }

    /** Growth factor of successive retry delays. */
    public double backoffMultiplier() {
        return backoffMultiplier;
    }

    /** Relative jitter in [0, 1]. */
    public double backoffJitter() {
        return backoffJitter;
    }

    /** The configured version line ({@link VersionLine#AUTO} = detect). */
    public VersionLine versionLine() {
        return versionLine;
    }

    /** Largest response body accepted, in bytes; a larger one fails the call (not retriable). */
    public long maxResponseBytes() {
        return maxResponseBytes;
    }

    /** Basic auth user (configured, or from the URL's user info), or null. */
    public String basicAuthUser() {
        return basicAuthUser;
    }

    /** Basic auth password (configured, or from the URL's user info), or null. */
    public String basicAuthPassword() {
        return basicAuthPassword;
    }

    /** Extra HTTP headers sent with every request. */
    public Map<String, String> headers() {
        return headers;
    }

    /** The call listener, or null. */
    public MetashrewClientListener listener() {
        return listener;
    }

    @Override
    public String toString() {
        return "MetashrewClientConfig{url=" + Secrets.redactEndpoint(url) + ", connectTimeout=" + connectTimeout + ", readTimeout=" + readTimeout
                + ", maxRetries=" + maxRetries + ", backoff=" + backoffInitial + ".." + backoffMax + " x" + backoffMultiplier
                + " jitter " + backoffJitter + ", versionLine=" + versionLine + ", maxResponseBytes=" + maxResponseBytes
                + (basicAuthUser == null ? "" : ", basicAuthUser=" + basicAuthUser + ", basicAuthPassword=" + Secrets.MASK)
                + ", headers=" + Secrets.maskValues(headers) + "}";
    }

    /** Builder of {@link MetashrewClientConfig}. Not thread-safe. */
    public static final class Builder {
        private final String url;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration readTimeout = DEFAULT_READ_TIMEOUT;
        private int maxRetries = DEFAULT_MAX_RETRIES;
        private Duration backoffInitial = DEFAULT_BACKOFF_INITIAL;
        private Duration backoffMax = DEFAULT_BACKOFF_MAX;
        private double backoffMultiplier = DEFAULT_BACKOFF_MULTIPLIER;
        private double backoffJitter = DEFAULT_BACKOFF_JITTER;
        private VersionLine versionLine = VersionLine.AUTO;
        private long maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
        private String basicAuthUser;
        private String basicAuthPassword;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private MetashrewClientListener listener;

        private Builder(String url) {
            this.url = validateUrl(url);
        }

        private static String validateUrl(String url) {
            if (url == null || url.isBlank()) {
                throw new IllegalArgumentException("metashrew url is required");
            }
            Secrets.registerUrlCredentials(url);
            URI uri;
            try {
                uri = new URI(url);
            } catch (URISyntaxException e) {
                // the exception's own message quotes the whole input, credentials included
                throw new IllegalArgumentException("metashrew url is not a valid URI: " + e.getReason() + " at index "
                        + e.getIndex());
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new IllegalArgumentException("metashrew url '" + Secrets.redactEndpoint(url)
                        + "' must start with http:// or https://");
            }
            if (uri.getHost() == null || uri.getHost().isEmpty()) {
                throw new IllegalArgumentException("metashrew url '" + Secrets.redactEndpoint(url) + "' has no host");
            }
            return url;
        }

        /** TCP connect timeout (positive). Default 10 s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive("connectTimeout", timeout);
            return this;
        }

        /** Read timeout of one HTTP attempt (zero = none). Default 60 s. */
        public Builder readTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "readTimeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("readTimeout must be >= 0 (0 = no timeout), got " + timeout);
            }
            this.readTimeout = timeout;
            return this;
        }

        /** Retries after the first attempt (>= 0). Default 5. */
        public Builder maxRetries(int retries) {
            if (retries < 0) {
                throw new IllegalArgumentException("maxRetries must be >= 0, got " + retries);
            }
            this.maxRetries = retries;
            return this;
        }

        /** Delay before the first retry (positive). Default 200 ms. */
        public Builder backoffInitial(Duration delay) {
            this.backoffInitial = positive("backoffInitial", delay);
            return this;
        }

        /** Upper bound of a retry delay (positive, >= backoffInitial). Default 10 s. */
        public Builder backoffMax(Duration delay) {
            this.backoffMax = positive("backoffMax", delay);
            return this;
        }

        /** Growth factor (>= 1.0). Default 2.0. */
        public Builder backoffMultiplier(double multiplier) {
            if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
                throw new IllegalArgumentException("backoffMultiplier must be a finite number >= 1.0, got " + multiplier);
            }
            this.backoffMultiplier = multiplier;
            return this;
        }

        /** Relative jitter in [0, 1]. Default 0.2. */
        public Builder backoffJitter(double jitter) {
            if (!(jitter >= 0.0 && jitter <= 1.0)) {
                throw new IllegalArgumentException("backoffJitter must be within [0, 1], got " + jitter);
            }
            this.backoffJitter = jitter;
            return this;
        }

        /** Version line; {@link VersionLine#AUTO} (the default) detects it on first use. */
        public Builder versionLine(VersionLine line) {
            this.versionLine = Objects.requireNonNull(line, "versionLine");
            return this;
        }

        /**
         * Largest response body accepted, in bytes (1 KiB .. 1 GiB). Default 32 MiB. A larger response
         * is abandoned while reading and fails the call with
         * {@link MetashrewException.Kind#RESPONSE_TOO_LARGE} (not retriable).
         */
        public Builder maxResponseBytes(long bytes) {
            if (bytes < MIN_MAX_RESPONSE_BYTES || bytes > MAX_MAX_RESPONSE_BYTES) {
                throw new IllegalArgumentException("maxResponseBytes must be " + MIN_MAX_RESPONSE_BYTES + ".."
                        + MAX_MAX_RESPONSE_BYTES + ", got " + bytes);
            }
            this.maxResponseBytes = bytes;
            return this;
        }

        /**
         * HTTP Basic credentials for a gateway in front of the node. Credentials in the URL's user
         * info ({@code http://user:password@host/}) are used the same way when these are not given
         * (these win; the URL's user info is never sent in the request line).
         */
        public Builder basicAuth(String user, String password) {
            if (user == null || user.isEmpty()) {
                throw new IllegalArgumentException("basicAuth user must be non-empty");
            }
            if (user.indexOf(':') >= 0) {
                throw new IllegalArgumentException("basicAuth user must not contain ':'");
            }
            if (password == null) {
                throw new IllegalArgumentException("basicAuth password must not be null (use \"\" for none)");
            }
            Secrets.register(password);
            this.basicAuthUser = user;
            this.basicAuthPassword = password;
            return this;
        }

        /** Adds an HTTP header sent with every request (Content-Type is fixed and cannot be set). */
        public Builder header(String name, String value) {
            if (name == null || name.isBlank() || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != ':')) {
                throw new IllegalArgumentException("invalid header name '" + name + "'");
            }
            if (name.equalsIgnoreCase("Content-Type") || name.equalsIgnoreCase("Content-Length")) {
                throw new IllegalArgumentException("header '" + name + "' is set by the client and cannot be configured");
            }
            if (value == null || value.chars().anyMatch(c -> c == '\r' || c == '\n')) { // value never quoted: it is a secret
                throw new IllegalArgumentException("invalid value for header '" + name + "'");
            }
            Secrets.register(value);
            this.headers.put(name, value);
            return this;
        }

        /** Adds all headers of {@code map} (see {@link #header}). */
        public Builder headers(Map<String, String> map) {
            Objects.requireNonNull(map, "headers").forEach(this::header);
            return this;
        }

        /** A listener notified of retries and completed calls (optional). */
        public Builder listener(MetashrewClientListener listener) {
            this.listener = listener;
            return this;
        }

        /** Validates the combination and returns the configuration. */
        public MetashrewClientConfig build() {
            if (backoffMax.compareTo(backoffInitial) < 0) {
                throw new IllegalArgumentException("backoffMax (" + backoffMax + ") must be >= backoffInitial (" + backoffInitial + ")");
            }
            String userInfo = URI.create(url).getRawUserInfo();
            if (userInfo != null && basicAuthUser == null) {
                int colon = userInfo.indexOf(':');
                String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
                String password = colon < 0 ? "" : decode(userInfo.substring(colon + 1));
                if (user.isEmpty() || user.indexOf(':') >= 0) {
                    throw new IllegalArgumentException("metashrew url: the user name in its credentials must be"
                            + " non-empty and without ':'");
                }
                Secrets.register(password);
                return new MetashrewClientConfig(this, user, password);
            }
            return new MetashrewClientConfig(this, basicAuthUser, basicAuthPassword);
        }

        private static String decode(String s) {
            try {
                return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("metashrew url: the credentials are not validly percent-encoded");
            }
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + d);
            }
            return d;
        }
    }
}
