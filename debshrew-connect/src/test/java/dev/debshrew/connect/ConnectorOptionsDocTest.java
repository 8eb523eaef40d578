package dev.debshrew.connect;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

/**
 * docs/connect.md lists every connector option exactly as {@link DebshrewConnectorConfig#CONFIG_DEF}
 * declares it: the table between its {@code options} markers is generated from the declaration.
 * {@code -Ddebshrew.docs.write=true} rewrites the table in place instead of failing.
 */
class ConnectorOptionsDocTest {

    static final String START = "<!-- options: generated from DebshrewConnectorConfig.CONFIG_DEF by ConnectorOptionsDocTest -->";
    static final String END = "<!-- options end -->";

    /** The options table, one row per option in declaration order. */
    static String table() {
        StringBuilder b = new StringBuilder("| Option | Type | Default | Description |\n|---|---|---|---|\n");
        for (ConfigDef.ConfigKey k : DebshrewConnectorConfig.CONFIG_DEF.configKeys().values()) {
            String def = k.defaultValue == ConfigDef.NO_DEFAULT_VALUE ? "required"
                    : k.defaultValue == null ? "unset" : "`" + ConfigDef.convertToString(k.defaultValue, k.type) + "`";
            String valid = k.validator == null || k.validator.toString().isBlank()
                    || k.validator instanceof ConfigDef.NonEmptyString ? "" : " Valid: " + k.validator + ".";
            b.append("| `").append(k.name).append("` | ").append(k.type.name().toLowerCase()).append(" | ").append(def)
                    .append(" | ").append((k.documentation + valid).replace("|", "\\|").replace("\n", " "))
                    .append(" |\n");
        }
        return b.toString();
    }

    @Test
    void theDocListsEveryOptionAsDeclared() throws Exception {
        Path doc = Path.of(System.getProperty("debshrew.docs.dir", "../docs")).resolve("connect.md");
        String text = Files.readString(doc, StandardCharsets.UTF_8);
        int start = text.indexOf(START);
        int end = text.indexOf(END);
        assertThat(start).as("%s has the marker %s", doc, START).isNotNegative();
        assertThat(end).as("%s has the marker %s", doc, END).isGreaterThan(start);
        String current = text.substring(start + START.length() + 1, end);
        String expected = table();
        if (Boolean.getBoolean("debshrew.docs.write")) {
            Files.writeString(doc, text.substring(0, start + START.length() + 1) + expected + text.substring(end),
                    StandardCharsets.UTF_8);
            return;
        }
        assertThat(current).as("the options table of %s (regenerate: mvn -pl debshrew-connect test"
                + " -Dtest=ConnectorOptionsDocTest -Ddebshrew.docs.write=true)", doc).isEqualTo(expected);
        for (String name : DebshrewConnectorConfig.CONFIG_DEF.names()) {
            assertThat(current).contains("| `" + name + "` |");
        }
    }
}
