package dev.debshrew.cli;

import ch.qos.logback.classic.Level;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.metashrew.MetashrewException;
import dev.debshrew.sink.BlockChange;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.SinkBatch;
import dev.debshrew.sink.SinkException;
import dev.debshrew.sink.console.ConsoleSink;
import dev.debshrew.sink.console.ConsoleSinkConfig;
import dev.debshrew.sink.format.OutputFormat;
import dev.debshrew.transform.GuestLogListener;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformExecutionException;
import dev.debshrew.transform.TransformLimits;
import dev.debshrew.transform.TransformLoadException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code debshrew test}: runs a transform over a block range with in-memory state (no data
 * directory, cursor or sink configuration) against a node, or against an embedded devnet when no
 * URL is given, and prints the messages, the guest's log lines and a summary per block. With
 * {@code --expect} it compares the messages with a golden JSONL file (docs/transforms.md).
 *
 * <p>Exit status: 0 success (and the golden file matched); 1 the node failed or is unreachable;
 * 2 bad options, module or golden file; 3 the transform failed on a block; 4 the messages differ
 * from the golden file.
 */
@Command(name = "test", mixinStandardHelpOptions = true,
        description = "Run a transform over a block range with in-memory state and print its messages, logs and a"
                + " per-block summary; --expect compares with a golden JSONL file.")
final class TestCommand implements Callable<Integer> {

    /** How messages are printed. */
    enum Format {
        COMPACT, PRETTY, DEBEZIUM
    }

    @Option(names = {"-t", "--transform"}, paramLabel = "WASM", required = true, description = "Transform module.")
    Path transform;

    @Option(names = {"-m", "--metashrew-url"}, paramLabel = "URL",
            description = "metashrew JSON-RPC URL. Default: an embedded devnet (the chain of 'debshrew devnet').")
    String metashrewUrl;

    @Option(names = "--from", paramLabel = "H0", required = true, description = "First block height.")
    long from;

