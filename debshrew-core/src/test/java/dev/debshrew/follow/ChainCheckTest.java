package dev.debshrew.follow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.debshrew.sink.Cursor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The chain check of a batch alone: which prefetched blocks may be committed. */
class ChainCheckTest {

    private static final Cursor TIP = new Cursor(9, "t9");

    @Test
    void aBatchWhoseHashesAndTipAreUnchangedIsCommittedWhole() {
        assertThat(ChainCheck.confirm(TIP, 10, List.of("a10", "a11", "a12"), "t9", List.of("a10", "a11", "a12")))
                .isEqualTo(new ChainCheck.Advance(3));
    }

    @Test
    void aChangedTipIsTheUndoPathEvenWhenTheBatchLooksUnchanged() {
        assertThat(ChainCheck.confirm(TIP, 10, List.of("a10"), "b9", List.of("a10")))
                .isEqualTo(new ChainCheck.Undo(9, "b9"));
    }

    @Test
    void onlyThePrefixBeforeTheFirstChangedBlockIsCommitted() {
        // a branch switch at 11 while the batch ran: 10 stays (its parent, the tip, and itself unchanged);
        // 11 and 12 are run again on the new branch
        assertThat(ChainCheck.confirm(TIP, 10, List.of("a10", "a11", "a12"), "t9", List.of("a10", "b11", "b12")))
                .isEqualTo(new ChainCheck.Advance(1));
        assertThat(ChainCheck.confirm(TIP, 10, List.of("a10", "a11"), "t9", List.of("b10", "a11")))
                .as("a block after a changed one is never committed, even if its hash reads the same")
                .isEqualTo(new ChainCheck.Advance(0));
    }

    @Test
    void blocksAboveTheNodesHeightAfterTheRunAreNotCommitted() {
        assertThat(ChainCheck.confirm(TIP, 10, List.of("a10", "a11", "a12"), "t9", List.of("a10")))
                .isEqualTo(new ChainCheck.Advance(1));
    }

    @Test
    void withoutATipTheFirstBlockNeedsNoParentCheck() {
        assertThat(ChainCheck.confirm(null, 0, List.of("a0", "a1"), null, List.of("a0", "a1")))
                .isEqualTo(new ChainCheck.Advance(2));
    }

    @Test
    void aBatchThatDoesNotFollowTheTipIsAProgrammingError() {
        assertThatThrownBy(() -> ChainCheck.confirm(TIP, 11, List.of("a11"), "t9", List.of("a11")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not follow the tip");
    }
}
