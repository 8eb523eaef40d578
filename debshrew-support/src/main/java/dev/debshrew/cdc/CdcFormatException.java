package dev.debshrew.cdc;

/**
 * A transform's output is not a valid CDC message array. The message names the offending
 * message index and field, e.g. {@code message[3].payload.operation: unknown operation 'Create'}.
 */
public final class CdcFormatException extends Exception {

    private static final long serialVersionUID = 1L;

    public CdcFormatException(String message) {
        super(message);
    }

    public CdcFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
