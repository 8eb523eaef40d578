package dev.debshrew.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.debshrew.admin.Health;
import dev.debshrew.metashrew.MetashrewException;
import dev.debshrew.metashrew.MetashrewException.Kind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class DebshrewMetricsTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private static double sample(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        assertThat(m.find()).as("series %s in:\n%s", series, scrape).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private DebshrewMetrics fed() {
        DebshrewMetrics m = new DebshrewMetrics(false, now::get);
        m.nodeHeight(110);
        m.blockCommitted(100, "aa", 3, 2_000_000, 5_000_000);
        m.blockCommitted(101, "bb", 0, 1_000_000, 3_000_000);
        m.sinkCommitted("file:out.jsonl", 3, 1_000_000);
        m.sinkCommitted("file:out.jsonl", 0, 1_000_000);
        m.sinkCommitted("kafka:t[x]", 3, 4_000_000);
        m.reorgUndone(99, 2);
        m.nodeError("TRANSPORT");
        m.nodeError("TRANSPORT");
        m.nodeError("TIMEOUT");
        MetashrewException timeout = new MetashrewException(Kind.TIMEOUT, "metashrew_height: timed out", true, null);
        m.onRetry("metashrew_height", 1, Duration.ofMillis(10), timeout);
        m.onCallCompleted("metashrew_height", Duration.ofMillis(30), 2, null);
        m.onCallCompleted("metashrew_view", Duration.ofMillis(5), 1, null);
        m.onCallCompleted("metashrew_getblockhash", Duration.ofMillis(5), 1,
                new MetashrewException(Kind.NOT_FOUND, "no block hash at height 5", false, null));
        return m;
    }

    @Test
    void everyMetricIsExposedWithItsTags() {
        try (DebshrewMetrics m = fed()) {
            String s = m.scrape();
            assertThat(sample(s, "debshrew_blocks_processed_total")).isEqualTo(2);
            assertThat(sample(s, "debshrew_messages_emitted_total{sink=\"file:out.jsonl\"}")).isEqualTo(3);
            assertThat(sample(s, "debshrew_messages_emitted_total{sink=\"kafka:t[x]\"}")).isEqualTo(3);
            assertThat(sample(s, "debshrew_block_processing_seconds_count")).isEqualTo(2);
            assertThat(sample(s, "debshrew_block_processing_seconds_sum")).isEqualTo(0.008);
            assertThat(sample(s, "debshrew_transform_seconds_sum")).isEqualTo(0.003);
            assertThat(sample(s, "debshrew_block_processing_seconds_bucket{le=\"0.001\"}")).isZero();
            assertThat(sample(s, "debshrew_block_processing_seconds_bucket{le=\"0.005\"}")).isEqualTo(2);
            assertThat(sample(s, "debshrew_block_processing_seconds_bucket{le=\"+Inf\"}")).isEqualTo(2);
            assertThat(sample(s, "debshrew_sink_commit_seconds_count{sink=\"file:out.jsonl\"}")).isEqualTo(2);
            assertThat(sample(s, "debshrew_reorgs_total")).isEqualTo(1);
            assertThat(sample(s, "debshrew_reorg_depth_blocks_sum")).isEqualTo(2);
            assertThat(sample(s, "debshrew_reorg_depth_blocks_bucket{le=\"2.0\"}")).isEqualTo(1);
            assertThat(sample(s, "debshrew_node_errors_total{kind=\"transport\"}")).isEqualTo(2);
            assertThat(sample(s, "debshrew_node_errors_total{kind=\"timeout\"}")).isEqualTo(1);
            assertThat(sample(s, "debshrew_node_height")).isEqualTo(110);
            assertThat(sample(s, "debshrew_processed_height")).as("back to the ancestor after the reorg").isEqualTo(99);
            assertThat(sample(s, "debshrew_lag_blocks")).isEqualTo(11);
            assertThat(sample(s, "debshrew_follower_up")).isZero();
            assertThat(sample(s, "debshrew_node_last_success_age_seconds")).isZero();
            assertThat(sample(s,
                    "debshrew_metashrew_requests_seconds_count{method=\"metashrew_height\",outcome=\"success\"}"))
                    .isEqualTo(1);
            assertThat(sample(s,
                    "debshrew_metashrew_requests_seconds_count{method=\"metashrew_getblockhash\",outcome=\"not_found\"}"))
                    .isEqualTo(1);
            assertThat(sample(s, "debshrew_metashrew_retries_total{kind=\"timeout\",method=\"metashrew_height\"}"))
                    .isEqualTo(1);
        }
    }

    @Test
    void unknownGaugesAreNaNAndTheJvmBindersRegister() {
        try (DebshrewMetrics m = new DebshrewMetrics()) {
            String s = m.scrape();
            assertThat(s).contains("debshrew_node_height NaN").contains("debshrew_lag_blocks NaN")
                    .contains("jvm_memory_used_bytes").contains("jvm_threads_live_threads")
                    .contains("process_uptime_seconds");
        }
    }

    @Test
    void healthIsLivenessAndReadinessNamesTheNodeAndTheLag() {
        try (DebshrewMetrics m = new DebshrewMetrics(false, now::get)) {
            Duration stale = Duration.ofSeconds(10);
            Duration stall = Duration.ofSeconds(120);
            assertThat(Health.liveness(m, stall).reason()).contains("not started");
            m.followerStarted();
            assertThat(Health.liveness(m, stall).healthy()).as("alive before any node call").isTrue();
            Health r = Health.readiness(m, List.of(), 3, stale, stall);
            assertThat(r.healthy()).isFalse();
            assertThat(r.reason()).contains("no successful metashrew call yet");
            m.onCallCompleted("metashrew_height", Duration.ofMillis(1), 1, null);
            m.nodeHeight(20);
            m.blockCommitted(16, "h", 0, 1, 1);
            assertThat(Health.readiness(m, List.of(), 3, stale, stall).reasons()).containsExactly(
                    "lag: 4 blocks behind the node (ready_max_lag 3)");
            m.blockCommitted(17, "h", 0, 1, 1);
            assertThat(Health.readiness(m, List.of(), 3, stale, stall).healthy()).isTrue();
            m.onCallCompleted("metashrew_height", Duration.ofMillis(1), 6,
                    new MetashrewException(Kind.TRANSPORT, "metashrew_height: connection refused", true, null));
            assertThat(m.lastNodeFailure()).contains("connection refused");
            assertThat(m.lastNodeFailureAt()).isNotNull();
            now.addAndGet(Duration.ofSeconds(9).toNanos());
            assertThat(Health.readiness(m, List.of(), 3, stale, stall).healthy()).isTrue();
            now.addAndGet(Duration.ofSeconds(2).toNanos());
            r = Health.readiness(m, List.of(), 3, stale, stall);
            assertThat(r.healthy()).isFalse();
            assertThat(r.reason()).contains("node: no successful metashrew call for 11 s").contains("connection refused");
            assertThat(Health.liveness(m, stall).healthy()).as("the node being down is not a liveness failure").isTrue();
            assertThat(sample(m.scrape(), "debshrew_node_last_success_age_seconds")).isEqualTo(11);
            m.onCallCompleted("metashrew_height", Duration.ofMillis(1), 1, null);
            assertThat(m.lastNodeFailure()).as("cleared on recovery").isNull();
            now.addAndGet(Duration.ofSeconds(121).toNanos());
            Health wedged = Health.liveness(m, stall);
            assertThat(wedged.healthy()).isFalse();
            assertThat(wedged.reason()).contains("wedged").contains("121 s");
            m.heartbeat();
            assertThat(Health.liveness(m, stall).healthy()).isTrue();
            m.followerStopped(new IllegalStateException("boom"));
            assertThat(Health.liveness(m, stall).reason()).contains("failed").contains("boom");
        }
    }

    @Test
    void buildInfoCarriesTheVersion() {
        try (DebshrewMetrics m = new DebshrewMetrics(false, now::get)) {
            assertThat(m.scrape()).contains("debshrew_build_info{version=\"" + DebshrewMetrics.version() + "\"} 1");
        }
    }

    /** Every debshrew_* series the registry exposes is documented in docs/operations.md. */
    @Test
    void everyMetricIsDocumented() throws Exception {
        String doc = Files.readString(Path.of("../docs/operations.md"));
        try (DebshrewMetrics m = fed()) {
            Matcher names = Pattern.compile("(?m)^# TYPE (debshrew_\\w+) ").matcher(m.scrape());
            int n = 0;
            while (names.find()) {
                n++;
                String name = names.group(1).replaceFirst("_max$", ""); // the max gauge of a timer or summary
                assertThat(doc).as("docs/operations.md lists %s", name).contains("`" + name);
            }
            assertThat(n).isGreaterThanOrEqualTo(15);
        }
    }
}
