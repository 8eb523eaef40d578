package dev.debshrew.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.testing.DaemonProcess;
import dev.debshrew.testing.Examples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** A test's daemon files in one directory: config file, file-sink output and data directory. */
final class DaemonFiles {

    private final Path dir;

    DaemonFiles(Path dir) {
        this.dir = dir;
    }

    Path out() {
        return dir.resolve("out.jsonl");
    }

    Path stateDir() {
        return dir.resolve("data").resolve("state");
    }

    /** Writes a config running the AssemblyScript {@code example} into the file sink, from height 0. */
    Path writeConfig(DevnetServer devnet, String example, int cacheSize) throws Exception {
        ObjectNode cfg = DebshrewConfig.emptyTree();
        cfg.putObject("metashrew").put("url", devnet.url()).put("timeout", 10);
        cfg.putObject("transform").put("path", Examples.assemblyScript(example).toString())
                .put("compile_cache_dir", dir.resolve("compile-cache").toString());
        cfg.putObject("sink").put("type", "file").put("path", out().toString());
        cfg.put("cache_size", cacheSize).put("start_height", 0).put("data_dir", dir.resolve("data").toString())
                .put("poll_interval_ms", 50);
        Path file = dir.resolve("config-" + example + ".json");
        Files.writeString(file, cfg.toPrettyString());
        return file;
    }

    /** Runs {@code debshrew run} as a process until the sink's cursor is the devnet's tip, then SIGTERM. */
    void runToTip(Path config, DevnetServer devnet, Duration wait, String... runArgs) throws Exception {
        try (DaemonProcess d = DaemonProcess.start(config, null, dir.resolve("logs"), runArgs)) {
            d.awaitCursor(out().resolveSibling(out().getFileName() + ".cursor"), devnet.height(),
                    devnet.blockHash(devnet.height()), wait);
            assertThat(d.terminate(wait)).as("exit status after SIGTERM").isZero();
        }
    }

    /** Starts {@code debshrew run} as a process, optionally paused at a crash point. */
    DaemonProcess start(Path config, String pauseAt) throws Exception {
        return DaemonProcess.start(config, pauseAt, dir.resolve("logs"));
    }
}
