package dev.debshrew.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cli.Main;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.Fault;
import dev.debshrew.testing.DaemonProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 item 2, end to end: {@code debshrew run} as a real process catching up on the devnet
 * logs progress lines at {@code progress_interval_s}, then one "caught up" line, with ISO-8601
 * timestamps; with {@code log_format: json} every line is a JSON object and the follower's lines
 * carry the MDC fields pipeline and height. The devnet delays each height call by 20 ms, so the
 * catch-up of 120 blocks (two height calls each) cannot take less than 4.8 s: a lower bound by
 * construction, not a race.
 */
class ProgressLogDaemonTest {

    private static final Duration WAIT = Duration.ofSeconds(180);
    private static final int TIP = 120;
    private static final String ISO = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(?:Z|[+-]\\d{2}:\\d{2})";

    @TempDir
    Path dir;

    private String catchUp(String extraJson) throws Exception {
        try (DevnetServer devnet = DevnetServer.builder().seed(11).initialHeight(TIP).build().start(0)) {
            devnet.inject(Fault.latency(Duration.ofMillis(20)).forMethod("metashrew_height").times(1_000_000));
            DaemonFiles files = new DaemonFiles(dir);
            Path config = files.writeConfig(devnet, "txindex", 6);
            ObjectNode cfg = (ObjectNode) CdcCodec.mapper().readTree(config.toFile());
            cfg.put("progress_interval_s", 1);
            // the strictly sequential engine, so catch-up over the slow node takes several progress intervals
            cfg.putObject("engine").put("sequential", true);
            cfg.setAll((ObjectNode) CdcCodec.mapper().readTree(extraJson));
            Files.writeString(config, cfg.toPrettyString());
            try (DaemonProcess d = DaemonProcess.start(config, null, dir.resolve("logs"))) {
                d.awaitStderr("caught up: height " + TIP, WAIT);
                assertThat(d.terminate(WAIT)).as("exit status after SIGTERM").isZero();
                return d.stderr();
            }
        }
    }

    @Test
    void catchUpLogsProgressLinesAtTheIntervalAndOneCaughtUpLineWithIsoTimestamps() throws Exception {
        String stderr = catchUp("{}");
        List<String> lines = stderr.lines().toList();
        Pattern progress = Pattern.compile("^" + ISO + " INFO  \\[[^\\]]+] dev\\.debshrew\\.progress - progress: height"
                + " (\\d+), node tip (\\d+), lag (\\d+) blocks, ([\\d.]+) blocks/s, ([\\d.]+) messages/s, ETA \\S+$");
        List<Long> heights = new ArrayList<>();
        for (String line : lines) {
            Matcher m = progress.matcher(line);
            if (m.matches()) {
                long h = Long.parseLong(m.group(1));
                assertThat(m.group(2)).isEqualTo(String.valueOf(TIP));
                assertThat(Long.parseLong(m.group(3))).as(line).isEqualTo(TIP - h);
                assertThat(Double.parseDouble(m.group(4))).as(line).isPositive();
                heights.add(h);
            }
        }
        assertThat(heights).as("progress lines in:\n%s", stderr).hasSizeGreaterThanOrEqualTo(2).isSorted();
        assertThat(lines).as(stderr).anyMatch(l -> l.matches("^" + ISO + " INFO .* dev\\.debshrew\\.progress -"
                + " catching up: height -1, node tip " + TIP + ", lag " + (TIP + 1) + " blocks; progress every 1s$"));
        assertThat(lines.stream().filter(l -> l.matches("^" + ISO + " INFO .* dev\\.debshrew\\.progress - caught up:"
                + " height " + TIP + " is the node's tip \\(" + (TIP + 1) + " blocks in .*\\)$"))).as(stderr).hasSize(1);
        assertThat(lines.stream().filter(l -> l.contains(" INFO ") || l.contains(" WARN "))).as(stderr)
                .allMatch(l -> l.matches("^" + ISO + " .*"));
    }

    @Test
    void jsonLogFormatWritesJsonLinesWithPipelineAndHeight() throws Exception {
        String stderr = catchUp("{\"log_format\": \"json\", \"pipeline\": \"tx-pipe\"}");
        List<JsonNode> lines = new ArrayList<>();
        for (String line : stderr.lines().filter(l -> !l.isBlank()).toList()) {
            JsonNode n;
            try {
                n = CdcCodec.mapper().readTree(line);
            } catch (Exception e) {
                throw new AssertionError("not a JSON line: " + line + "\nin:\n" + stderr, e);
            }
            assertThat(n.isObject()).as(line).isTrue();
            assertThat(n.path("timestamp").asText()).as(line).matches(ISO);
            assertThat(n.path("level").asText()).as(line).isNotEmpty();
            assertThat(n.path("logger").asText()).as(line).isNotEmpty();
            assertThat(n.path("thread").asText()).as(line).isNotEmpty();
            lines.add(n);
        }
        assertThat(lines).as("the first line (READY) is JSON too")
                .anyMatch(n -> n.path("message").asText().contains(Main.READY));
        List<JsonNode> progress = lines.stream()
                .filter(n -> n.path("message").asText().startsWith("progress: height")).toList();
        assertThat(progress).as(stderr).hasSizeGreaterThanOrEqualTo(2);
        for (JsonNode n : progress) { // height: when logged while the block was committed (not at a poll)
            assertThat(n.path("pipeline").asText()).isEqualTo("tx-pipe");
            if (n.has("height")) {
                assertThat(n.path("height").isIntegralNumber()).as(n.toString()).isTrue();
                assertThat(n.path("message").asText()).startsWith("progress: height " + n.path("height").asLong() + ",");
            }
        }
        // logged when block TIP was committed, inside the follower's MDC
        assertThat(lines).as(stderr).anyMatch(n -> n.path("message").asText().startsWith("caught up: height " + TIP)
                && n.path("height").asLong() == TIP && n.path("pipeline").asText().equals("tx-pipe"));
    }
}
