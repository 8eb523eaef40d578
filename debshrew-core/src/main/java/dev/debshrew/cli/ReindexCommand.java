package dev.debshrew.cli;

import dev.debshrew.config.ConfigException;
import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.daemon.Daemon;
import dev.debshrew.follow.ReindexAdvice;
import dev.debshrew.journal.RocksChainStore;
import dev.debshrew.journal.StateStoreException;
import dev.debshrew.journal.StoreRebase;
import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.metashrew.MetashrewException;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.Sink;
import dev.debshrew.sink.SinkException;
import dev.debshrew.sink.SinkFactory;
import dev.debshrew.sink.postgres.PostgresReindex;
import dev.debshrew.sink.postgres.PostgresSink;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code debshrew reindex --config FILE --from H} (daemon stopped): takes a materialized PostgreSQL
 * output back to block {@code H - 1}, however far below the reorg window, so the next run
 * re-processes {@code H} onwards: deletes the rows written at or above {@code H} and sets the
 * cursor ({@link PostgresReindex}), then moves the data directory to that block
 * ({@link StoreRebase}). Refused, saying what applies instead ({@link ReindexAdvice}), for other
 * sinks and for a transform that keeps state (its state as of {@code H - 1} is not kept). Running
 * it again after a failure half-way is safe. Exit status: 0 done, 2 invalid configuration, 3 not
 * applicable or foreign state, 1 the node or the database unreachable.
 */
@Command(name = "reindex", mixinStandardHelpOptions = true,
        description = "Re-process from a height below the reorg window: materialized PostgreSQL output (daemon stopped).")
final class ReindexCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The daemon's config file.")
    Path config;

    @Option(names = "--from", required = true, paramLabel = "HEIGHT",
            description = "First block to process again (rows written at or above it are deleted).")
    long from;

    @Override
    public Integer call() {
        List<Sink> sinks = new ArrayList<>();
        try {
            DebshrewConfig cfg = DebshrewConfig.load(config);
            Logging.configure(cfg);
            if (from < 1) {
                System.err.println("debshrew reindex: --from must be at least 1 (to process from block 0, start a"
                        + " fresh output with start_height 0)");
                return ExitStatus.CONFIGURATION;
            }
            for (DebshrewConfig.SinkSpec spec : cfg.sinks()) {
                sinks.add(SinkFactory.create(spec.type(), spec.options()));
            }
            if (!sinks.stream().allMatch(ReindexAdvice::reindexable)) {
                System.err.println("debshrew reindex: only a materialized PostgreSQL output can be taken back in"
                        + " place. " + ReindexAdvice.belowWindow(sinks, from));
                return ExitStatus.NEEDS_OPERATOR;
            }
            boolean durable = !"memory".equals(cfg.stateStore());
            if (durable) {
                RocksChainStore.open(cfg.stateDir(), cfg.cacheSize()).close(); // creates a missing store
                long keys = StoreRebase.stateKeys(cfg.stateDir());
                if (keys > 0) {
                    System.err.println("debshrew reindex: the transform keeps state (" + keys + " key(s) in "
                            + cfg.stateDir() + "); its state as of block " + (from - 1) + " cannot be rebuilt from the"
                            + " journal window, so it cannot resume at " + from + ". Re-index it from start_height:"
                            + " stop the daemon, drop its tables and cursor row, use a fresh data directory"
                            + " (docs/operations.md#re-indexing-from-a-height). Nothing was changed.");
                    return ExitStatus.NEEDS_OPERATOR;
                }
            }
            Cursor to;
            try (MetashrewClient client = Daemon.metashrewClient(cfg).build()) {
                to = new Cursor(from - 1, client.blockHash(from - 1));
            }
            for (Sink s : sinks) {
                PostgresReindex.Result r = PostgresReindex.rewindTo(((PostgresSink) s).config(), to);
                long rows = r.deletedRows().values().stream().mapToLong(Long::longValue).sum();
                System.err.println("debshrew reindex: " + s.name() + ": cursor " + r.previousCursor() + " -> " + to
                        + "; deleted " + rows + " row(s) written at or above " + from + " " + r.deletedRows());
            }
            if (durable) {
                StoreRebase.rebase(cfg.stateDir(), to);
            }
            System.err.println("debshrew reindex: done; the next run re-processes from block " + from);
            return ExitStatus.CLEAN;
        } catch (IllegalArgumentException e) {
            System.err.println("debshrew reindex: " + e.getMessage());
            return ExitStatus.CONFIGURATION;
        } catch (MetashrewException e) {
            System.err.println("debshrew reindex: reading block " + (from - 1) + " from the node: " + e.getMessage()
                    + "; nothing was changed");
            return ExitStatus.TRANSIENT;
        } catch (SinkException e) {
            System.err.println("debshrew reindex: " + e.getMessage());
            return e.isRetriable() ? ExitStatus.TRANSIENT : ExitStatus.NEEDS_OPERATOR;
        } catch (ConfigException | StateStoreException e) {
            System.err.println("debshrew reindex: " + e.getMessage());
            return ExitStatus.of(e);
        } finally {
            sinks.forEach(Sink::close);
        }
    }
}
