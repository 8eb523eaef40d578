package dev.debshrew.cli;

import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.metashrew.MetashrewException;
import dev.debshrew.transform.BlockContext;
import dev.debshrew.transform.BlockOutput;
import dev.debshrew.transform.GuestLogListener;
import dev.debshrew.transform.StateChanges;
import dev.debshrew.transform.StateReader;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformExecutionException;
import dev.debshrew.util.Hex;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a transform over a block range of a node, one block after the other, with in-memory state
 * and no cursor, journal or sink: the engine of {@code debshrew test}. Each block runs in the real
 * {@link Transform} (same host functions, limits and validation as the daemon), its views answered
 * by the node at the block's height, its state writes applied before the next block.
 */
final class RangeRunner {

    /** One processed block: its messages and what it cost. */
    record BlockRun(long height, String hash, List<CdcMessage> messages, int stateWrites, int viewCalls, long nanos) {
    }

    /** Receives each block once it ran. */
    interface BlockSink {
        void block(BlockRun run) throws java.io.IOException;
    }

    private final MetashrewClient node;
    private final Transform transform;
    private final Map<ByteBuffer, byte[]> state = new HashMap<>();
    private final StateReader reader = key -> state.get(ByteBuffer.wrap(key));

    RangeRunner(MetashrewClient node, Transform transform) {
        this.node = node;
        this.transform = transform;
    }

    /**
     * Runs blocks {@code from..to} in order.
     *
     * @throws MetashrewException when the node cannot give a block's hash
     * @throws TransformExecutionException when the transform fails on a block (nothing of that block is kept)
     */
    void run(long from, long to, GuestLogListener logLines, BlockSink out)
            throws MetashrewException, TransformExecutionException, java.io.IOException {
        for (long h = from; h <= to; h++) {
            String hash = node.blockHash(h);
            int[] views = {0};
            long started = System.nanoTime();
            BlockOutput output = transform.process(new BlockContext(h, Hex.decode(hash)), (name, input, height) -> {
                views[0]++;
                return node.view(name, input, height);
            }, reader, logLines);
            long nanos = System.nanoTime() - started;
            apply(output.stateChanges());
            out.block(new BlockRun(h, hash, output.messages(), output.stateChanges().size(), views[0], nanos));
        }
    }

    private void apply(StateChanges changes) {
        for (StateChanges.Entry e : changes.entries()) {
            if (e.isDelete()) {
                state.remove(ByteBuffer.wrap(e.key()));
            } else {
                state.put(ByteBuffer.wrap(e.key()), e.value());
            }
        }
    }
}
