package dev.debshrew.scenario;

import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcFormatException;
import dev.debshrew.cdc.CdcHeader;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.cdc.CdcPayload;
import dev.debshrew.cdc.Operation;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

/**
 * Replays a CDC stream block by block against a stack of delivered blocks, written independently
 * of the main code's inversion:
 * <ul>
 *   <li>a forward block (consecutive non-inverse messages with the same height and hash) must be
 *       the block right above the top of the stack;</li>
 *   <li>an inverse block must undo the top of the stack exactly: its messages in reverse order,
 *       each with the inverse operation and swapped images, header {@code block_height} one below
 *       the undone block and {@code block_hash} the hash of the block below it, same source,
 *       table, key and transaction id, {@code inverse:true} (the timestamp is not compared).</li>
 * </ul>
 * After the whole stream, {@link #survivors()} are the forward lines of the blocks still on the
 * stack: for a correct daemon, byte for byte the output of an uninterrupted run over the final
 * chain.
 */
final class StreamModel {

    private record Block(long height, String hash, List<CdcMessage> messages, List<String> lines) {
    }

    private final CdcCodec codec = new CdcCodec();
    private final Deque<Block> stack = new ArrayDeque<>();
    private int undone;

    /** Replays {@code lines}; throws AssertionError naming the line on any inconsistency. */
    void replay(List<String> lines) throws CdcFormatException {
        int i = 0;
        while (i < lines.size()) {
            CdcMessage first = codec.decode(lines.get(i));
            List<CdcMessage> block = new ArrayList<>();
            List<String> raw = new ArrayList<>();
            int start = i;
            while (i < lines.size()) {
                CdcMessage m = codec.decode(lines.get(i));
                if (m.header().inverse() != first.header().inverse()
                        || m.header().blockHeight() != first.header().blockHeight()
                        || !m.header().blockHash().equals(first.header().blockHash())) {
                    break;
                }
                block.add(m);
                raw.add(lines.get(i));
                i++;
            }
            if (first.header().inverse()) {
                undo(block, start + 1);
            } else {
                forward(new Block(first.header().blockHeight(), first.header().blockHash(), block, raw), start + 1);
            }
        }
    }

    private void forward(Block b, int line) {
        Block top = stack.peek();
        if (top != null && b.height() != top.height() + 1) {
            throw new AssertionError("line " + line + ": forward block " + b.height() + " (" + b.hash()
                    + ") does not follow the last delivered block " + top.height() + " (" + top.hash() + ")");
        }
        stack.push(b);
    }

    private void undo(List<CdcMessage> inverse, int line) {
        Block top = stack.poll();
        if (top == null) {
            throw new AssertionError("line " + line + ": inverse messages but no delivered block to undo");
        }
        Block below = stack.peek();
        List<CdcMessage> original = top.messages();
        if (inverse.size() != original.size()) {
            throw new AssertionError("line " + line + ": " + inverse.size() + " inverse message(s) undo block "
                    + top.height() + " (" + top.hash() + ") of " + original.size() + " message(s)");
        }
        for (int k = 0; k < inverse.size(); k++) {
            CdcMessage o = original.get(original.size() - 1 - k);
            CdcMessage actual = inverse.get(k);
            String parentHash = below != null ? below.hash() : actual.header().blockHash();
            CdcMessage expected = new CdcMessage(
                    new CdcHeader(o.header().source(), actual.header().timestamp(), top.height() - 1, parentHash,
                            o.header().transactionId(), true),
                    invert(o.payload()));
            if (!expected.equals(actual)) {
                throw new AssertionError("line " + (line + k) + ": inverse message of block " + top.height()
                        + " is not the inverse of its message " + (original.size() - k) + "\n  expected: "
                        + codec.encode(expected) + "\n  actual:   " + codec.encode(actual));
            }
        }
        undone++;
    }

    private static CdcPayload invert(CdcPayload p) {
        return switch (p.operation()) {
            case CREATE -> new CdcPayload(Operation.DELETE, p.table(), p.key(), p.after(), null);
            case UPDATE -> new CdcPayload(Operation.UPDATE, p.table(), p.key(), p.after(), p.before());
            case DELETE -> new CdcPayload(Operation.CREATE, p.table(), p.key(), null, p.before());
        };
    }

    /** Number of blocks undone in the stream. */
    int undoneBlocks() {
        return undone;
    }

    /** Height and hash of each block left on the stack, oldest first. */
    List<String> survivingBlocks() {
        List<String> out = new ArrayList<>();
        for (Iterator<Block> it = stack.descendingIterator(); it.hasNext(); ) {
            Block b = it.next();
            out.add(b.height() + ":" + b.hash());
        }
        return out;
    }

    /** The forward lines of the surviving blocks, oldest first. */
    List<String> survivors() {
        List<String> out = new ArrayList<>();
        for (Iterator<Block> it = stack.descendingIterator(); it.hasNext(); ) {
            out.addAll(it.next().lines());
        }
        return out;
    }
}
