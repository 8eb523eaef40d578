package dev.debshrew.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.config.ConfigCheck;
import dev.debshrew.config.ConfigException;
import dev.debshrew.config.ConfigLoader;
import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.config.EnvOverrides;
import dev.debshrew.config.PipelinesConfig;
import dev.debshrew.daemon.Daemon;
import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.Sink;
import dev.debshrew.sink.SinkFactory;
import dev.debshrew.util.Secrets;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code debshrew check-config FILE [--connect]}: reads the config as {@code run} would (YAML or
 * JSON, {@code ${VAR}}, {@code DEBSHREW_*}, {@code *_file}) and prints every problem with its key
 * path. Exit status 0 when valid, 2 when not; with {@code --connect} it also asks the node for its
 * height and opens (then closes) each sink, printing each result, and exits 1 when one fails.
 */
@Command(name = "check-config", mixinStandardHelpOptions = true,
        description = "Check a configuration file (every problem, with its key path); exit 0 when valid, 2 when not.")
final class CheckConfigCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE", description = "Configuration file (.json, .yaml or .yml).")
    Path file;

    @Option(names = "--connect", description = "Also reach the node (its height) and open then close each sink;"
            + " exit 1 when one of them fails.")
    boolean connect;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        Map<String, String> env = System.getenv();
        ConfigCheck.Result result = ConfigCheck.check(file, env);
        try {
            for (String v : EnvOverrides.unknown(ConfigLoader.parse(file, "config file"), env)) {
                out.println("warning: environment variable " + v + " sets no option (see docs/configuration.md)");
            }
        } catch (ConfigException unreadable) {
            // reported as a problem by the check
        }
        if (!result.valid()) {
            result.problems().forEach(p -> out.println("problem: " + Secrets.scrub(p)));
            out.println(file + ": invalid (" + result.problems().size() + " problem"
                    + (result.problems().size() == 1 ? "" : "s") + ")");
            return ExitStatus.CONFIGURATION;
        }
        List<PipelinesConfig.Pipeline> pipelines = pipelines(env);
        if (pipelines.size() == 1 && pipelines.get(0).name() == null) {
            out.println(file + ": valid (" + result.config().sinks().size() + " sink"
                    + (result.config().sinks().size() == 1 ? "" : "s") + ")");
        } else {
            out.println(file + ": valid (" + pipelines.size() + " pipelines: "
                    + String.join(", ", pipelines.stream().map(PipelinesConfig.Pipeline::name).toList()) + ")");
        }
        if (!connect) {
            return ExitStatus.CLEAN;
        }
        boolean ok = node(result.config(), out);
        for (PipelinesConfig.Pipeline p : pipelines) {
            for (int i = 0; i < p.config().sinks().size(); i++) {
                ok &= sink((p.name() == null ? "" : "pipeline " + p.name() + " ") + "sink " + i,
                        p.config().sinks().get(i), out);
            }
        }
        return ok ? ExitStatus.CLEAN : ExitStatus.TRANSIENT;
    }

    private static boolean node(DebshrewConfig config, PrintStream out) {
        String where = Secrets.redactEndpoint(config.metashrewUrl());
        try (MetashrewClient client = Daemon.metashrewClient(config).maxRetries(0).build()) {
            long height = client.height();
            out.println("node " + where + ": ok, height " + height + " (" + client.versionLine() + ")");
            return true;
        } catch (Exception e) {
            out.println("node " + where + ": FAILED: " + Secrets.scrub(String.valueOf(e.getMessage())));
            return false;
        }
    }

    /** The valid config's pipelines; one without a name for a config without {@code pipelines}. */
    private List<PipelinesConfig.Pipeline> pipelines(Map<String, String> env) {
        try {
            ObjectNode root = ConfigLoader.read(file, env);
            if (PipelinesConfig.declared(root)) {
                return PipelinesConfig.read(root, file.toString());
            }
            return List.of(new PipelinesConfig.Pipeline(null, DebshrewConfig.fromJson(root, file.toString())));
        } catch (ConfigException e) {
            throw new IllegalStateException("a valid configuration did not read again: " + e.getMessage(), e);
        }
    }

    private static boolean sink(String what, DebshrewConfig.SinkSpec spec, PrintStream out) {
        String label = what + " (" + spec.type() + ")";
        Sink sink = null;
        try {
            sink = SinkFactory.create(spec.type(), spec.options());
            Optional<Cursor> cursor = sink.open();
            out.println(label + ": ok, " + cursor.map(c -> "cursor at height " + c.height()).orElse("no cursor yet"));
            return true;
        } catch (Exception e) {
            out.println(label + ": FAILED: " + Secrets.scrub(String.valueOf(e.getMessage())));
            return false;
        } finally {
            if (sink != null) {
                sink.close();
            }
        }
    }
}
