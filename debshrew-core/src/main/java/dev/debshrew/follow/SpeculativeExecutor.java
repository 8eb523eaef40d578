package dev.debshrew.follow;

import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.metashrew.MetashrewException;
import dev.debshrew.transform.BlockContext;
import dev.debshrew.transform.BlockOutput;
import dev.debshrew.transform.StateReader;
import dev.debshrew.transform.TransformExecutionException;
import dev.debshrew.util.Hex;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.slf4j.MDC;

/**
 * The transform stage: runs consecutive blocks and returns, for each, exactly what a strictly
 * sequential run would have produced.
 *
 * <p>A block's views depend only on its height, so up to {@code concurrency} blocks run at once,
 * later ones ahead on the state known when they start (the {@link PendingState}) while earlier
 * ones wait for the node: the node's latency is hidden. Every state read of a run is recorded.
 * Blocks are then validated strictly in height order: a block whose reads all still hold on the
 * state left by every earlier block is accepted as it is (the guest is deterministic: same inputs,
 * same output); otherwise it is run again on that state, with the view results of its first run
 * (as Block-STM does for transactions). Each accepted block's writes go to the pending state
 * before the next block is validated.
 *
 * <p>With {@code concurrency} 1 each block runs alone on the exact state: nothing is speculative.
 */
final class SpeculativeExecutor implements AutoCloseable {

    /** A block to run: its height and the hash the node gave for it. */
    record Block(long height, String hash) {
    }

    /** An accepted block: its output, the time the transform took, and whether it had to run again. */
    record Ran(Block block, BlockOutput output, long transformNanos, boolean rerun) {
    }

    private final ModuleSlot modules;
    private final MetashrewClient node;
    private final PendingState state;
    private final int concurrency;
    private final ExecutorService pool;
    private volatile long reruns;
    private final SpeculationPolicy policy = new SpeculationPolicy();

    SpeculativeExecutor(ModuleSlot modules, MetashrewClient node, PendingState state, int concurrency) {
        this.modules = modules;
        this.node = node;
        this.state = state;
        this.concurrency = concurrency;
        this.pool = concurrency == 1 ? null : DaemonThreads.pool("debshrew-speculation", concurrency);
    }

    /** Blocks run a second time because an earlier block wrote what they had read, since start. */
    long reruns() {
        return reruns;
    }

    /**
     * The blocks of a batch that were accepted, in order, and the failure that stopped the batch at
     * the next block, if any: a {@link MetashrewException} (a transient node failure in a view: back
     * off and redo) or a {@link PipelineException} (the transform failed on that block, or a view
     * failed for good). The blocks before a failed one are still committed.
     */
    record Outcome(List<Ran> ran, Exception failure) {
    }

    /**
     * Runs {@code blocks} (consecutive) in order until one fails, or until a new module is queued
     * ({@link ModuleSlot}: the blocks not accepted yet run again after the swap); each accepted
     * block's state writes are applied to the pending state. When it returns, nothing is left running.
     */
    Outcome run(List<Block> blocks) {
        List<Ran> out = new ArrayList<>(blocks.size());
        try {
            runInto(blocks, out);
            return new Outcome(out, null);
        } catch (MetashrewException | PipelineException e) {
            return new Outcome(out, e);
        }
    }

