package dev.debshrew.cli;

import dev.debshrew.config.ConfigException;
import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.daemon.Daemon;
import dev.debshrew.follow.PipelineException;
import dev.debshrew.journal.StateStoreException;
import dev.debshrew.transform.TransformLoadException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code debshrew rewind --config FILE --to H}: undo the blocks above H from the journal while the
 * daemon is stopped — every sink receives the inverse messages and the state store reverts — so
 * the next run processes H+1 onwards again (e.g. after fixing a transform). Only within the
 * journal window; deeper needs a re-sync (docs/operations.md). Exit status as for {@code run}
 * ({@link ExitStatus}): 0 done, 2 invalid configuration, 3 a height outside the journal window or
 * foreign / corrupted state, 1 a transient failure of a sink.
 */
@Command(name = "rewind", mixinStandardHelpOptions = true,
        description = "Undo the blocks above a height from the journal (daemon stopped).")
final class RewindCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The daemon's config file.")
    Path config;

    @Option(names = "--to", required = true, paramLabel = "HEIGHT", description = "Height to return to.")
    long toHeight;

    @Override
    public Integer call() {
        try {
            DebshrewConfig cfg = DebshrewConfig.load(config);
            Logging.configure(cfg);
            Daemon.create(cfg).rewind(toHeight);
            System.err.println("debshrew rewind: done; the next run continues at height " + (toHeight + 1));
            return ExitStatus.CLEAN;
        } catch (IllegalArgumentException e) {
            System.err.println("debshrew rewind: " + e.getMessage());
            return ExitStatus.CONFIGURATION;
        } catch (ConfigException | TransformLoadException | StateStoreException | PipelineException e) {
            System.err.println("debshrew rewind: " + e.getMessage());
            return ExitStatus.of(e);
        }
    }
}
