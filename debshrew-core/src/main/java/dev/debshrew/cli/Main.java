package dev.debshrew.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code bin/debshrew}: dispatches to the sub-commands. */
@Command(name = "debshrew",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Change-data-capture for Bitcoin metaprotocols: follows a metashrew node, runs a WebAssembly"
                + " transform per block and streams create/update/delete events to sinks, undoing reorgs.",
        subcommands = {RunCommand.class, TestCommand.class, InitCommand.class, ReloadCommand.class,
                DevnetCommand.class, DemoCommand.class, JournalCommand.class, RewindCommand.class, ReindexCommand.class,
                ConfigDocCommand.class, CheckConfigCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    /**
     * Logged by {@code run} as its first line, once its SIGTERM/SIGINT handlers are installed: a
     * signal from then on is a clean stop (exit 0); before it, the JVM's default applies.
     */
    public static final String READY = "stop handlers installed";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit status (tests call this). */
    public static int execute(String... args) {
        return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }
}
