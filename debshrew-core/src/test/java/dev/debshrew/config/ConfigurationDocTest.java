package dev.debshrew.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/configuration.md carries the generated option table; it must match the declarations. */
class ConfigurationDocTest {

    @Test
    void optionTableIsUpToDate() throws Exception {
        Path doc = Path.of(System.getProperty("debshrew.examples.dir", "../examples")).resolveSibling("docs")
                .resolve("configuration.md");
        String text = Files.readString(doc);
        String generated = text.substring(text.indexOf("<!-- generated: begin -->\n") + 26,
                text.indexOf("<!-- generated: end -->"));
        assertThat(generated.strip())
                .as("docs/configuration.md is stale: regenerate the table with `bin/debshrew config-doc`")
                .isEqualTo(DebshrewConfig.markdownTable().strip());
    }
}