    @Option(names = "--to", paramLabel = "H1", required = true, description = "Last block height (inclusive).")
    long to;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "compact (one JSON line per message), pretty or debezium (default ${DEFAULT-VALUE}).")
    Format format = Format.COMPACT;

    @Option(names = "--expect", paramLabel = "FILE",
            description = "Golden JSONL file: exit 4 naming the first differing line unless the messages match.")
    Path expect;

    @Option(names = "--output", paramLabel = "FILE",
            description = "Write the messages as JSONL (compact, one per line: the golden format) after a successful run.")
    Path output;

    @Option(names = {"-q", "--quiet"}, description = "Print only the messages (no guest logs, no summaries).")
    boolean quiet;

    @Option(names = "--interpreter", description = "Run the module in Chicory's interpreter instead of compiling it.")
    boolean interpreter;

    private final CdcCodec codec = new CdcCodec();

    @Override
    public Integer call() {
        PrintStream out = System.out;
        if (from < 0 || from > to) {
            return fail(ExitStatus.CONFIGURATION, "--from " + from + " --to " + to
                    + ": need 0 <= --from <= --to");
        }
        if (!Files.isRegularFile(transform)) {
            return fail(ExitStatus.CONFIGURATION, "transform module not found: " + transform);
        }
        GoldenFile golden = null;
        if (expect != null) {
            try {
                golden = GoldenFile.read(expect);
            } catch (IllegalArgumentException e) {
                return fail(ExitStatus.CONFIGURATION, e.getMessage());
            }
        }
        Logging.setLevel("warn");
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.debshrew.transform.guest")).setLevel(Level.OFF);
        DevnetServer devnet = null;
        try (Transform module = Transform.load(transform, TransformLimits.defaults().toBuilder()
                .useInterpreter(interpreter).build())) {
            String url = metashrewUrl;
            if (url == null) {
                devnet = DevnetServer.builder().initialHeight(Math.max(10, to)).build().start(0);
                url = devnet.url();
                note(out, "embedded devnet at " + url + " (seed 1, blocks 0.." + devnet.height() + ")");
            }
            return run(module, url, golden, out);
        } catch (TransformLoadException e) {
            return fail(ExitStatus.CONFIGURATION, "cannot load transform: " + e.getMessage());
        } catch (IOException e) {
            return fail(ExitStatus.TRANSIENT, "cannot start the embedded devnet: " + e);
        } finally {
            if (devnet != null) {
                devnet.close();
            }
        }
    }

    private int run(Transform module, String url, GoldenFile golden, PrintStream out) {
        MetashrewClient node;
        try {
            node = MetashrewClient.builder(url).connectTimeout(Duration.ofSeconds(5)).maxRetries(2)
                    .backoffInitial(Duration.ofMillis(200)).backoffMax(Duration.ofSeconds(1)).build();
        } catch (IllegalArgumentException e) {
            return fail(ExitStatus.CONFIGURATION, "invalid --metashrew-url: " + e.getMessage());
        }
        try (node) {
            long tip;
            try {
                tip = node.height();
            } catch (MetashrewException e) {
                return fail(ExitStatus.TRANSIENT, "cannot reach the metashrew node at " + url + ": " + e.getMessage());
            }
            if (tip < to) {
                return fail(ExitStatus.CONFIGURATION, "--to " + to + " is above the node's tip " + tip + " (" + url + ")");
            }
            List<GoldenFile.Line> lines = new ArrayList<>();
            long[] totals = new long[4];
            ConsoleSink console = new ConsoleSink(out, new ConsoleSinkConfig(format == Format.PRETTY,
                    format == Format.DEBEZIUM ? OutputFormat.debezium(false) : OutputFormat.NATIVE));
            GuestLogListener logs = quiet ? GuestLogListener.NONE
                    : (height, stream, line) -> out.println("# " + height + " " + stream.name().toLowerCase(java.util.Locale.ROOT)
                            + " | " + line);
            long started = System.nanoTime();
            try {
                new RangeRunner(node, module).run(from, to, logs, b -> {
                    if (!b.messages().isEmpty()) {
                        print(console, b);
                    }
                    for (CdcMessage m : b.messages()) {
                        lines.add(new GoldenFile.Line(b.height(), codec.encode(m)));
                    }
                    totals[0] += b.messages().size();
                    totals[1] += b.stateWrites();
                    totals[2] += b.viewCalls();
                    totals[3] += b.nanos();
                    if (!quiet) {
                        out.println("# block " + b.height() + " " + b.hash() + ": " + summary(b.messages().size(),
                                b.stateWrites(), b.viewCalls(), b.nanos()));
                    }
                });
            } catch (TransformExecutionException e) {
                return fail(ExitStatus.NEEDS_OPERATOR, e.getMessage());
            } catch (MetashrewException e) {
                return fail(ExitStatus.TRANSIENT, "the metashrew node at " + url + " failed: " + e.getMessage());
            } catch (IOException e) {
                return fail(ExitStatus.TRANSIENT, "cannot print the messages: " + e.getMessage());
            }
            if (!quiet) {
                out.println("# total: blocks " + from + ".." + to + " (" + (to - from + 1) + "), " + summary(totals[0],
                        totals[1], totals[2], totals[3]) + " (" + (System.nanoTime() - started) / 1_000_000
                        + " ms wall)");
            }
            out.flush();
            return finish(lines, golden);
        }
    }

    private int finish(List<GoldenFile.Line> lines, GoldenFile golden) {
        if (output != null) {
            try {
                GoldenFile.write(output, lines);
            } catch (IOException e) {
                return fail(ExitStatus.TRANSIENT, "cannot write " + output + ": " + e);
            }
            System.err.println("debshrew test: wrote " + lines.size() + " messages to " + output);
        }
        if (golden != null) {
            String diff = golden.firstDifference(lines);
            if (diff != null) {
                return fail(ExitStatus.MISMATCH, "messages differ from the golden file: " + diff);
            }
            System.err.println("debshrew test: OK, " + lines.size() + " messages match " + expect);
        }
        return ExitStatus.CLEAN;
    }

    private static void print(ConsoleSink console, RangeRunner.BlockRun b) throws IOException {
        try {
            console.commit(SinkBatch.of(new BlockChange(new Cursor(b.height(), b.hash()), b.messages())));
        } catch (SinkException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static String summary(long messages, long stateWrites, long viewCalls, long nanos) {
        return messages + " messages, " + stateWrites + " state writes, " + viewCalls + " view calls, "
                + nanos / 1_000_000 + " ms";
    }

    private void note(PrintStream out, String text) {
        if (!quiet) {
            out.println("# " + text);
        }
    }

    private static int fail(int status, String message) {
        System.out.flush();
        System.err.println("debshrew test: " + message);
        return status;
    }
}
