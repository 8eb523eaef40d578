package dev.debshrew.cli;

import dev.debshrew.config.ConfigException;
import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.journal.JournalTool;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code debshrew journal inspect|verify}: look into the durable reorg window of a data directory. */
@Command(name = "journal", mixinStandardHelpOptions = true,
        description = "Inspect or verify the reorg journal of a data directory.",
        subcommands = {JournalCommand.Inspect.class, JournalCommand.Verify.class})
final class JournalCommand implements Runnable {

    @Override
    public void run() {
        System.err.println("debshrew journal: choose a sub-command: inspect or verify (see --help)");
    }

    /** Where the data directory comes from: --data-dir or the config's data_dir. */
    static final class Location {
        @Option(names = {"-d", "--data-dir"}, paramLabel = "DIR",
                description = "Data directory (data_dir) or its state/ sub-directory.")
        Path dataDir;

        @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Config file whose data_dir to use.")
        Path config;

        Path resolve() throws ConfigException {
            if (dataDir != null) {
                Path state = dataDir.resolve("state");
                return java.nio.file.Files.isDirectory(state) ? state : dataDir;
            }
            return DebshrewConfig.load(config).stateDir();
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "List the blocks in the window: height, hash, parent, messages, undo records, checksum.")
    static final class Inspect implements Callable<Integer> {
        @ArgGroup(multiplicity = "1")
        Location location;

        @Override
        public Integer call() {
            try {
                JournalTool.inspect(location.resolve(), System.out);
                return 0;
            } catch (ConfigException | RuntimeException e) {
                System.err.println("debshrew journal inspect: " + e.getMessage());
                return 2;
            }
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check every journal record; exit status 0 when clean, 1 on corruption, 2 when unusable.")
    static final class Verify implements Callable<Integer> {
        @ArgGroup(multiplicity = "1")
        Location location;

        @Override
        public Integer call() {
            try {
                return JournalTool.verify(location.resolve(), System.out);
            } catch (ConfigException | RuntimeException e) {
                System.err.println("debshrew journal verify: " + e.getMessage());
                return 2;
            }
        }
    }
}
