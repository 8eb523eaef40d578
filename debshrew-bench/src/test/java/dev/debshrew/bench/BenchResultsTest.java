package dev.debshrew.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bench's arithmetic (rates, ceiling ratio, speedup, percentiles) and its JSON shape, on made-up figures. */
class BenchResultsTest {

    private static final Workload PG = new Workload("messages", Workload.POSTGRES, "x.wasm", 10, 2, Duration.ZERO);

    @Test
    void ratesRatioAndSpeedupFollowFromCountsAndTimes() {
        WorkloadResult r = WorkloadResult.of(PG, 100, 5000, new WorkloadResult.Run(2.0, 100, 300),
                new WorkloadResult.Run(8.0, 90, 280), 1.0);
        assertThat(r.blocksPerS()).isCloseTo(50.0, within(1e-9));
        assertThat(r.msgsPerS()).isCloseTo(2500.0, within(1e-9));
        assertThat(r.ceilingMsgsPerS()).isCloseTo(5000.0, within(1e-9));
        assertThat(r.ratio()).as("msgs_per_s / ceiling_msgs_per_s").isCloseTo(r.msgsPerS() / r.ceilingMsgsPerS(),
                within(1e-12)).isCloseTo(0.5, within(1e-9));
        assertThat(r.sequentialBlocksPerS()).isCloseTo(12.5, within(1e-9));
        assertThat(r.speedup()).as("default / sequential").isCloseTo(4.0, within(1e-9));
        assertThat(r.heapPeakMb()).as("memory of the default run").isEqualTo(100);
        assertThat(r.rssPeakMb()).isEqualTo(300);
    }

    @Test
    void withoutCeilingThereIsNoRatio_andZeroMessagesStillHaveARatioOfTimes() {
        WorkloadResult none = WorkloadResult.of(PG, 10, 10, new WorkloadResult.Run(1, 1, 1),
                new WorkloadResult.Run(1, 1, 1), null);
        assertThat(none.ceilingMsgsPerS()).isNull();
        assertThat(none.ratio()).isNull();
        WorkloadResult empty = WorkloadResult.of(PG, 10, 0, new WorkloadResult.Run(4, 1, 1),
                new WorkloadResult.Run(4, 1, 1), 1.0);
        assertThat(empty.ceilingMsgsPerS()).isZero();
        assertThat(empty.ratio()).as("the ceiling's time over the daemon's for the same blocks").isEqualTo(0.25);
    }

    @Test
    void refusesNonPositiveTimesAndBlocks() {
        WorkloadResult.Run ok = new WorkloadResult.Run(1, 1, 1);
        assertThatThrownBy(() -> WorkloadResult.of(PG, 0, 1, ok, ok, null)).hasMessageContaining("0 blocks");
        assertThatThrownBy(() -> WorkloadResult.of(PG, 1, 1, new WorkloadResult.Run(0, 1, 1), ok, null))
                .hasMessageContaining("must be positive");
        assertThatThrownBy(() -> WorkloadResult.of(PG, 1, 1, ok, ok, 0.0)).hasMessageContaining("ceiling time");
    }

    @Test
    void percentilesAreNearestRank() {
        double[] samples = new double[100];
        for (int i = 0; i < 100; i++) {
            samples[i] = 100 - i; // 100..1, unsorted on purpose
        }
        assertThat(LiveResult.percentile(samples, 50)).isEqualTo(50);
        assertThat(LiveResult.percentile(samples, 99)).isEqualTo(99);
        assertThat(LiveResult.percentile(samples, 100)).isEqualTo(100);
        assertThat(LiveResult.percentile(new double[] {7}, 99)).isEqualTo(7);
        assertThatThrownBy(() -> LiveResult.percentile(new double[0], 50)).hasMessageContaining("no samples");
    }

    @Test
    void jsonHasTheDocumentedFieldsAndNullsWithoutCeiling() {
        List<WorkloadResult> rs = new ArrayList<>();
        rs.add(WorkloadResult.of(PG, 100, 5000, new WorkloadResult.Run(2, 1, 2), new WorkloadResult.Run(4, 1, 2), 1.0));
        rs.add(WorkloadResult.of(new Workload("empty-blocks", Workload.FILE, "b.wasm", 1, 1, Duration.ZERO), 10, 10,
                new WorkloadResult.Run(1, 1, 2), new WorkloadResult.Run(1, 1, 2), null));
        ObjectNode json = BenchReport.json(BenchReport.machine(), rs,
                new LiveResult(50, 100, 60, 150, 170, 6, 400), "bin/debshrew bench --quick");
        for (JsonNode w : json.get("workloads")) {
            assertThat(fieldNames(w)).containsExactly("name", "sink", "blocks", "messages", "seconds", "blocks_per_s",
                    "msgs_per_s", "ceiling_msgs_per_s", "ratio", "sequential_blocks_per_s", "speedup", "heap_peak_mb",
                    "rss_peak_mb");
        }
        assertThat(json.at("/workloads/0/ratio").asDouble()).isEqualTo(0.5);
        assertThat(json.at("/workloads/1/ceiling_msgs_per_s").isNull()).isTrue();
        assertThat(fieldNames(json.get("machine"))).contains("cores", "cpu_model", "memory_mb", "java_version", "os");
        assertThat(json.at("/live/latency_p99_ms").asDouble()).isEqualTo(150);
        assertThat(json.at("/live/reorg_recovery_ms").asDouble()).isEqualTo(400);
        assertThat(BenchReport.table(rs, null)).contains("messages", "postgres", "0.500").doesNotContain("live");
    }

    static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
