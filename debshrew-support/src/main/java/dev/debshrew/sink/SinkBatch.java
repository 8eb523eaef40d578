package dev.debshrew.sink;

import java.util.List;
import java.util.Objects;

/**
 * Consecutive {@link BlockChange}s that a {@link Sink} commits as one atomic unit: after
 * {@link Sink#commit} returns, every block's messages and the cursor of the last block are durable;
 * after a failure, none of them is. Non-empty and immutable.
 */
public final class SinkBatch {

    private final List<BlockChange> blocks;
    private final int messageCount;

    private SinkBatch(List<BlockChange> blocks) {
        this.blocks = blocks;
        int n = 0;
        for (BlockChange b : blocks) {
            n += b.messages().size();
        }
        this.messageCount = n;
    }

    /**
     * A batch of consecutive block changes, in the order they apply.
     *
     * @throws IllegalArgumentException when {@code blocks} is empty
     */
    public static SinkBatch of(List<BlockChange> blocks) {
        List<BlockChange> copy = List.copyOf(Objects.requireNonNull(blocks, "blocks"));
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("a sink batch needs at least one block change");
        }
        return new SinkBatch(copy);
    }

    /** A batch of one block change. */
    public static SinkBatch of(BlockChange block) {
        return new SinkBatch(List.of(Objects.requireNonNull(block, "block")));
    }

    /** The block changes, in order. */
    public List<BlockChange> blocks() {
        return blocks;
    }

    /** The cursor once the batch is committed: the last block's cursor. */
    public Cursor cursor() {
        return last().cursor();
    }

    /** The first block change. */
    public BlockChange first() {
        return blocks.get(0);
    }

    /** The last block change. */
    public BlockChange last() {
        return blocks.get(blocks.size() - 1);
    }

    /** The number of messages of all blocks. */
    public int messageCount() {
        return messageCount;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SinkBatch b && blocks.equals(b.blocks);
    }

    @Override
    public int hashCode() {
        return blocks.hashCode();
    }

    @Override
    public String toString() {
        BlockChange f = first();
        return blocks.size() == 1 ? "block " + f.cursor() + " (" + messageCount + " message(s))"
                : blocks.size() + " blocks " + f.cursor() + ".." + cursor() + " (" + messageCount + " message(s))";
    }
}
