package dev.debshrew.metashrew;

import java.util.OptionalInt;

/**
 * A failed metashrew call. {@link #kind()} says what went wrong; {@link #isRetriable()} says whether
 * repeating the same call may succeed (the client has already retried retriable failures up to its
 * configured bound before throwing).
 */
public class MetashrewException extends Exception {

    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Kind {
        /** Connection refused or reset, connection closed without a response, other I/O failure. */
        TRANSPORT,
        /** The server answered with a non-2xx HTTP status. */
        HTTP_STATUS,
        /**
         * The body was not valid JSON-RPC, the id did not match, or the result had an unexpected shape
         * (a view result that is null, not a string or not hex is retriable: a transient node failure).
         */
        MALFORMED_RESPONSE,
        /**
         * The response body exceeded {@code metashrew.max_response_bytes}; never retriable (the same call
         * gets the same answer): raise the limit or fix the view.
         */
        RESPONSE_TOO_LARGE,
        /** The node returned a JSON-RPC error (unknown view, bad hex, method not found, ...). */
        RPC_ERROR,
        /** The requested item does not exist (for example no block hash at that height). */
        NOT_FOUND,
        /** Connect or read timeout. */
        TIMEOUT
    }

    private final Kind kind;
    private final boolean retriable;
    private final Integer rpcErrorCode;
    private final int httpStatus;

    /** A failure without an RPC error code or HTTP status. */
    public MetashrewException(Kind kind, String message, boolean retriable, Throwable cause) {
        this(kind, message, retriable, cause, null, 0);
    }

    /**
     * A failure with all details.
     *
     * @param rpcErrorCode JSON-RPC error code, or null
     * @param httpStatus HTTP status, or 0
     */
    public MetashrewException(Kind kind, String message, boolean retriable, Throwable cause, Integer rpcErrorCode, int httpStatus) {
        super(message, cause);
        if (kind == null) {
            throw new IllegalArgumentException("kind is required");
        }
        this.kind = kind;
        this.retriable = retriable;
        this.rpcErrorCode = rpcErrorCode;
        this.httpStatus = httpStatus;
    }

    /** What went wrong. */
    public Kind kind() {
        return kind;
    }

    /** Whether repeating the call may succeed. */
    public boolean isRetriable() {
        return retriable;
    }

    /** The JSON-RPC error code, for {@link Kind#RPC_ERROR} and {@link Kind#NOT_FOUND}. */
    public OptionalInt rpcErrorCode() {
        return rpcErrorCode == null ? OptionalInt.empty() : OptionalInt.of(rpcErrorCode);
    }

    /** The HTTP status for {@link Kind#HTTP_STATUS}, else 0. */
    public int httpStatus() {
        return httpStatus;
    }
}
