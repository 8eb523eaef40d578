package dev.debshrew.devnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.debshrew.metashrew.VersionLine;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class DevnetScenarioTest {

    @Test
    void parsesTheDocumentedExample() {
        DevnetScenario s = DevnetScenario.parse("""
                {"version_line":"rc11","seed":7,"initial_height":12,"block_interval_ms":1000,"max_height":100,
                 "reorg_timing":{"notice_delay_ms":50},
                 "steps":[{"at_ms":15000,"reorg":{"depth":3,"new_blocks":4,"style":"phased"}},
                          {"at_ms":2000,"fault":{"type":"http_500","method":"metashrew_height","times":3}},
                          {"at_ms":3000,"fault":{"type":"latency","delay_ms":300,"probability":0.2}},
                          {"at_ms":4000,"fault":{"type":"height_backwards","by":2}},
                          {"at_ms":5000,"fault":{"type":"timeout","delay_ms":90000}},
                          {"at_ms":6000,"mine":2},{"at_ms":7000,"clear_faults":true},{"at_ms":8000,"mining":false}]}
                """);
        assertThat(s.versionLine()).isEqualTo(VersionLine.RC11);
        assertThat(s.seed()).isEqualTo(7);
        assertThat(s.initialHeight()).isEqualTo(12);
        assertThat(s.blockIntervalMs()).isEqualTo(1000);
        assertThat(s.maxHeight()).isEqualTo(100);
        assertThat(s.reorgTiming().noticeDelay()).isEqualTo(Duration.ofMillis(50));
        assertThat(s.reorgTiming().rollbackBlock()).isEqualTo(ReorgTiming.defaults().rollbackBlock());
        assertThat(s.stepCount()).isEqualTo(8);
        DevnetScenario empty = DevnetScenario.parse("{}");
        assertThat(empty.versionLine()).isEqualTo(VersionLine.CURRENT);
        assertThat(empty.initialHeight()).isEqualTo(10);
        assertThat(empty.blockIntervalMs()).isZero();
    }

    @Test
    void rejectsBadScenariosWithThePath() {
        assertThatThrownBy(() -> DevnetScenario.parse("[1]")).hasMessageContaining("JSON object");
        assertThatThrownBy(() -> DevnetScenario.parse("{\"sead\":1}")).hasMessageContaining("unknown key 'sead'");
        assertThatThrownBy(() -> DevnetScenario.parse("{\"version_line\":\"v10\"}")).hasMessageContaining("unknown metashrew version line");
        assertThatThrownBy(() -> DevnetScenario.parse("{\"steps\":[{\"at_ms\":1,\"mine\":1,\"clear_faults\":true}]}"))
                .hasMessageContaining("steps[0] must have exactly one of");
        assertThatThrownBy(() -> DevnetScenario.parse("{\"steps\":[{\"at_ms\":-1,\"mine\":1}]}"))
                .hasMessageContaining("steps[0].at_ms must be an integer >= 0");
        assertThatThrownBy(() -> DevnetScenario.parse("{\"steps\":[{\"reorg\":{\"dept\":1}}]}"))
                .hasMessageContaining("steps[0].reorg: unknown key 'dept'");
        assertThatThrownBy(() -> DevnetScenario.parse("{\"steps\":[{\"reorg\":{\"new_blocks\":1}}]}"))
                .hasMessageContaining("steps[0].reorg.depth is required");
        assertThatThrownBy(() -> DevnetScenario.parse("{\"steps\":[{\"reorg\":{\"depth\":1,\"style\":\"slow\"}}]}"))
                .hasMessageContaining("\"instant\" or \"phased\"");
        assertThatThrownBy(() -> DevnetScenario.parse("{\"steps\":[{\"fault\":{\"type\":\"boom\"}}]}"))
                .hasMessageContaining("steps[0].fault.type").hasMessageContaining("unknown fault type 'boom'");
        assertThatThrownBy(() -> DevnetScenario.parse("{\"steps\":[{\"fault\":{\"type\":\"http_500\",\"times\":2,\"probability\":0.5}}]}"))
                .hasMessageContaining("either times or probability");
        assertThatThrownBy(() -> DevnetScenario.parse("{\"steps\":[{\"fault\":{\"type\":\"latency\"}}]}"))
                .hasMessageContaining("delay_ms is required");
        assertThatThrownBy(() -> DevnetScenario.parse("{\"steps\":[{\"fault\":{\"type\":\"http_500\",\"probability\":2}}]}"))
                .hasMessageContaining("probability");
    }

    @Test
    void parsesOversizedAndBadResultFaults() {
        assertThat(DevnetScenario.parse("""
                {"steps":[{"fault":{"type":"oversized_result","bytes":2048}},{"fault":{"type":"bad_result","result":"0xzz"}},
                          {"fault":{"type":"bad_result"}},{"fault":{"type":"oversized_result"}}]}
                """).stepCount()).isEqualTo(4);
        assertThatThrownBy(() -> DevnetScenario.parse("{\"steps\":[{\"fault\":{\"type\":\"http_500\",\"bytes\":5}}]}"))
                .hasMessageContaining("steps[0].fault.bytes only applies to oversized_result");
        assertThatThrownBy(() -> DevnetScenario.parse("{\"steps\":[{\"fault\":{\"type\":\"latency\",\"delay_ms\":1,"
                + "\"result\":5}}]}")).hasMessageContaining("steps[0].fault.result only applies to bad_result");
        assertThat(Fault.oversizedResult(2048).toString()).contains("oversized_result").contains("bytes=2048");
        assertThat(Fault.badResult("null").toString()).contains("bad_result").contains("result=null");
    }

    @Test
    void drivesTheDevnetOverTime() throws Exception {
        DevnetScenario s = DevnetScenario.parse("""
                {"seed":3,"initial_height":5,"block_interval_ms":50,"max_height":12,
                 "steps":[{"at_ms":0,"fault":{"type":"http_500","method":"metashrew_getblockhash","times":1}},
                          {"at_ms":100,"mine":1},
                          {"at_ms":200,"reorg":{"depth":2,"new_blocks":3,"style":"instant"}},
                          {"at_ms":250,"reorg":{"depth":2,"new_blocks":3,"style":"phased","notice_delay_ms":0,
                                                "rollback_block_ms":0,"reindex_interval_ms":1000}},
                          {"at_ms":250,"reorg":{"depth":1,"new_blocks":1,"style":"instant"}}]}
                """);
        // steps due at the same time run in order on the scenario's one thread: the instant reorg
        // comes while the phased one (3 blocks re-indexed a second apart) is still running
        try (DevnetServer server = s.serverBuilder().build().start(0)) {
            assertThat(server.height()).isEqualTo(5); // before the scenario's clock starts
            try (DevnetScenario.Run run = s.start(server)) {
                assertThat(run.awaitSteps(Duration.ofSeconds(30))).isTrue();
                assertThat(server.awaitReorg(Duration.ofSeconds(30))).isTrue();
                // the last reorg overlapped the phased one: logged and skipped
                assertThat(run.failedSteps()).isEqualTo(1);
                assertThat(server.activeFaults()).hasSize(1);
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (server.height() < 12 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(server.awaitReorg(Duration.ofSeconds(30))).isTrue();
                Thread.sleep(100);
                long h = server.height();
                Thread.sleep(300);
                // max_height stops automatic mining (reorgs with new_blocks > depth may have gone past it)
                assertThat(server.height()).isEqualTo(h).isGreaterThanOrEqualTo(12);
                assertThat(server.chain().branchCount()).isEqualTo(3);
                assertThat(server.blockHash(h)).isEqualTo(server.chain().block(server.branch(), h).hash());
            }
        }
    }

    @Test
    void mainStartsServesAndPrintsTheUrl(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("scenario.json");
        Files.writeString(file, "{\"version_line\":\"v8\",\"initial_height\":3,\"steps\":[{\"at_ms\":0,\"mine\":2}]}");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (DevnetMain.Running r = DevnetMain.launch(new String[] {"--port", "0", "--scenario", file.toString(), "--blocks=4",
                "--version-line", "rc"}, new PrintStream(buf, true, StandardCharsets.UTF_8))) {
            String out = buf.toString(StandardCharsets.UTF_8);
            String url = out.lines().findFirst().orElseThrow();
            assertThat(url).isEqualTo(r.server().url()).startsWith("http://127.0.0.1:");
            assertThat(r.server().versionLine()).isEqualTo(VersionLine.RC); // command line overrides the file
            assertThat(r.scenario().awaitSteps(Duration.ofSeconds(5))).isTrue();
            assertThat(RawRpc.result(url, "metashrew_height", "[]").asLong()).isEqualTo(6);
        }
        ByteArrayOutputStream help = new ByteArrayOutputStream();
        assertThat(DevnetMain.launch(new String[] {"--help"}, new PrintStream(help, true, StandardCharsets.UTF_8))).isNull();
        assertThat(help.toString(StandardCharsets.UTF_8)).contains("--block-interval-ms");
        assertThatThrownBy(() -> DevnetMain.launch(new String[] {"--port", "x"}, System.out)).hasMessageContaining("--port needs an integer");
        assertThatThrownBy(() -> DevnetMain.launch(new String[] {"--bogus", "1"}, System.out)).hasMessageContaining("unknown option --bogus");
        assertThatThrownBy(() -> DevnetMain.launch(new String[] {"--version-line", "auto"}, System.out))
                .hasMessageContaining("v8, rc, rc11 or current");
        assertThat(DevnetMain.run(new String[] {"--blocks"})).isEqualTo(2);
    }
}
