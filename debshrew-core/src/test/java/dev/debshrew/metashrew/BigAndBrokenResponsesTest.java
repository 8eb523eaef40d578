package dev.debshrew.metashrew;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.Fault;
import dev.debshrew.metashrew.MetashrewException.Kind;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9 item 4: big and broken responses. A view result larger than Jackson's default string
 * limit is accepted up to {@code metashrew.max_response_bytes}; beyond it the call fails once,
 * without buffering the body, naming the view, the height and the limit; a malformed view result
 * is a retriable node failure naming the view and the height.
 */
@Timeout(120)
class BigAndBrokenResponsesTest {

    private DevnetServer devnet;

    @BeforeEach
    void setUp() throws Exception {
        devnet = DevnetServer.builder().seed(9).initialHeight(12).build().start(0);
    }

    @AfterEach
    void tearDown() {
        devnet.close();
    }

    private MetashrewClient.Builder client() {
        return MetashrewClient.builder(devnet.url()).versionLine(VersionLine.CURRENT).maxRetries(3)
                .backoffInitial(Duration.ofMillis(5)).backoffMax(Duration.ofMillis(20));
    }

    @Test
    void viewResultAboveJacksonsDefaultStringLimitIsAcceptedByDefault() throws Exception {
        // 11 MB of output = 22 M hex characters: above Jackson's default 20 M maximum string length,
        // which made the old client retry the call forever as a "malformed" response
        int bytes = 11_000_000;
        devnet.inject(Fault.oversizedResult(bytes));
        try (MetashrewClient c = client().build()) {
            assertThat(c.config().maxResponseBytes()).isEqualTo(32L * 1024 * 1024);
            byte[] out = c.view("getblock", new byte[0], 7);
            assertThat(out).hasSize(bytes);
            assertThat(out[0]).isEqualTo((byte) 0xaa);
            assertThat(out[bytes - 1]).isEqualTo((byte) 0xaa);
        }
        assertThat(devnet.requestCount("metashrew_view")).isEqualTo(1);
    }

    @Test
    void viewResultAboveTheLimitFailsOnceNamingViewHeightAndLimit() throws Exception {
        // 1 GiB of output (2 GiB of hex): the old client read it whole into a String and died; the
        // limit stops reading at 64 KiB + 1
        devnet.inject(Fault.oversizedResult(1L << 30));
        try (MetashrewClient c = client().maxResponseBytes(64 * 1024).build()) {
            assertThatThrownBy(() -> c.view("blocktracker", new byte[] {1}, 5))
                    .isInstanceOfSatisfying(MetashrewException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.RESPONSE_TOO_LARGE);
                        assertThat(e.isRetriable()).isFalse();
                        assertThat(e.getMessage()).contains("metashrew_view", "'blocktracker'", "height 5", "65536",
                                "metashrew.max_response_bytes");
                    });
            // the node answers normally afterwards: the abandoned connection is not reused
            assertThat(c.view("blocktracker", new byte[0], 5)).hasSize(6);
        }
        assertThat(devnet.requestCount("metashrew_view")).isEqualTo(2);
    }

    @Test
    void announcedOversizedBodyIsRejectedBeforeReading() throws Exception {
        char[] big = new char[200_000];
        Arrays.fill(big, 'b');
        devnet.inject(Fault.badResult("\"0x" + new String(big) + "\""));
        try (MetashrewClient c = client().maxResponseBytes(64 * 1024).build()) {
            assertThatThrownBy(() -> c.view("getblock", new byte[0], 3))
                    .isInstanceOfSatisfying(MetashrewException.class, e -> {
                        assertThat(e.kind()).isEqualTo(Kind.RESPONSE_TOO_LARGE);
                        assertThat(e.isRetriable()).isFalse();
                        assertThat(e.getMessage()).contains("'getblock'", "height 3", "65536");
                    });
        }
        assertThat(devnet.requestCount("metashrew_view")).isEqualTo(1);
    }

    @Test
    void malformedViewResultIsATransientNodeFailureNamingViewAndHeight() throws Exception {
        for (String bad : new String[] {"null", "\"0xzz\"", "42", "{\"x\":1}", "\"0xabc\""}) {
            devnet.clearFaults();
            devnet.inject(Fault.badResult(bad).times(4));
            try (MetashrewClient c = client().build()) {
                assertThatThrownBy(() -> c.view("blocktracker", new byte[0], 8)).as(bad)
                        .isInstanceOfSatisfying(MetashrewException.class, e -> {
                            assertThat(e.kind()).isEqualTo(Kind.MALFORMED_RESPONSE);
                            assertThat(e.isRetriable()).as("retriable: redo the block, never -1 to the guest").isTrue();
                            assertThat(e.getMessage()).contains("'blocktracker'", "height 8", "after 4 attempts");
                        });
            }
        }
    }

    @Test
    void malformedViewResultIsRetriedAndTheRealAnswerWins() throws Exception {
        devnet.inject(Fault.badResult("null").times(2));
        try (MetashrewClient c = client().build()) {
            assertThat(c.view("getblock", new byte[0], 3)).isEqualTo(devnet.chain().block(0, 3).raw());
        }
        assertThat(devnet.requestCount("metashrew_view")).isEqualTo(3);
    }

    @Test
    void maxResponseBytesIsValidated() {
        assertThatThrownBy(() -> client().maxResponseBytes(10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxResponseBytes").hasMessageContaining("10");
        assertThatThrownBy(() -> client().maxResponseBytes((1L << 30) + 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void maxResponseBytesIsAConfigOption() throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode cfg = dev.debshrew.config.DebshrewConfig.emptyTree();
        cfg.putObject("transform").put("path", "t.wasm");
        assertThat(dev.debshrew.config.DebshrewConfig.fromJson(cfg, "test").metashrewMaxResponseBytes())
                .isEqualTo(MetashrewClientConfig.DEFAULT_MAX_RESPONSE_BYTES);
        cfg.putObject("metashrew").put("max_response_bytes", 2048);
        assertThat(dev.debshrew.config.DebshrewConfig.fromJson(cfg, "test").metashrewMaxResponseBytes()).isEqualTo(2048);
        cfg.putObject("metashrew").put("max_response_bytes", 100);
        assertThatThrownBy(() -> dev.debshrew.config.DebshrewConfig.fromJson(cfg, "test"))
                .hasMessageContaining("metashrew.max_response_bytes").hasMessageContaining("1024..1073741824");
    }
}
