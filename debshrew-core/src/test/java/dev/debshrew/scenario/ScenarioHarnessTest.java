package dev.debshrew.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The harness itself: scenario parsing, golden normalisation and diff, the stream model. */
class ScenarioHarnessTest {

    private static final String H = "\"source\":\"s\",\"timestamp\":1700000600000,\"block_height\":1,\"block_hash\":\"b1\"";
    private static final String CREATE_A = "{\"header\":{" + H + "},\"payload\":{\"operation\":\"create\",\"table\":\"t\","
            + "\"key\":\"a\",\"after\":{\"v\":1}}}";
    private static final String UPDATE_A = "{\"header\":{" + H + "},\"payload\":{\"operation\":\"update\",\"table\":\"t\","
            + "\"key\":\"a\",\"before\":{\"v\":1},\"after\":{\"v\":2}}}";
    private static final String BLOCK0 = "{\"header\":{\"source\":\"s\",\"timestamp\":1700000000000,\"block_height\":0,"
            + "\"block_hash\":\"b0\"},\"payload\":{\"operation\":\"create\",\"table\":\"t\",\"key\":\"z\",\"after\":{\"v\":0}}}";

    private static String inverse(long ts, String op, String images) {
        return "{\"header\":{\"source\":\"s\",\"timestamp\":" + ts + ",\"block_height\":0,\"block_hash\":\"b0\","
                + "\"inverse\":true},\"payload\":{\"operation\":\"" + op + "\",\"table\":\"t\",\"key\":\"a\"," + images + "}}";
    }

    private static ScenarioSpec parse(String json) throws Exception {
        return ScenarioSpec.parse("x", new ObjectMapper().readTree(json));
    }

    @Test
    void parsesEveryStepKind() throws Exception {
        ScenarioSpec s = parse("{\"devnet\":{\"seed\":3,\"initial_height\":12,\"version_line\":\"rc11\"},"
                + "\"daemon\":{\"transform\":\"blocks\",\"cache_size\":4,\"autostart\":false},\"steps\":["
                + "{\"advance\":2},{\"reorg\":{\"depth\":2,\"style\":\"phased\"}},{\"restart\":true},"
                + "{\"restart\":{\"at_height\":5}},{\"stop\":true},{\"start\":{\"wait\":false}},"
                + "{\"crash\":{\"at\":\"after-undo-sink-commit\",\"height\":9,\"trigger\":{\"reorg\":{\"depth\":1}},"
                + "\"restart\":false}},{\"crash_random\":{\"max_ms\":1500,\"seed\":1}},"
                + "{\"expect_exit\":{\"status\":1,\"stderr_contains\":\"deep\"}},{\"verify\":true}]}");
        assertThat(s.devnet().seed()).isEqualTo(3);
        assertThat(s.daemon().cacheSize()).isEqualTo(4);
        assertThat(s.steps()).hasSize(10);
        assertThat(s.steps().get(1)).isEqualTo(new ScenarioSpec.Reorg(2, 3, dev.debshrew.devnet.ReorgStyle.PHASED, true));
        assertThat(s.steps().get(6).describe()).contains("after-undo-sink-commit@9", "reorg depth 1", "left down");
    }

    @Test
    void parsesFaults() throws Exception {
        ScenarioSpec s = parse("{\"steps\":[{\"fault\":{\"type\":\"latency\",\"delay_ms\":20,\"probability\":0.5}},"
                + "{\"fault\":{\"type\":\"http_500\",\"method\":\"metashrew_view\",\"times\":2}},"
                + "{\"clear_faults\":true}]}");
        var latency = ((ScenarioSpec.FaultStep) s.steps().get(0)).fault();
        assertThat(latency.type()).isEqualTo(dev.debshrew.devnet.Fault.Type.LATENCY);
        assertThat(latency.probability()).isEqualTo(0.5);
        var http = ((ScenarioSpec.FaultStep) s.steps().get(1)).fault();
        assertThat(http.method()).isEqualTo("metashrew_view");
        assertThat(http.times()).isEqualTo(2);
        assertThat(s.steps().get(2)).isInstanceOf(ScenarioSpec.ClearFaults.class);
        assertThatThrownBy(() -> parse("{\"steps\":[{\"fault\":{\"type\":\"latency\",\"times\":1}}]}"))
                .hasMessageContaining("'delay_ms' is required");
        assertThatThrownBy(() -> parse("{\"steps\":[{\"fault\":{\"type\":\"http_500\"}}]}"))
                .hasMessageContaining("either 'times' or 'probability'");
    }

