package dev.debshrew.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/debshrew bench}: starts the devnet, a throw-away PostgreSQL 15 cluster (or uses
 * {@code --postgres-url}) and an in-process Kafka broker, runs each workload with the default engine
 * and with the sequential baseline, measures the ceilings on the same data, then the live mode, and
 * prints a table (and {@code --json FILE}). See docs/performance.md, "bin/debshrew bench".
 */
@Command(name = "debshrew bench", sortOptions = false,
        description = "Measures the daemon end to end: blocks/s and msgs/s of each workload with the default engine"
            + " and with engine.sequential (speedup), each sink's plain ceiling on the same data (ratio), live-mode"
            + " latency and the recovery time of a depth-6 reorg. Workloads: empty-blocks, messages-postgres,"
            + " messages-kafka, txindex-postgres, txindex-kafka, views-2ms, views-20ms; then live. Starts the devnet,"
            + " Debian's PostgreSQL 15 (a throw-away cluster) and a Kafka broker itself. See docs/performance.md.")
public final class BenchMain implements Callable<Integer> {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--quick", description = "Few blocks per workload: finishes in under two minutes.")
    boolean quick;

    @Option(names = "--blocks", paramLabel = "N", description = "Blocks of every workload (overrides the defaults).")
    Integer blocks;

    @Option(names = "--only", paramLabel = "NAME", description = "Run one workload (e.g. messages-kafka, txindex,"
            + " views-20ms) or only the live mode (live).")
    String only;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON to FILE.")
    Path json;

    @Option(names = "--postgres-url", paramLabel = "URL", description = "Use this PostgreSQL (JDBC URL, e.g."
            + " jdbc:postgresql://127.0.0.1:5432/bench?user=me) instead of a throw-away PostgreSQL 15 cluster.")
    String postgresUrl;

    @Option(names = "--latency-ms", paramLabel = "MS", description = "Per-RPC latency of the devnet for every"
            + " workload (the view-heavy workload then runs once, at MS).")
    Integer latencyMs;

    @Option(names = "--live-blocks", paramLabel = "N", description = "Blocks mined one at a time in live mode"
            + " (default 50, 20 with --quick).")
    Integer liveBlocks;

    @Option(names = "--home", paramLabel = "DIR", description = "Repository root holding examples/ (default: the"
            + " debshrew.home system property set by bin/debshrew, else the current directory).")
    Path home;

    /** Runs the bench; exit status 0 on success, 1 on a failure, 2 on bad arguments. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The picocli command line of the bench. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new BenchMain());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            // a missing transform, a server that cannot start: the message says what and where
            if (!(e instanceof IllegalStateException || e instanceof IllegalArgumentException)) {
                e.printStackTrace(cmd.getErr());
            }
            cmd.getErr().println("debshrew bench: " + e.getMessage());
            return 1;
        });
        return cl;
    }

    @Override
    public Integer call() throws Exception {
        validate();
        quietLogs();
        Path root = home != null ? home : Path.of(System.getProperty("debshrew.home", "."));
        List<Workload> selected = Workload.select(Workload.all(latencyMs), only);
        for (Workload w : selected) {
            w.transformPath(root); // fail before starting anything when a transform is missing
        }
        boolean live = only == null || "live".equalsIgnoreCase(only.trim());
        Path work = Files.createTempDirectory("debshrew-bench-");
        Thread removeWork = new Thread(() -> PostgresCluster.deleteTree(work), "debshrew-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(removeWork); // also when interrupted (Ctrl-C, SIGTERM)
        List<WorkloadResult> results = new ArrayList<>();
        LiveResult liveResult = null;
        try (Services services = new Services(postgresUrl)) {
            BenchRunner runner = new BenchRunner(root, work, services::postgresUrl, services::kafkaBootstrap);
            for (Workload w : selected) {
                int n = blocks != null ? blocks : quick ? w.quickBlocks() : w.blocks();
                System.err.printf("debshrew bench: %s (%d blocks)...%n", w.id(), n);
                results.add(runner.run(w, n));
            }
            if (live) {
                int n = liveBlocks != null ? liveBlocks : quick ? 20 : 50;
                System.err.printf("debshrew bench: live mode (%d blocks, then a depth-%d reorg)...%n", n,
                        BenchRunner.REORG_DEPTH);
                liveResult = runner.live(n);
            }
        } finally {
            PostgresCluster.deleteTree(work);
            Runtime.getRuntime().removeShutdownHook(removeWork);
        }
        System.out.print(BenchReport.table(results, liveResult));
        if (json != null) {
            BenchReport.write(json, BenchReport.json(BenchReport.machine(), results, liveResult, commandText()));
            System.err.println("debshrew bench: wrote " + json);
        }
        return 0;
    }

    private void validate() {
        CommandLine.Model.CommandSpec spec = commandLine().getCommandSpec();
        if (blocks != null && blocks < 2) {
            throw new CommandLine.ParameterException(new CommandLine(spec), "--blocks must be at least 2, got " + blocks);
        }
        if (liveBlocks != null && liveBlocks < 1) {
            throw new CommandLine.ParameterException(new CommandLine(spec), "--live-blocks must be at least 1, got "
                    + liveBlocks);
        }
        if (latencyMs != null && (latencyMs < 0 || latencyMs > 10_000)) {
            throw new CommandLine.ParameterException(new CommandLine(spec), "--latency-ms must be within 0..10000, got "
                    + latencyMs);
        }
        if (postgresUrl != null && !postgresUrl.startsWith("jdbc:postgresql:")) {
            throw new CommandLine.ParameterException(new CommandLine(spec),
                    "--postgres-url must be a JDBC URL starting with jdbc:postgresql:");
        }
    }

    private String commandText() {
        StringBuilder b = new StringBuilder("bin/debshrew bench");
        if (quick) {
            b.append(" --quick");
        }
        if (blocks != null) {
            b.append(" --blocks ").append(blocks);
        }
        if (only != null) {
            b.append(" --only ").append(only);
        }
        if (latencyMs != null) {
            b.append(" --latency-ms ").append(latencyMs);
        }
        if (liveBlocks != null) {
            b.append(" --live-blocks ").append(liveBlocks);
        }
        if (postgresUrl != null) {
            b.append(" --postgres-url (given)");
        }
        return b.toString();
    }

    /** The daemon logs its progress at INFO: only warnings (on stderr) remain, stdout carries the table. */
    private static void quietLogs() {
        if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof Logger root) {
            root.setLevel(Level.WARN);
            ((Logger) LoggerFactory.getLogger("dev.debshrew")).setLevel(Level.WARN);
            ((Logger) LoggerFactory.getLogger("org.apache.kafka")).setLevel(Level.ERROR);
            ((Logger) LoggerFactory.getLogger("kafka")).setLevel(Level.ERROR);
        }
    }
}
