package dev.debshrew.cli;

import dev.debshrew.config.DebshrewConfig;
import picocli.CommandLine.Command;

/** Prints the table of configuration options (the source of docs/configuration.md). */
@Command(name = "config-doc", description = "Print every configuration option with its default as Markdown.")
final class ConfigDocCommand implements Runnable {
    @Override
    public void run() {
        System.out.print(DebshrewConfig.markdownTable());
    }
}
