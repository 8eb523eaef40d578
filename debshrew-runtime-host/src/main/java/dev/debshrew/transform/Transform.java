package dev.debshrew.transform;

import java.nio.file.Path;

/** PLACEHOLDER until the host branch lands. */
public final class Transform implements AutoCloseable {
    public static Transform load(Path wasmFile, TransformLimits limits) throws TransformLoadException { throw new TransformLoadException("placeholder"); }
    public String name() { return "placeholder"; }
    public BlockOutput process(BlockContext block, ViewSource views, StateReader state) throws TransformExecutionException { throw new TransformExecutionException("placeholder"); }
    @Override public void close() {}
}
