package dev.debshrew.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.follow.FollowerSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The liveness bound of {@code /health}: max(120 s, 2 x the longest known wait), or admin.stall_after. */
class StallAfterTest {

    private static DebshrewConfig config(long timeout, Long stallAfter) throws Exception {
        ObjectNode root = DebshrewConfig.emptyTree();
        root.putObject("metashrew").put("url", "http://127.0.0.1:1/").put("timeout", timeout).put("connect_timeout", 10);
        root.putObject("transform").put("path", "x.wasm");
        if (stallAfter != null) {
            root.putObject("admin").put("stall_after", stallAfter);
        }
        return DebshrewConfig.fromJson(root, "test");
    }

    @Test
    void livenessBoundIsTwiceTheLongestKnownWaitAndAtLeast120Seconds() throws Exception {
        FollowerSettings settings = FollowerSettings.defaults(); // retry max 30 s, poll 1 s
        assertThat(Daemon.stallAfter(config(30, null), settings)).isEqualTo(Duration.ofSeconds(120));
        assertThat(Daemon.stallAfter(config(100, null), settings)).as("2 x (timeout + connect timeout)")
                .isEqualTo(Duration.ofSeconds(220));
        assertThat(Daemon.stallAfter(config(10, null), settings.withRetry(Duration.ofSeconds(1), Duration.ofSeconds(90))))
                .as("2 x retry max").isEqualTo(Duration.ofSeconds(180));
        assertThat(Daemon.stallAfter(config(100, 45L), settings)).as("admin.stall_after").isEqualTo(Duration.ofSeconds(45));
    }
}
