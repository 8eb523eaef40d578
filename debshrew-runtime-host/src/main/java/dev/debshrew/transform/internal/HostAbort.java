package dev.debshrew.transform.internal;

import dev.debshrew.transform.TransformExecutionException.Kind;

/**
 * Thrown from inside a host function (or the memory wrapper) to abort the guest immediately. It
 * unwinds through Chicory and is turned into a {@link dev.debshrew.transform.TransformExecutionException}
 * of the given kind by the block runner.
 */
public final class HostAbort extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final Kind kind;

    public HostAbort(Kind kind, String detail) {
        this(kind, detail, null);
    }

    public HostAbort(Kind kind, String detail, Throwable cause) {
        super(detail, cause, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
