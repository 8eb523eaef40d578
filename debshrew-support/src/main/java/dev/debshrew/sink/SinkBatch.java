package dev.debshrew.sink;

import java.util.List;

/** TEMPORARY placeholder until the sinks branch lands. */
public final class SinkBatch {
    private final List<BlockChange> blocks;

    private SinkBatch(List<BlockChange> blocks) {
        this.blocks = List.copyOf(blocks);
    }

    public static SinkBatch of(List<BlockChange> blocks) {
        return new SinkBatch(blocks);
    }

    public static SinkBatch of(BlockChange block) {
        return new SinkBatch(List.of(block));
    }

    public List<BlockChange> blocks() {
        return blocks;
    }

    public Cursor cursor() {
        return blocks.get(blocks.size() - 1).cursor();
    }

    public int messageCount() {
        return blocks.stream().mapToInt(b -> b.messages().size()).sum();
    }
}
