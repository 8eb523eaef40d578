package dev.debshrew.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.config.ConfigException;
import dev.debshrew.config.ConfigRedaction;
import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.daemon.Daemon;
import dev.debshrew.follow.PipelineException;
import dev.debshrew.journal.StateStoreException;
import dev.debshrew.transform.TransformLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code debshrew run}: the daemon. Reads the JSON config (the original debshrew's keys) and
 * applies the original's flags on top. Exit status: 0 after a clean stop (SIGTERM / Ctrl-C),
 * 1 on a pipeline failure, 2 on invalid configuration or module.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Follow a metashrew node and stream CDC messages.")
final class RunCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "JSON configuration file.")
    Path config;

    @Option(names = {"-m", "--metashrew-url"}, paramLabel = "URL", description = "metashrew JSON-RPC URL (metashrew.url).")
    String metashrewUrl;

    @Option(names = {"-t", "--transform"}, paramLabel = "WASM", description = "Transform module (transform.path).")
    Path transform;

    @Option(names = {"-s", "--sink-type"}, paramLabel = "TYPE", description = "console, file, kafka or postgres (alias postgresql) (sink.type).")
    String sinkType;

    @Option(names = {"-f", "--sink-config"}, paramLabel = "FILE", description = "JSON file with the sink's options.")
    Path sinkConfig;

    @Option(names = {"-z", "--cache-size"}, paramLabel = "N", description = "Reorg window in blocks (cache_size).")
    Long cacheSize;

    @Option(names = {"-b", "--start-height"}, paramLabel = "H",
            description = "First block when the sink has no cursor yet (start_height).")
    Long startHeight;

    @Option(names = "--accept-module-change",
            description = "Record the configured transform module as the state store's module even though the store"
                    + " was built by another one (an intentional, state-compatible change; docs/operations.md).")
    boolean acceptModuleChange;

    @Option(names = {"-l", "--log-level"}, paramLabel = "LEVEL", description = "error, warn, info, debug, trace (log_level).")
    String logLevel;

    @Override
    public Integer call() {
        DebshrewConfig cfg;
        try {
            cfg = DebshrewConfig.fromJson(tree(), config == null ? "command line" : config + " + command line");
        } catch (ConfigException e) {
            System.err.println("debshrew: invalid configuration: " + e.getMessage());
            return 2;
        }
        Logging.setLevel(cfg.logLevel());
        Daemon daemon;
        try {
            daemon = Daemon.create(cfg, acceptModuleChange);
        } catch (TransformLoadException e) {
            System.err.println("debshrew: cannot load transform: " + e.getMessage());
            return 2;
        } catch (StateStoreException e) {
            System.err.println("debshrew: state store: " + e.getMessage());
            return 2;
        } catch (IllegalArgumentException e) {
            System.err.println("debshrew: invalid configuration: " + e.getMessage());
            return 2;
        }
        // SIGTERM / SIGINT: stop after the block in progress and exit normally (status 0). A
        // shutdown hook covers any other way the JVM is asked to exit.
        Runnable requestStop = () -> {
            log.info("stop requested: finishing the block in progress, then flushing and closing the sink");
            daemon.follower().stop();
        };
        Signals.onTerminate(requestStop);
        Thread hook = new Thread(() -> {
            requestStop.run();
            try {
                daemon.stop(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "debshrew-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            daemon.run();
            return 0;
        } catch (PipelineException e) {
            log.error("debshrew stopped: {}", e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            log.error("debshrew stopped on an unexpected error", e);
            return 1;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
        }
    }

    /** The config file's tree with the flags applied on top. */
    private JsonNode tree() throws ConfigException {
        ObjectNode root;
        if (config != null) {
            root = readObject(config, "config file");
        } else {
            root = DebshrewConfig.emptyTree();
        }
        if (metashrewUrl != null) {
            root.withObject("/metashrew").put("url", metashrewUrl);
        }
        if (transform != null) {
            root.withObject("/transform").put("path", transform.toString());
        }
        if (sinkConfig != null) {
            ObjectNode sink = root.withObject("/sink");
            ObjectNode extra = readObject(sinkConfig, "sink config file");
            for (Iterator<Map.Entry<String, JsonNode>> it = extra.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                sink.set(e.getKey(), e.getValue());
            }
        }
        if (sinkType != null) {
            root.withObject("/sink").put("type", sinkType);
        }
        if (cacheSize != null) {
            root.put("cache_size", cacheSize);
        }
        if (startHeight != null) {
            root.put("start_height", startHeight);
        }
        if (logLevel != null) {
            root.put("log_level", logLevel);
        }
        return root;
    }

    private static ObjectNode readObject(Path file, String what) throws ConfigException {
        try {
            JsonNode n = CdcCodec.mapper().readTree(Files.readAllBytes(file));
            if (n == null || !n.isObject()) {
                throw new ConfigException(what + " " + file + " must contain a JSON object");
            }
            return (ObjectNode) n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ConfigRedaction.notJson(what, file, e);
        } catch (IOException e) {
            throw new ConfigException(what + " " + file + " cannot be read: " + e.getMessage(), e);
        }
    }
}
