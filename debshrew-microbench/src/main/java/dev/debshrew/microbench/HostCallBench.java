package dev.debshrew.microbench;

import dev.debshrew.devnet.DevnetBlock;
import dev.debshrew.devnet.DevnetChain;
import dev.debshrew.transform.BlockContext;
import dev.debshrew.transform.BlockOutput;
import dev.debshrew.transform.StateChanges;
import dev.debshrew.transform.StateReader;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformException;
import dev.debshrew.transform.TransformLimits;
import dev.debshrew.transform.ViewSource;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The wasm host call path: {@link Transform#process} of one devnet block by the example transforms
 * (real .wasm from examples/assemblyscript/build), with the {@code getblock} view answered from
 * memory and the state in a map, so no network or disk time is included.
 * <ul>
 * <li>{@code blocks}: a fresh instance, one view call, one message: the fixed cost per block.</li>
 * <li>{@code txindex}: the state get/set-heavy path: per transaction, state reads of the spent
 * outputs and writes of the new ones, plus balance reads and writes, against the state built by
 * the blocks before it (not committed, so every invocation sees the same state).</li>
 * </ul>
 * {@code -p mode=interpreter} measures Chicory's interpreter instead of its compiler.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class HostCallBench {

    /** Height of the measured block; the txindex state holds the effect of blocks 0..HEIGHT-1. */
    private static final int HEIGHT = 40;

    /** {@code compiler} (Chicory's wasm-to-bytecode compiler, the default) or {@code interpreter}. */
    @Param({"compiler"})
    public String mode;

    private Transform blocks;
    private Transform txindex;
    private BlockContext context;
    private ViewSource views;
    private StateReader txindexState;

    /** Loads both transforms and replays blocks 0..HEIGHT-1 through txindex to build its state. */
    @Setup
    public void setup() throws TransformException {
        if (!mode.equals("compiler") && !mode.equals("interpreter")) {
            throw new IllegalArgumentException("mode must be compiler or interpreter, got " + mode);
        }
        TransformLimits limits = TransformLimits.builder().useInterpreter(mode.equals("interpreter")).build();
        blocks = Transform.load(Fixtures.assemblyScript("blocks"), limits);
        txindex = Transform.load(Fixtures.assemblyScript("txindex"), limits);
        DevnetChain chain = new DevnetChain(1);
        Map<ByteBuffer, byte[]> state = new HashMap<>();
        StateReader reader = key -> state.get(ByteBuffer.wrap(key));
        for (int h = 0; h < HEIGHT; h++) {
            DevnetBlock b = chain.block(0, h);
            byte[] raw = b.raw();
            BlockOutput out = txindex.process(BlockContext.of(h, b.hash()), (name, input, height) -> raw, reader);
            for (StateChanges.Entry e : out.stateChanges().entries()) {
                if (e.isDelete()) {
                    state.remove(ByteBuffer.wrap(e.key()));
                } else {
                    state.put(ByteBuffer.wrap(e.key()), e.value());
                }
            }
        }
        txindexState = reader;
        DevnetBlock measured = chain.block(0, HEIGHT);
        byte[] raw = measured.raw();
        context = BlockContext.of(HEIGHT, measured.hash());
        views = (name, input, height) -> raw;
        int messages = txindex.process(context, views, txindexState).messages().size();
        if (blocks.process(context, views, StateReader.EMPTY).messages().size() != 1 || messages < 2) {
            throw new IllegalStateException("unexpected output of the example transforms at height " + HEIGHT);
        }
    }

    /** Closes the transforms. */
    @TearDown
    public void close() {
        blocks.close();
        txindex.close();
    }

    /** The blocks example: instance, one view, one message. */
    @Benchmark
    public BlockOutput blocks() throws TransformException {
        return blocks.process(context, views, StateReader.EMPTY);
    }

    /** The txindex example: state reads and writes per transaction. */
    @Benchmark
    public BlockOutput txindex() throws TransformException {
        return txindex.process(context, views, txindexState);
    }
}
