package dev.debshrew.transform;

/**
 * A transform module cannot be used: unreadable file, malformed or invalid WebAssembly, an import
 * the host does not provide (WASI, unknown names, wrong signatures), a missing or mistyped
 * {@code process_block} or {@code memory} export, or a compilation failure. The message names the
 * module and the problem.
 */
public final class TransformLoadException extends TransformException {

    private static final long serialVersionUID = 1L;

    /**
     * @param moduleName the transform's name
     * @param message the full message
     * @param cause the underlying cause, or {@code null}
     */
    public TransformLoadException(String moduleName, String message, Throwable cause) {
        super(moduleName, -1, message, cause);
    }
}
