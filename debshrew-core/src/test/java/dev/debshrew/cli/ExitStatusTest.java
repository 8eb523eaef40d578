package dev.debshrew.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.config.ConfigException;
import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.follow.DeepReorgException;
import dev.debshrew.follow.PipelineException;
import dev.debshrew.journal.JournalCorruptedException;
import dev.debshrew.journal.StateStoreException;
import dev.debshrew.testing.DaemonProcess;
import dev.debshrew.testing.Examples;
import dev.debshrew.transform.TransformLoadException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Separate exit statuses: 2 configuration, 3 needs an operator, 1 transient give-up; the systemd
 * unit does not restart on 2 and 3.
 */
class ExitStatusTest {

    @TempDir
    Path dir;

    @Test
    void operatorConditionsConfigurationErrorsAndTransientGiveUpsHaveSeparateStatuses() {
        Path data = dir.resolve("data");
        assertThat(ExitStatus.of(new ConfigException("bad option"))).isEqualTo(2);
        assertThat(ExitStatus.of(new TransformLoadException("m.wasm", "not wasm", null))).isEqualTo(2);
        assertThat(ExitStatus.of(new DeepReorgException("deep", 10, 15))).isEqualTo(3);
        assertThat(ExitStatus.of(new PipelineException("transform 'x' failed on block 7"))).isEqualTo(3);
        assertThat(ExitStatus.of(new JournalCorruptedException(data, OptionalLong.of(10), "bad crc"))).isEqualTo(3);
        assertThat(ExitStatus.of(new StateStoreException(data, "not a debshrew state store"))).isEqualTo(3);
        assertThat(ExitStatus.of(new PipelineException("sink gave up", null, false))).isEqualTo(1);
        assertThat(ExitStatus.of(new IllegalStateException("a defect"))).isEqualTo(1);
    }

    @Test
    void systemdUnitDoesNotRestartOnTheConfigurationAndOperatorStatuses() throws Exception {
        Path unit = Path.of(System.getProperty("debshrew.examples.dir", "../examples")).resolveSibling("config")
                .resolve("debshrew.service");
        List<String> prevent = Files.readAllLines(unit).stream()
                .filter(l -> l.startsWith("RestartPreventExitStatus="))
                .flatMap(l -> Arrays.stream(l.substring(l.indexOf('=') + 1).trim().split("\\s+")))
                .toList();
        assertThat(prevent).containsExactlyInAnyOrder(String.valueOf(ExitStatus.CONFIGURATION),
                String.valueOf(ExitStatus.NEEDS_OPERATOR));
        assertThat(Files.readString(unit)).contains("Restart=on-failure");
    }

    /** A transform failing on a block (here: a view call over its limit) is an operator's matter: 3. */
    @Test
    void transformFailingOnABlockExitsWithTheOperatorStatus() throws Exception {
        try (DevnetServer devnet = DevnetServer.builder().seed(31).initialHeight(3).build().start(0)) {
            ObjectNode cfg = DebshrewConfig.emptyTree();
            cfg.putObject("metashrew").put("url", devnet.url());
            cfg.putObject("transform").put("path", Examples.assemblyScript("txindex").toString())
                    .put("max_view_calls", 0).put("compile_cache_dir", dir.resolve("cache").toString());
            cfg.putObject("sink").put("type", "file").put("path", dir.resolve("out.jsonl").toString());
            cfg.put("start_height", 0).put("data_dir", dir.resolve("data").toString());
            Path config = Files.writeString(dir.resolve("config.json"), cfg.toPrettyString());
            try (DaemonProcess d = DaemonProcess.start(config, null, dir.resolve("logs"))) {
                assertThat(d.awaitExit(Duration.ofSeconds(90))).as("exit status:\n%s", d.stderr())
                        .isEqualTo(ExitStatus.NEEDS_OPERATOR);
                assertThat(d.stderr()).contains("failed on block 0");
            }
        }
    }
}
