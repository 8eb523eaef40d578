package dev.debshrew.transform;

/** PLACEHOLDER until the host branch lands. */
public final class TransformLimits {
    public static Builder builder() { return new Builder(); }
    public static final class Builder { public TransformLimits build() { return new TransformLimits(); } }
}
