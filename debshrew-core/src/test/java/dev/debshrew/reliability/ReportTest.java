package dev.debshrew.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcHeader;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.cdc.CdcPayload;
import dev.debshrew.cdc.Inversion;
import dev.debshrew.cdc.Operation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reliability harness counts what it claims: lost, duplicated, undone blocks cancelling out. */
class ReportTest {

    private static CdcMessage create(long height, String hash, String key, int value) {
        JsonNode after = CdcCodec.mapper().createObjectNode().put("v", value);
        return new CdcMessage(CdcHeader.of("t", 1000 + height, height, hash, "tx" + key),
                new CdcPayload(Operation.CREATE, "rows", key, null, after));
    }

    private final CdcMessage a = create(1, "h1", "a", 1);
    private final CdcMessage b = create(2, "h2", "b", 2);
    private final CdcMessage orphan = create(2, "x2", "o", 9);

    @Test
    void anOrphanedBlockAndItsUndoCancelOutAndTheRestMatches() {
        Report r = new Report("s", "file", 7);
        long diff = r.compareStream("file", List.of(a, b),
                List.of(a, orphan, Inversion.invert(orphan, "h1", 5000), b));
        assertThat(diff).isZero();
        assertThat(r.lost()).isZero();
        assertThat(r.duplicated()).isZero();
        assertThat(r.checked()).isEqualTo(4);
    }

    @Test
    void countsLostAndDuplicatedMessagesAndFailsWhenTheStreamDoesNotFold() {
        Report r = new Report("s", "file", 7);
        assertThatThrownBy(() -> r.compareStream("file", List.of(a, b), List.of(a, a)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("does not fold");
        assertThat(r.lost()).isEqualTo(1);
        assertThat(r.duplicated()).isEqualTo(1);
        assertThat(r.findings()).anyMatch(f -> f.contains("lost 1x")).anyMatch(f -> f.contains("duplicated 1x"));
    }

    @Test
    void anUndoWithoutItsBlockIsCounted() {
        Report r = new Report("s", "file", 7);
        assertThatThrownBy(() -> r.compareStream("file", List.of(a), List.of(a, Inversion.invert(orphan, "h1", 1))))
                .isInstanceOf(AssertionError.class);
        assertThat(r.lost()).isEqualTo(1);
    }

    @Test
    void tablesCountMissingOrDifferentRowsAsLostAndExtraRowsAsDuplicated() {
        JsonNode one = CdcCodec.mapper().createObjectNode().put("v", 1);
        JsonNode two = CdcCodec.mapper().createObjectNode().put("v", 2);
        Report r = new Report("s", "postgres", 7);
        r.compareTables("pg", Map.of("t", Map.of("a", one, "b", one, "c", one)),
                Map.of("t", Map.of("a", one, "b", two, "d", one)));
        assertThat(r.lost()).isEqualTo(2);
        assertThat(r.duplicated()).isEqualTo(1);
        assertThat(r.checked()).isEqualTo(3);
    }

    @Test
    void theSummaryMarksAFailedOrLossyScenarioAndTotals() {
        ReliabilityResult ok = new ReliabilityResult("crash-matrix", "file", 50, 20, 5000, 0, 0, 400.0, true, "seed 1");
        ReliabilityResult lossy = new ReliabilityResult("crash-matrix", "kafka", 50, 20, 5000, 2, 0, 400.0, true,
                "seed 2");
        assertThat(ok.ok()).isTrue();
        assertThat(lossy.ok()).isFalse();
        String table = Summary.table(List.of(ok, lossy));
        assertThat(table).contains("FAILED (seed 2)").contains("TOTAL (2 scenarios)").contains("1 FAILED");
        assertThat(table.lines().filter(l -> l.startsWith("TOTAL")).findFirst().orElseThrow())
                .contains(" 100 ").contains(" 10000 ");
    }
}
