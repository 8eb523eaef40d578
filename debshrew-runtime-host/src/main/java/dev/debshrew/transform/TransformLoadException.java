package dev.debshrew.transform;

/** PLACEHOLDER until the host branch lands. */
public class TransformLoadException extends TransformException {
    private static final long serialVersionUID = 1L;
    public TransformLoadException(String m) { super(m); }
}
