package dev.debshrew.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.debshrew.cdc.CdcCodec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code pipelines} list: merging over the top level, defaults, and every refusal naming pipeline and key. */
class PipelinesConfigTest {

    private static final String TOP = "\"metashrew\":{\"url\":\"http://node:8080\"},\"data_dir\":\"/var/lib/d\","
            + "\"cache_size\":9,\"engine\":{\"batch_blocks\":7},";

    private static List<PipelinesConfig.Pipeline> read(String json) throws Exception {
        return PipelinesConfig.read(CdcCodec.mapper().readTree(json), "multi.json");
    }

    private static String two(String first, String second) {
        return "{" + TOP + "\"pipelines\":[{\"name\":\"a\"," + first + "},{\"name\":\"b\"," + second + "}]}";
    }

    @Test
    void eachEntryIsMergedOverTheTopLevelWithItsOwnDataDirAndLogField() throws Exception {
        List<PipelinesConfig.Pipeline> p = read(two(
                "\"transform\":{\"path\":\"a.wasm\"},\"sink\":{\"type\":\"file\",\"path\":\"a.jsonl\"},\"start_height\":3",
                "\"transform\":{\"path\":\"b.wasm\"},\"sink\":{\"type\":\"file\",\"path\":\"b.jsonl\"},"
                        + "\"engine\":{\"speculation\":1},\"data_dir\":\"/elsewhere\",\"cache_size\":4"));
        assertThat(p).extracting(PipelinesConfig.Pipeline::name).containsExactly("a", "b");
        DebshrewConfig a = p.get(0).config();
        DebshrewConfig b = p.get(1).config();
        assertThat(a.metashrewUrl()).isEqualTo("http://node:8080");
        assertThat(a.transformPath()).isEqualTo(Path.of("a.wasm"));
        assertThat(a.dataDir()).isEqualTo(Path.of("/var/lib/d/a"));
        assertThat(a.startHeight()).isEqualTo(3L);
        assertThat(a.cacheSize()).isEqualTo(9);
        assertThat(a.engine().batchBlocks()).isEqualTo(7);
        assertThat(a.logOptions().pipeline()).isEqualTo("a");
        assertThat(b.dataDir()).isEqualTo(Path.of("/elsewhere"));
        assertThat(b.cacheSize()).isEqualTo(4);
        assertThat(b.engine().batchBlocks()).isEqualTo(7); // the section is merged key by key
        assertThat(b.engine().speculation()).isEqualTo(1);
        assertThat(b.startHeight()).isNull();
        assertThat(b.sinks().get(0).options()).containsEntry("path", "b.jsonl");
    }

    @Test
    void aConfigWithoutPipelinesIsNotOne() throws Exception {
        assertThat(PipelinesConfig.declared(CdcCodec.mapper().readTree("{\"transform\":{\"path\":\"t.wasm\"}}")))
                .isFalse();
    }

