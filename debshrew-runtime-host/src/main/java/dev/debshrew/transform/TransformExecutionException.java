package dev.debshrew.transform;

/** PLACEHOLDER until the host branch lands. */
public class TransformExecutionException extends TransformException {
    private static final long serialVersionUID = 1L;
    public TransformExecutionException(String m) { super(m); }
}
