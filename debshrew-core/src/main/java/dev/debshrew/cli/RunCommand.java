package dev.debshrew.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.config.ConfigException;
import dev.debshrew.config.ConfigLoader;
import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.config.EnvOverrides;
import dev.debshrew.config.PipelinesConfig;
import dev.debshrew.daemon.Daemon;
import dev.debshrew.daemon.DataDirLock;
import dev.debshrew.daemon.Standby;
import dev.debshrew.follow.PipelineException;
import dev.debshrew.journal.StateStoreException;
import dev.debshrew.transform.TransformLoadException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code debshrew run}: the daemon. Reads the config (JSON or YAML, the original debshrew's keys,
 * {@link ConfigLoader}) and applies the original's flags on top.
 *
 * <p>SIGTERM and SIGINT are handled from the first instant of the command (before the config is
 * read): a stop requested during start-up exits with status 0 without starting anything; a stop
 * while running ends within a bounded time even while a node or sink call hangs (see
 * {@link StopRequest}). SIGHUP, once the daemon is built (its first log line names the node), is
 * not a stop but a hot reload of {@code transform.path}. With the RocksDB store, the pipeline lock
 * on {@code data_dir} is taken before anything is opened ({@link Standby}: a held lock is an error,
 * or with {@code standby.enabled} a wait as a standby). Exit status (docs/operations.md, "Exit status"):
 * <ul>
 * <li>0: clean stop (SIGTERM / Ctrl-C);
 * <li>1: a transient condition the daemon gave up on, or an unexpected error (restart);
 * <li>2: invalid configuration, options or transform module (cannot be loaded or compiled);
 * <li>3: needs an operator: a reorg deeper than the window, a transform failing on a block, foreign
 *     or corrupted state, a different module on existing state ({@link PipelineException#needsOperator()},
 *     {@link StateStoreException}).
 * </ul>
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Follow a metashrew node and stream CDC messages.")
final class RunCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Configuration file: JSON, or YAML for .yaml/.yml.")
    Path config;

    @Option(names = {"-m", "--metashrew-url"}, paramLabel = "URL", description = "metashrew JSON-RPC URL (metashrew.url).")
    String metashrewUrl;

    @Option(names = {"-t", "--transform"}, paramLabel = "WASM", description = "Transform module (transform.path).")
    Path transform;

    @Option(names = {"-s", "--sink-type"}, paramLabel = "TYPE", description = "console, file, kafka or postgres (alias postgresql) (sink.type).")
    String sinkType;

    @Option(names = {"-f", "--sink-config"}, paramLabel = "FILE", description = "JSON (or YAML: .yaml, .yml) file with the sink's options.")
    Path sinkConfig;

    @Option(names = {"-z", "--cache-size"}, paramLabel = "N", description = "Reorg window in blocks (cache_size).")
    Long cacheSize;

    @Option(names = {"-b", "--start-height"}, paramLabel = "H",
            description = "First block when the sink has no cursor yet (start_height); with a cursor, the run is"
                    + " refused unless H is where the output resumes (docs/operations.md).")
    Long startHeight;

    @Option(names = "--accept-module-change",
            description = "Record the configured transform module as the state store's module even though the store"
                    + " was built by another one (an intentional, state-compatible change; docs/operations.md).")
    boolean acceptModuleChange;

    @Option(names = {"-l", "--log-level"}, paramLabel = "LEVEL", description = "error, warn, info, debug, trace (log_level).")
    String logLevel;

    @Override
    public Integer call() {
        StopRequest stop = new StopRequest();
        Thread hook = new Thread(() -> {
            // any other way the JVM is asked to exit (SIGHUP before the daemon is built, System.exit elsewhere)
            stop.request("JVM shutdown");
            try {
                stop.awaitFinished();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "debshrew-shutdown");
        try (Signals signals = Signals.onTerminate(sig -> stop.request("SIG" + sig))) {
            Runtime.getRuntime().addShutdownHook(hook);
            configureLogging(); // before the first line, so that log_format applies to every line
            log.info("debshrew run: {} (pid {}); SIGTERM or Ctrl-C stops it cleanly", Main.READY,
                    ProcessHandle.current().pid());
            return run(stop);
        } finally {
            stop.finished();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
        }
    }

    private int run(StopRequest stop) {
        DebshrewConfig cfg;
        try {
            cfg = config();
        } catch (ConfigException e) {
            System.err.println("debshrew: invalid configuration: " + e.getMessage());
            return ExitStatus.CONFIGURATION;
        }
        if (pipelines != null) {
            return new MultiRun(pipelines, acceptModuleChange).run(stop);
        }
        if ("memory".equals(cfg.stateStore())) {
            return run(stop, cfg); // nothing durable to guard: no pipeline lock
        }
        Optional<DataDirLock> lock;
        try {
            // before the store and the sinks are opened (docs/operations.md, "Standby pair")
            lock = Standby.acquire(cfg, stop::requestedWithin);
        } catch (Standby.LockHeldException e) {
            System.err.println("debshrew: " + e.getMessage());
            return ExitStatus.CONFIGURATION;
        } catch (IllegalArgumentException e) {
            System.err.println("debshrew: invalid configuration: " + e.getMessage());
            return ExitStatus.CONFIGURATION;
        } catch (IOException e) {
            System.err.println("debshrew: cannot take the pipeline lock in data_dir " + cfg.dataDir() + ": " + e);
            return ExitStatus.TRANSIENT;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitStatus.CLEAN;
        }
        if (lock.isEmpty()) {
            return ExitStatus.CLEAN; // stopped while standby
        }
        try {
            return run(stop, cfg);
        } finally {
            lock.ifPresent(DataDirLock::close);
        }
    }

    /** Builds and runs the daemon, holding the pipeline lock. */
    private int run(StopRequest stop, DebshrewConfig cfg) {
        if (stop.requested()) {
            log.info("stopped before start-up");
            return ExitStatus.CLEAN;
        }
        Daemon daemon;
        try {
            daemon = Daemon.create(cfg, acceptModuleChange, startHeight != null);
        } catch (TransformLoadException | StateStoreException | IllegalArgumentException e) {
            return startFailure(e);
        }
        if (!stop.attach(daemon)) {
            daemon.close();
            log.info("stopped during start-up");
            return ExitStatus.CLEAN;
        }
        // SIGHUP: hot reload of transform.path (docs/operations.md, "Hot reload"); before this, the JVM's default
        try (Signals hup = Signals.onHangup(() -> daemon.reload(null))) {
            daemon.run();
            return ExitStatus.CLEAN;
        } catch (PipelineException | StateStoreException e) {
            log.error("debshrew stopped: {}", e.getMessage());
            return ExitStatus.of(e);
        } catch (RuntimeException e) {
            log.error("debshrew stopped on an unexpected error", e);
            return ExitStatus.TRANSIENT;
        }
    }

    /** Reports why the daemon could not be built (on stderr) and returns the exit status. */
    static int startFailure(Exception e) {
        if (e instanceof TransformLoadException) {
            System.err.println("debshrew: cannot load transform: " + e.getMessage());
            return ExitStatus.CONFIGURATION;
        }
        if (e instanceof StateStoreException) {
            System.err.println("debshrew: state store: " + e.getMessage());
            return ExitStatus.of(e);
        }
        System.err.println("debshrew: invalid configuration: " + e.getMessage());
        return ExitStatus.CONFIGURATION;
    }

    private DebshrewConfig parsed;
    /** The pipelines of a config listing them ({@link PipelinesConfig}); null for a single pipeline. */
    private List<PipelinesConfig.Pipeline> pipelines;

    /** The configuration (read once); with {@code pipelines}, the first pipeline's (daemon-wide keys). */
    private DebshrewConfig config() throws ConfigException {
        if (parsed == null) {
            String source = config == null ? "command line" : config + " + command line";
            JsonNode tree = tree(source, System.getenv());
            if (PipelinesConfig.declared(tree)) {
                if (startHeight != null || transform != null) {
                    throw new ConfigException(source + ": -b/--start-height and -t/--transform name one pipeline;"
                            + " with '" + PipelinesConfig.KEY + "' set start_height and transform.path in each entry");
                }
                pipelines = PipelinesConfig.read(tree, source);
                parsed = pipelines.get(0).config();
            } else {
                parsed = DebshrewConfig.fromJson(tree, source);
            }
        }
        return parsed;
    }

    /** Applies the logging options; an invalid configuration is reported by {@link #run} instead. */
    private void configureLogging() {
        try {
            Logging.configure(config());
        } catch (ConfigException e) {
            // reported by run(), with exit status 2
        }
    }

    /**
     * The config file's tree ({@code ${VAR}} substituted), then the {@code DEBSHREW_*} environment
     * overrides, then the flags on top; {@code *_file} secrets read last.
     */
    private JsonNode tree(String source, Map<String, String> env) throws ConfigException {
        ObjectNode root = config != null ? ConfigLoader.parse(config, "config file") : DebshrewConfig.emptyTree();
        ConfigLoader.substitute(root, env, source);
        EnvOverrides.apply(root, env);
        if (metashrewUrl != null) {
            root.withObject("/metashrew").put("url", metashrewUrl);
        }
        if (transform != null) {
            root.withObject("/transform").put("path", transform.toString());
        }
        if (sinkConfig != null) {
            ObjectNode sink = root.withObject("/sink");
            ObjectNode extra = ConfigLoader.parse(sinkConfig, "sink config file");
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
        ConfigLoader.resolveSecretFiles(root, source);
        return root;
    }
}
