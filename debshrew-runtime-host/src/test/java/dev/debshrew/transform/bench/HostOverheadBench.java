package dev.debshrew.transform.bench;

import dev.debshrew.transform.BlockContext;
import dev.debshrew.transform.BlockOutput;
import dev.debshrew.transform.StateReader;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformExecutionException;
import dev.debshrew.transform.TransformLimits;
import dev.debshrew.transform.ViewSource;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Measures the host's per-block overhead (fresh instance + {@code process_block} call + output
 * read and CDC decoding, including the hand-off to the worker thread) for one {@code .wasm}, in
 * compiler and interpreter mode. Prints figures; asserts nothing. Not a test.
 *
 * <pre>
 * java -cp &lt;test classpath&gt; dev.debshrew.transform.bench.HostOverheadBench &lt;module.wasm&gt; [iterations] [height]
 * </pre>
 *
 * e.g. with the WAT fixtures built by the tests:
 * {@code HostOverheadBench debshrew-runtime-host/target/wat/output.wasm 20000 1}. Views answer an
 * empty result, the committed state is empty.
 */
public final class HostOverheadBench {

    private HostOverheadBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: HostOverheadBench <module.wasm> [iterations=10000] [height=1]");
            System.exit(2);
        }
        Path wasm = Path.of(args[0]);
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        long height = args.length > 2 ? Long.parseLong(args[2]) : 1;
        System.out.printf("module %s, %d iterations, height %d, %s %s%n", wasm, iterations, height,
                System.getProperty("java.vm.name"), System.getProperty("java.version"));
        run(wasm, iterations, height, false);
        run(wasm, Math.max(1, iterations / 10), height, true);
    }

    private static void run(Path wasm, int iterations, long height, boolean interpreter) throws Exception {
        String mode = interpreter ? "interpreter" : "compiler";
        long t0 = System.nanoTime();
        try (Transform t = Transform.load(wasm, TransformLimits.builder().useInterpreter(interpreter).build())) {
            double loadMs = (System.nanoTime() - t0) / 1e6;
            BlockContext block = new BlockContext(height, new byte[32]);
            ViewSource views = (name, input, h) -> new byte[0];
            int warmup = Math.max(100, iterations / 5);
            int messages = 0;
            for (int i = 0; i < warmup; i++) {
                messages = once(t, block, views).messages().size();
            }
            long[] samples = new long[iterations];
            long start = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                long s = System.nanoTime();
                once(t, block, views);
                samples[i] = System.nanoTime() - s;
            }
            double totalMs = (System.nanoTime() - start) / 1e6;
            Arrays.sort(samples);
            System.out.printf("%-11s load %8.1f ms | per block: mean %8.1f us, p50 %8.1f us, p99 %8.1f us, max %8.1f us"
                            + " | %d messages/block | %.0f blocks/s%n",
                    mode, loadMs, totalMs * 1000 / iterations, samples[iterations / 2] / 1e3,
                    samples[(int) (iterations * 0.99)] / 1e3, samples[iterations - 1] / 1e3, messages,
                    iterations / (totalMs / 1000));
        }
    }

    private static BlockOutput once(Transform t, BlockContext block, ViewSource views) throws TransformExecutionException {
        return t.process(block, views, StateReader.EMPTY);
    }
}