    @Test
    void rejectsTyposWithTheirPath() {
        assertThatThrownBy(() -> parse("{\"steps\":[{\"advance\":1},{\"reorg\":{\"dept\":2}}]}"))
                .hasMessage("$.steps[1].reorg: unknown key 'dept'");
        assertThatThrownBy(() -> parse("{\"steps\":[{\"crash\":{\"at\":\"after-commit\",\"height\":3}}]}"))
                .hasMessageContaining("$.steps[0].crash.at: unknown crash point 'after-commit'");
        assertThatThrownBy(() -> parse("{\"daemon\":{\"transform\":\"foo\"},\"steps\":[]}"))
                .hasMessageContaining("$.daemon.transform");
        assertThatThrownBy(() -> parse("{\"steps\":[{\"crash\":{\"at\":\"after-sink-commit\",\"height\":3,"
                + "\"trigger\":{\"restart\":true}}}]}")).hasMessageContaining("trigger must be 'advance' or 'reorg'");
        assertThatThrownBy(() -> parse("{\"steps\":[{\"stop\":false}]}")).hasMessageContaining("must be true");
    }

    @Test
    void normalisesOnlyTheTimestampOfInverseMessages() {
        String inv = inverse(1763820000123L, "delete", "\"before\":{\"v\":1}");
        assertThat(Golden.normalise(inv)).isEqualTo(inverse(0, "delete", "\"before\":{\"v\":1}"));
        assertThat(Golden.normalise(CREATE_A)).isSameAs(CREATE_A);
        assertThat(Golden.lines((CREATE_A + "\n" + UPDATE_A + "\n").getBytes(StandardCharsets.UTF_8)))
                .containsExactly(CREATE_A, UPDATE_A);
        assertThatThrownBy(() -> Golden.lines(CREATE_A.getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("does not end with a newline");
    }

    @Test
    void diffNamesTheFirstDifferingLineAndShowsBoth() {
        assertThatThrownBy(() -> Golden.assertSame("x", List.of("a", "b", "c", "d"), List.of("a", "b", "X", "d", "e")))
                .hasMessageContaining("first difference at line 3 (expected 4 lines, actual 5, 2 differing line(s)")
                .hasMessageContaining("line 2 (same):  b")
                .hasMessageContaining("expected line 3: c")
                .hasMessageContaining("actual   line 3: X");
        assertThatThrownBy(() -> Golden.assertSame("x", List.of("a"), List.of("a", "b")))
                .hasMessageContaining("expected line 2: <end of file>")
                .hasMessageContaining("actual   line 2: b");
    }

    @Test
    void streamModelAcceptsAnExactUndoAndKeepsTheSurvivors() throws Exception {
        StreamModel m = new StreamModel();
        m.replay(List.of(BLOCK0, CREATE_A, UPDATE_A,
                inverse(5, "update", "\"before\":{\"v\":2},\"after\":{\"v\":1}"),
                inverse(5, "delete", "\"before\":{\"v\":1}")));
        assertThat(m.undoneBlocks()).isEqualTo(1);
        assertThat(m.survivingBlocks()).containsExactly("0:b0");
        assertThat(m.survivors()).containsExactly(BLOCK0);
    }

    @Test
    void streamModelRejectsAWrongUndo() {
        // wrong order within the block
        assertThatThrownBy(() -> new StreamModel().replay(List.of(BLOCK0, CREATE_A, UPDATE_A,
                inverse(5, "delete", "\"before\":{\"v\":1}"),
                inverse(5, "update", "\"before\":{\"v\":2},\"after\":{\"v\":1}"))))
                .hasMessageContaining("line 4: inverse message of block 1 is not the inverse of its message 2");
        // a missing inverse
        assertThatThrownBy(() -> new StreamModel().replay(List.of(BLOCK0, CREATE_A, UPDATE_A,
                inverse(5, "update", "\"before\":{\"v\":2},\"after\":{\"v\":1}"))))
                .hasMessageContaining("1 inverse message(s) undo block 1 (b1) of 2 message(s)");
        // a forward block that skips a height
        assertThatThrownBy(() -> new StreamModel().replay(List.of(CREATE_A, BLOCK0)))
                .hasMessageContaining("forward block 0 (b0) does not follow the last delivered block 1");
    }
}