    private void runInto(List<Block> blocks, List<Ran> out) throws MetashrewException, PipelineException {
        if (pool == null || !policy.speculate()) {
            for (Block b : blocks) {
                if (modules.swapPending()) {
                    return; // a new module takes over at this block (BlockFollower#step)
                }
                Attempt a = new Attempt(b);
                a.execute(state);
                policy.ran(a.nanos, a.viewNanos, false);
                out.add(accept(a, false));
            }
            return;
        }
        Deque<Future<Attempt>> running = new ArrayDeque<>();
        int submitted = 0;
        try {
            while (out.size() < blocks.size() && !modules.swapPending()) { // a swap: the rest runs again
                while (running.size() < concurrency && submitted < blocks.size()) {
                    Attempt a = new Attempt(blocks.get(submitted++));
                    Map<String, String> mdc = MDC.getCopyOfContextMap(); // log lines name the pipeline
                    running.add(pool.submit(() -> {
                        if (mdc != null) {
                            MDC.setContextMap(mdc);
                        }
                        try (MDC.MDCCloseable ignored = MDC.putCloseable("height", Long.toString(a.block.height()))) {
                            return a.execute(new RecordingReader(state, a));
                        } finally {
                            MDC.clear();
                        }
                    }));
                }
                Attempt a = await(running.removeFirst());
                boolean valid = a.readsHold(state);
                policy.ran(a.nanos, a.viewNanos, !valid);
                if (!valid) {
                    reruns++;
                    a.execute(state); // on the exact state, with the views of the first run
                }
                out.add(accept(a, !valid));
            }
        } finally {
            for (Future<Attempt> f : running) { // a failure: wait until nothing runs any more
                try {
                    f.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                } catch (ExecutionException e) {
                    // superseded by the failure being thrown
                }
            }
        }
    }

    private Ran accept(Attempt a, boolean rerun) throws MetashrewException, PipelineException {
        BlockOutput output = a.outcome();
        state.apply(a.block.height(), output.stateChanges());
        return new Ran(a.block, output, a.nanos, rerun);
    }

    private static Attempt await(Future<Attempt> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the transform", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("transform run failed unexpectedly: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    /** One run of one block: its views (kept for a second run), its state reads and its outcome. */
    private final class Attempt {
        final Block block;
        NodeViews views;
        final Map<String, byte[]> viewResults = new HashMap<>();
        final List<byte[][]> reads = new ArrayList<>();
        BlockOutput output;
        TransformExecutionException failure;
        long nanos;
        /** Time this attempt waited for the node in views (cached results cost nothing). */
        long viewNanos;

        Attempt(Block block) {
            this.block = block;
        }

        Attempt execute(StateReader reader) {
            reads.clear();
            viewNanos = 0;
            views = new NodeViews(node); // a failure of an earlier run does not stick
            long started = System.nanoTime();
            try {
                output = modules.current().process(new BlockContext(block.height(), Hex.decode(block.hash())),
                        (name, input, height) -> {
                            String key = name + '\u0000' + Hex.encode(input);
                            byte[] cached = viewResults.get(key);
                            if (cached == null) {
                                long viewStarted = System.nanoTime();
                                cached = views.view(name, input, height);
                                viewNanos += System.nanoTime() - viewStarted;
                                viewResults.put(key, cached);
                            }
                            return cached;
                        }, reader);
                failure = null;
            } catch (TransformExecutionException e) {
                output = null;
                failure = e;
            }
            nanos = System.nanoTime() - started;
            return this;
        }

        /** Whether every value this run read is still the value on {@code current}. */
        boolean readsHold(StateReader current) {
            for (byte[][] r : reads) {
                if (!Arrays.equals(current.get(r[0]), r[1])) {
                    return false;
                }
            }
            return true;
        }

        BlockOutput outcome() throws MetashrewException, PipelineException {
            if (failure != null) {
                views.rethrowNodeFailure(failure, block.height(), block.hash());
                throw new PipelineException("transform '" + modules.current().name() + "' failed on block "
                        + block.height() + " (" + block.hash() + "): " + failure.getMessage(), failure);
            }
            views.rethrowTransientFailure();
            return output;
        }
    }

    /** Reads the pending state and records what it read, for validation. */
    private static final class RecordingReader implements StateReader {
        private final StateReader state;
        private final Attempt attempt;

        RecordingReader(StateReader state, Attempt attempt) {
            this.state = state;
            this.attempt = attempt;
        }

        @Override
        public byte[] get(byte[] key) {
            byte[] v = state.get(key);
            attempt.reads.add(new byte[][] {key.clone(), v == null ? null : v.clone()});
            return v;
        }
    }
}
