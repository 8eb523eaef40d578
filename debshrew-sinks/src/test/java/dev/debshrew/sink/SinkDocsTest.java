package dev.debshrew.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.debshrew.sink.console.ConsoleSinkConfig;
import dev.debshrew.sink.file.FileSinkConfig;
import dev.debshrew.config.ConfigOption;
import dev.debshrew.config.ConfigOptions;
import dev.debshrew.sink.kafka.KafkaSinkConfig;
import dev.debshrew.sink.postgres.PostgresSinkConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/sinks.md documents every option exactly as declared: the option tables between the
 * {@code <!-- BEGIN/END ... options -->} markers must equal the tables generated from the
 * declarations. Run with {@code -Ddebshrew.docs.write=true} to regenerate them.
 */
class SinkDocsTest {

    private static Path docs() {
        Path p = Path.of("..", "docs", "sinks.md");
        return Files.exists(p) ? p : Path.of("docs", "sinks.md");
    }

    @Test
    void optionTablesMatchTheDeclarations() throws Exception {
        Path path = docs();
        String text = Files.readString(path, StandardCharsets.UTF_8);
        String updated = replace(text, "kafka", KafkaSinkConfig.OPTIONS);
        updated = replace(updated, "postgresql", PostgresSinkConfig.OPTIONS);
        updated = replace(updated, "file", FileSinkConfig.OPTIONS);
        updated = replace(updated, "console", ConsoleSinkConfig.OPTIONS);
        if (Boolean.getBoolean("debshrew.docs.write")) {
            Files.writeString(path, updated, StandardCharsets.UTF_8);
        }
        assertThat(text).as("docs/sinks.md option tables are stale; regenerate with -Ddebshrew.docs.write=true")
                .isEqualTo(updated);
    }

    private static String replace(String text, String sink, List<ConfigOption<?>> options) {
        String begin = "<!-- BEGIN " + sink + " options (generated from the declarations; do not edit) -->\n";
        String end = "<!-- END " + sink + " options -->";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        assertThat(b).as("marker " + begin.trim()).isGreaterThanOrEqualTo(0);
        assertThat(e).as("marker " + end).isGreaterThan(b);
        return text.substring(0, b + begin.length()) + ConfigOptions.markdownTable(options) + text.substring(e);
    }
}
