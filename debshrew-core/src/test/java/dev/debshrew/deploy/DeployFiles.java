package dev.debshrew.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.sink.console.ConsoleSinkConfig;
import dev.debshrew.sink.file.FileSinkConfig;
import dev.debshrew.sink.kafka.KafkaSinkConfig;
import dev.debshrew.sink.postgres.PostgresSinkConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Locates the deployment files of the repository and loads the sample configs they ship. */
final class DeployFiles {

    private DeployFiles() {
    }

    /** The repository root (the parent of {@code examples/}). */
    static Path root() {
        Path examples = Path.of(System.getProperty("debshrew.examples.dir", "../examples")).toAbsolutePath()
                .normalize();
        return examples.getParent();
    }

    static Path file(String relative) {
        Path p = root().resolve(relative);
        assertThat(p).as("%s exists in the repository", relative).isRegularFile();
        return p;
    }

    /**
     * Loads a sample config the way the daemon does and validates its sink options with the sink's own
     * parser (which the daemon would otherwise only reach at start).
     */
    static DebshrewConfig loadSample(Path file) throws Exception {
        DebshrewConfig config = DebshrewConfig.load(file);
        assertThat(config.sinks()).as("%s: sinks", file).isNotEmpty();
        for (DebshrewConfig.SinkSpec sink : config.sinks()) {
            Map<String, Object> options = new LinkedHashMap<>(sink.options());
            options.remove("type");
            assertThatCode(() -> {
                switch (sink.type()) {
                    case "console" -> ConsoleSinkConfig.from(options);
                    case "file" -> FileSinkConfig.from(options);
                    case "kafka" -> KafkaSinkConfig.from(options);
                    case "postgres", "postgresql" -> PostgresSinkConfig.from(options);
                    default -> throw new IllegalArgumentException("unknown sink type " + sink.type());
                }
            }).as("%s: options of the %s sink", file, sink.type()).doesNotThrowAnyException();
        }
        return config;
    }

    static String read(Path p) throws Exception {
        return Files.readString(p);
    }
}
