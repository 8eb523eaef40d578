package dev.debshrew.bench;

import dev.debshrew.devnet.DevnetBlock;
import dev.debshrew.devnet.DevnetChain;
import dev.debshrew.journal.InMemoryChainStore;
import dev.debshrew.transform.BlockContext;
import dev.debshrew.transform.BlockOutput;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLimits;
import dev.debshrew.transform.ViewSource;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Benchmark (not a test): per-block host overhead of real example transforms — fresh instance,
 * {@code process_block}, output read and CDC decoding — over devnet blocks in real Bitcoin
 * format, with the state committed block by block, in compiler and interpreter mode. The
 * {@code getblock} view is answered from memory, so no network time is included.
 *
 * <pre>scripts/bench-transforms.sh [blocks=300] [module.wasm ...]</pre>
 */
public final class TransformBench {

    private TransformBench() {
    }

    public static void main(String[] args) throws Exception {
        int blocks = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        List<Path> modules = args.length > 1
                ? Arrays.stream(args, 1, args.length).map(Path::of).toList()
                : List.of(Path.of("examples/assemblyscript/build/blocks.wasm"),
                        Path.of("examples/assemblyscript/build/txindex.wasm"));
        DevnetChain chain = new DevnetChain(1);
        System.out.printf("%d devnet blocks per run; %s %s; %d cores%n", blocks, System.getProperty("java.vm.name"),
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        System.out.printf("%-48s %-12s %10s %10s %10s %10s %10s%n", "module", "mode", "load ms", "mean us",
                "p50 us", "p99 us", "msgs/blk");
        for (Path module : modules) {
            for (boolean interpreter : new boolean[] {false, true}) {
                run(module, chain, interpreter ? Math.max(20, blocks / 5) : blocks, interpreter);
            }
        }
    }

    private static void run(Path module, DevnetChain chain, int blocks, boolean interpreter) throws Exception {
        long t0 = System.nanoTime();
        try (Transform t = Transform.load(module, TransformLimits.builder().useInterpreter(interpreter).build())) {
            double loadMs = (System.nanoTime() - t0) / 1e6;
            long[] samples = new long[blocks];
            long messages = 0;
            // two passes over the same heights, each with fresh state: the first warms the JIT
            for (int pass = 0; pass < 2; pass++) {
                String parent = "0".repeat(64);
                try (InMemoryChainStore store = new InMemoryChainStore(6)) {
                    for (int h = 0; h < blocks; h++) {
                        DevnetBlock b = chain.block(0, h);
                        ViewSource views = (name, input, height) -> chain.block(0, height).raw();
                        long s = System.nanoTime();
                        BlockOutput out = t.process(new BlockContext(h, b.hashBytes()), views, store);
                        long e = System.nanoTime() - s;
                        if (pass == 1) {
                            samples[h] = e;
                            messages += out.messages().size();
                        }
                        store.commit(h, b.hash(), parent, out.messages(), out.stateChanges());
                        parent = b.hash();
                    }
                }
            }
            Arrays.sort(samples);
            double mean = Arrays.stream(samples).average().orElse(0) / 1e3;
            System.out.printf("%-48s %-12s %10.1f %10.1f %10.1f %10.1f %10.1f%n", module.getFileName() + " ("
                    + module.getParent() + ")", interpreter ? "interpreter" : "compiler", loadMs, mean,
                    samples[samples.length / 2] / 1e3, samples[(int) (samples.length * 0.99)] / 1e3,
                    (double) messages / blocks);
        }
    }
}