    @Test
    void anInvalidOptionOfAnEntryNamesThePipelineAndTheOption() {
        assertThatThrownBy(() -> read(two("\"transform\":{\"path\":\"a.wasm\"}",
                "\"transform\":{\"path\":\"b.wasm\"},\"cache_size\":0")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("pipelines[1] (name \"b\")").hasMessageContaining("cache_size");
        assertThatThrownBy(() -> read(two("\"transform\":{\"path\":\"a.wasm\"}", "\"sink\":{\"type\":\"file\"}")))
                .hasMessageContaining("pipelines[1] (name \"b\")").hasMessageContaining("transform.path");
        assertThatThrownBy(() -> read(two("\"transform\":{\"path\":\"a.wasm\"}",
                "\"transform\":{\"path\":\"b.wasm\"},\"no_such_option\":1")))
                .hasMessageContaining("pipelines[1] (name \"b\")").hasMessageContaining("no_such_option");
    }

    @Test
    void refusesAMissingOrMalformedName() {
        assertThatThrownBy(() -> read("{" + TOP + "\"pipelines\":[{\"transform\":{\"path\":\"a.wasm\"}}]}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("pipelines[0]")
                .hasMessageContaining("'name' is required");
        assertThatThrownBy(() -> read("{" + TOP + "\"pipelines\":[{\"name\":\"a b\",\"transform\":{\"path\":\"a.wasm\"}}]}"))
                .hasMessageContaining("pipelines[0]").hasMessageContaining("'name'").hasMessageContaining("\"a b\"");
    }

    @Test
    void refusesAnEmptyOrNonArrayList() {
        assertThatThrownBy(() -> read("{" + TOP + "\"pipelines\":[]}")).hasMessageContaining("'pipelines'");
        assertThatThrownBy(() -> read("{" + TOP + "\"pipelines\":{}}")).hasMessageContaining("'pipelines'");
    }

    @Test
    void refusesDuplicateNames() {
        assertThatThrownBy(() -> read("{" + TOP + "\"pipelines\":[{\"name\":\"a\",\"transform\":{\"path\":\"a.wasm\"}},"
                + "{\"name\":\"a\",\"transform\":{\"path\":\"b.wasm\"}}]}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("pipelines[1] (name \"a\")").hasMessageContaining("already used by pipelines[0]");
    }

    @Test
    void refusesDaemonWideKeysInsideAnEntry() {
        for (String key : List.of("\"metashrew\":{\"url\":\"http://x:1\"}", "\"admin\":{\"port\":0}",
                "\"standby\":{\"enabled\":true}", "\"log_level\":\"debug\"", "\"log_format\":\"json\"")) {
            String name = key.substring(1, key.indexOf('"', 1));
            assertThatThrownBy(() -> read(two("\"transform\":{\"path\":\"a.wasm\"}",
                    "\"transform\":{\"path\":\"b.wasm\"}," + key)))
                    .as(name).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("pipelines[1] (name \"b\")")
                    .hasMessageContaining("option '" + name + "' is daemon-wide");
        }
    }

    @Test
    void refusesTwoPipelinesWithOneDataDir() {
        assertThatThrownBy(() -> read(two("\"transform\":{\"path\":\"a.wasm\"},\"data_dir\":\"/d/x\"",
                "\"transform\":{\"path\":\"b.wasm\"},\"data_dir\":\"/d/y/../x\"")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("pipelines[1] (name \"b\")").hasMessageContaining("option 'data_dir'")
                .hasMessageContaining("pipelines[0] (name \"a\")");
    }

    @Test
    void refusesTwoPipelinesWritingOneFile() {
        assertThatThrownBy(() -> read(two("\"transform\":{\"path\":\"a.wasm\"},\"sink\":{\"type\":\"file\",\"path\":\"/o/x\"}",
                "\"transform\":{\"path\":\"b.wasm\"},\"sinks\":[{\"type\":\"console\"},{\"type\":\"file\",\"path\":\"/o/x\"}]")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("pipelines[1] (name \"b\")").hasMessageContaining("option 'sinks[1]'")
                .hasMessageContaining("file /o/x").hasMessageContaining("pipelines[0] (name \"a\") sink");
    }

    @Test
    void aSinkInheritedFromTheTopLevelIsOneOutputForEveryPipeline() {
        assertThatThrownBy(() -> read("{" + TOP + "\"sink\":{\"type\":\"file\",\"path\":\"/o/same\"},\"pipelines\":["
                + "{\"name\":\"a\",\"transform\":{\"path\":\"a.wasm\"}},{\"name\":\"b\",\"transform\":{\"path\":\"b.wasm\"}}]}"))
                .hasMessageContaining("pipelines[1] (name \"b\")").hasMessageContaining("option 'sink'")
                .hasMessageContaining("file /o/same");
    }

    @Test
    void refusesTwoPipelinesWithOneKafkaTransactionalId() {
        String kafka = "\"sink\":{\"type\":\"kafka\",\"bootstrap_servers\":\"k:9092\",\"topic\":\"t%s\","
                + "\"transactional_id\":\"tx\"}";
        assertThatThrownBy(() -> read(two("\"transform\":{\"path\":\"a.wasm\"}," + kafka.formatted("1"),
                "\"transform\":{\"path\":\"b.wasm\"}," + kafka.formatted("2"))))
                .hasMessageContaining("pipelines[1] (name \"b\")").hasMessageContaining("option 'sink'")
                .hasMessageContaining("Kafka transactional_id 'tx'");
    }

    @Test
    void refusesTwoPipelinesWithOnePostgresPipelineIdInOneDatabase() throws Exception {
        String pg = "\"sink\":{\"type\":\"postgres\",\"url\":\"jdbc:postgresql://db/x\",\"schema\":\"%s\","
                + "\"pipeline\":\"%s\",\"password\":\"hunter2\",\"user\":\"u\"}";
        assertThatThrownBy(() -> read(two("\"transform\":{\"path\":\"a.wasm\"}," + pg.formatted("s", "p"),
                "\"transform\":{\"path\":\"b.wasm\"}," + pg.formatted("s", "p"))))
                .hasMessageContaining("pipelines[1] (name \"b\")").hasMessageContaining("pipeline 'p'")
                .hasMessageNotContaining("hunter2");
        // another pipeline id in the same database is another output
        assertThat(read(two("\"transform\":{\"path\":\"a.wasm\"}," + pg.formatted("s", "p"),
                "\"transform\":{\"path\":\"b.wasm\"}," + pg.formatted("s", "q")))).hasSize(2);
    }

    @Test
    void refusesTheSinglePipelineLogFieldBesideTheList() {
        assertThatThrownBy(() -> read("{" + TOP + "\"pipeline\":\"x\",\"pipelines\":[{\"name\":\"a\","
                + "\"transform\":{\"path\":\"a.wasm\"}}]}"))
                .hasMessageContaining("option 'pipeline'");
    }
}
