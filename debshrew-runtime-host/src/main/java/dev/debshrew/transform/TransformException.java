package dev.debshrew.transform;

/** PLACEHOLDER until the host branch lands. */
public class TransformException extends Exception {
    private static final long serialVersionUID = 1L;
    public TransformException(String m) { super(m); }
}
