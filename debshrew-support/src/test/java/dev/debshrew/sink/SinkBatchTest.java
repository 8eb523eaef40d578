package dev.debshrew.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.debshrew.cdc.CdcHeader;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.cdc.CdcPayload;
import dev.debshrew.cdc.Operation;
import com.fasterxml.jackson.databind.node.IntNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SinkBatchTest {

    private static CdcMessage msg(long h, String key) {
        return new CdcMessage(CdcHeader.of("t", 1, h, "h" + h, null),
                new CdcPayload(Operation.CREATE, "tbl", key, null, IntNode.valueOf(1)));
    }

    @Test
    void aBatchIsConsecutiveBlocksWithTheLastCursorAndCountsTheirMessages() {
        List<CdcMessage> messages = new ArrayList<>(List.of(msg(1, "a"), msg(1, "b")));
        BlockChange first = new BlockChange(new Cursor(1, "h1"), messages);
        messages.add(msg(1, "c")); // the block keeps its own copy
        assertThat(first.messages()).hasSize(2);
        assertThatThrownBy(() -> first.messages().add(msg(1, "d"))).isInstanceOf(UnsupportedOperationException.class);

        SinkBatch batch = SinkBatch.of(List.of(first, BlockChange.empty(new Cursor(2, "h2")),
                new BlockChange(new Cursor(3, "h3"), List.of(msg(3, "e")))));
        assertThat(batch.cursor()).isEqualTo(new Cursor(3, "h3"));
        assertThat(batch.first()).isSameAs(first);
        assertThat(batch.last().cursor()).isEqualTo(new Cursor(3, "h3"));
        assertThat(batch.messageCount()).isEqualTo(3);
        assertThat(batch.blocks()).hasSize(3);
        assertThat(batch.toString()).contains("3 blocks").contains("1:h1").contains("3:h3");
        assertThat(SinkBatch.of(first)).isEqualTo(SinkBatch.of(List.of(first)));
        assertThat(SinkBatch.of(first).cursor()).isEqualTo(new Cursor(1, "h1"));
    }

    @Test
    void aBatchMustHoldABlock() {
        assertThatThrownBy(() -> SinkBatch.of(List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one block");
        assertThatThrownBy(() -> new BlockChange(null, List.of())).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("cursor");
    }
}
