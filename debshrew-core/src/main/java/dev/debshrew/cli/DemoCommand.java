package dev.debshrew.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.daemon.Daemon;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.ReorgStyle;
import dev.debshrew.follow.PipelineException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code debshrew demo}: the devnet, the daemon with an example transform, and the console sink in
 * one process, with a scripted reorg. CDC messages go to stdout; the script's narration and the
 * daemon's warnings go to stderr.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the daemon against an embedded devnet with a scripted reorg (console output).")
final class DemoCommand implements Callable<Integer> {

    @Option(names = {"-t", "--transform"}, paramLabel = "WASM",
            description = "Transform module. Default: the AssemblyScript 'blocks' example.")
    Path transform;

    @Option(names = "--depth", description = "Depth of the scripted reorg (default ${DEFAULT-VALUE}).")
    int depth = 3;

    @Option(names = "--blocks", description = "Blocks on the devnet chain at start (default ${DEFAULT-VALUE}).")
    int initialHeight = 12;

    @Option(names = "--interval-ms", description = "Time between mined blocks (default ${DEFAULT-VALUE}).")
    long intervalMs = 1500;

    @Option(names = "--pretty", description = "Pretty-print messages.")
    boolean pretty;

    @Override
    public Integer call() throws Exception {
        Path wasm = transform != null ? transform : defaultTransform();
        if (wasm == null || !Files.isRegularFile(wasm)) {
            System.err.println("debshrew demo: transform module not found"
                    + (wasm == null ? "" : " at " + wasm) + "; build the examples with: mvn -B -q package -DskipTests");
            return 2;
        }
        Logging.setLevel("warn");
        try (DevnetServer devnet = DevnetServer.builder().initialHeight(initialHeight).build().start(0)) {
            say("devnet listening on " + devnet.url() + " with blocks 0.." + devnet.height());
            ObjectNode cfg = DebshrewConfig.emptyTree();
            cfg.putObject("metashrew").put("url", devnet.url());
            cfg.putObject("transform").put("path", wasm.toString());
            cfg.putObject("sink").put("type", "console").put("pretty", pretty);
            cfg.put("start_height", 0).put("poll_interval_ms", 200).put("log_level", "warn").put("state_store", "memory");
            Daemon daemon = Daemon.create(DebshrewConfig.fromJson(cfg, "demo"));
            say("running transform " + wasm + " from height 0 into the console sink");
            Thread runner = new Thread(() -> {
                try {
                    daemon.run();
                } catch (PipelineException e) {
                    System.err.println("[demo] daemon stopped: " + e.getMessage());
                }
            }, "debshrew-demo");
            runner.start();

            waitFor(daemon, devnet);
            for (int i = 0; i < 3; i++) {
                pause();
                say("mined block " + devnet.mine(1));
                waitFor(daemon, devnet);
            }
            pause();
            long tip = devnet.height();
            say("REORG: the node replaces blocks " + (tip - depth + 1) + ".." + tip + " with a new branch of "
                    + (depth + 1) + " blocks; expect inverse messages (\"inverse\":true) newest first");
            devnet.reorg(depth, depth + 1, ReorgStyle.PHASED).get(60, TimeUnit.SECONDS);
            waitFor(daemon, devnet);
            say("reorg undone and new branch processed up to " + devnet.height());
            for (int i = 0; i < 2; i++) {
                pause();
                say("mined block " + devnet.mine(1));
                waitFor(daemon, devnet);
            }
            daemon.stop(30_000);
            runner.join(30_000);
            say("done: " + daemon.follower().processedBlocks() + " blocks processed");
        }
        return 0;
    }

    private void pause() throws InterruptedException {
        Thread.sleep(intervalMs);
    }

    private static void waitFor(Daemon daemon, DevnetServer devnet) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (daemon.follower().nextHeight() <= devnet.height() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    private static void say(String text) {
        System.out.flush();
        System.err.println("[demo] " + text);
        System.err.flush();
    }

    /** The 'blocks' example next to the working directory or the installed jar. */
    private static Path defaultTransform() {
        for (Path p : List.of(Path.of("examples/assemblyscript/build/blocks.wasm"),
                Path.of("/opt/debshrew/examples/blocks.wasm"))) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }
}
