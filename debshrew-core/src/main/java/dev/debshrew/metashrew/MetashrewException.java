package dev.debshrew.metashrew;

/** PLACEHOLDER until the devnet branch lands. */
public class MetashrewException extends Exception {
    private static final long serialVersionUID = 1L;
    public enum Kind { TRANSPORT, HTTP_STATUS, MALFORMED_RESPONSE, RPC_ERROR, NOT_FOUND, TIMEOUT }
    public MetashrewException(String m) { super(m); }
    public Kind kind() { return Kind.TRANSPORT; }
    public boolean isRetriable() { return true; }
}
