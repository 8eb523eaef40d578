package dev.debshrew.cli;

import dev.debshrew.config.ConfigOptions;
import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.sink.SinkFactory;
import picocli.CommandLine.Command;

/**
 * Prints the table of configuration options (the source of docs/configuration.md), then the options
 * of each sink type (docs/sinks.md).
 */
@Command(name = "config-doc", mixinStandardHelpOptions = true,
        description = "Print every configuration option with its default as Markdown: the daemon's, then each sink"
                + " type's.")
final class ConfigDocCommand implements Runnable {
    @Override
    public void run() {
        System.out.print(DebshrewConfig.markdownTable());
        for (SinkFactory.Type type : SinkFactory.Type.values()) {
            System.out.print("\n### Sink `" + type.typeName() + "`"
                    + (type.aliases().isEmpty() ? "" : " (also `" + String.join("`, `", type.aliases()) + "`)")
                    + "\n\n" + ConfigOptions.markdownTable(type.options()));
        }
    }
}
