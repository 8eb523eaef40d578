package dev.debshrew.sink.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.debshrew.sink.format.KeyFormat;
import dev.debshrew.sink.format.OutputFormat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaSinkConfigTest {

    private static Map<String, Object> minimal() {
        Map<String, Object> c = new HashMap<>();
        c.put("type", "kafka");
        c.put("bootstrap_servers", "127.0.0.1:9092");
        c.put("transactional_id", "p1");
        return c;
    }

    @Test
    void defaults() {
        KafkaSinkConfig c = KafkaSinkConfig.from(minimal());
        assertThat(c.topic()).isEqualTo("debshrew");
        assertThat(c.cursorTopic()).isEqualTo("debshrew.cursor");
        assertThat(c.topicTemplate()).isNull();
        assertThat(c.keyFormat()).isEqualTo(KeyFormat.KEY);
        assertThat(c.format()).isEqualTo(OutputFormat.Kind.NATIVE);
        assertThat(c.outputFormat()).isSameAs(OutputFormat.NATIVE);
        assertThat(c.tombstones()).isFalse();
        assertThat(c.maxMessageBytes()).isEqualTo(1_000_000);
        assertThat(c.createTopics()).isTrue();
    }

    @Test
    void readsEveryOptionAndPassThroughProperties() {
        Map<String, Object> m = minimal();
        m.put("topic", "cdc");
        m.put("topic_template", "cdc.{source}.{table}");
        m.put("key_format", "table_key");
        m.put("cursor_topic", "cursors");
        m.put("max_message_bytes", "2000000");
        m.put("format", "debezium");
        m.put("debezium_schemas", true);
        m.put("tombstones", "true");
        m.put("producer.linger.ms", 20);
        m.put("client.security.protocol", "SASL_SSL");
        m.put("producer.sasl.mechanism", "PLAIN");
        KafkaSinkConfig c = KafkaSinkConfig.from(m);
        assertThat(c.cursorTopic()).isEqualTo("cursors");
        assertThat(c.keyFormat()).isEqualTo(KeyFormat.TABLE_KEY);
        assertThat(c.maxMessageBytes()).isEqualTo(2_000_000);
        assertThat(c.outputFormat().name()).isEqualTo("debezium");
        assertThat(c.tombstones()).isTrue();
        assertThat(c.producerProperties()).containsEntry("linger.ms", "20");
        assertThat(c.commonClientProperties()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "PLAIN").doesNotContainKey("linger.ms")
                .containsEntry("bootstrap.servers", "127.0.0.1:9092");
    }

    @Test
    void rejectsBadConfigsNamingTheOption() {
        Map<String, Object> tpl = minimal();
        tpl.put("topic_template", "cdc.{source}{table}");
        assertThatThrownBy(() -> KafkaSinkConfig.from(tpl)).hasMessageContaining("'topic_template'")
                .hasMessageContaining("between them must contain '.' or '_'");

        Map<String, Object> typo = minimal();
        typo.put("topik", "x");
        assertThatThrownBy(() -> KafkaSinkConfig.from(typo)).hasMessageContaining("unknown option(s) [topik]");

        Map<String, Object> bad = minimal();
        bad.put("max_message_bytes", 0);
        assertThatThrownBy(() -> KafkaSinkConfig.from(bad)).hasMessageContaining("'max_message_bytes'")
                .hasMessageContaining("at least 1");

        Map<String, Object> fmt = minimal();
        fmt.put("format", "avro");
        assertThatThrownBy(() -> KafkaSinkConfig.from(fmt)).hasMessageContaining("native | debezium");

        Map<String, Object> reserved = minimal();
        reserved.put("producer.enable.idempotence", false);
        assertThatThrownBy(() -> KafkaSinkConfig.from(reserved)).hasMessageContaining("cannot be overridden");

        Map<String, Object> topic = minimal();
        topic.put("topic", "a b");
        assertThatThrownBy(() -> KafkaSinkConfig.from(topic)).hasMessageContaining("legal Kafka topic name");

        Map<String, Object> schemas = minimal();
        schemas.put("debezium_schemas", true);
        assertThatThrownBy(() -> KafkaSinkConfig.from(schemas)).hasMessageContaining("requires 'format': 'debezium'");
    }

    @Test
    void topicNamesOfCraftedTablesNeverCollide() {
        // safe names are used as they are
        assertThat(TopicNames.expand("cdc.{table}", "blocks", "s")).isEqualTo("cdc.blocks");
        assertThat(TopicNames.expand("cdc.{table}", "tx_outs", "s")).isEqualTo("cdc.tx_outs");
        assertThat(TopicNames.expand("cdc.{source}.{table}", "utxo-set", "alkanes")).isEqualTo("cdc.alkanes.utxo-set");
        // '.' and '_' fold together in Kafka's metric names: "a.b" must not share (folded) "a_b"'s topic
        assertThat(TopicNames.folded(TopicNames.expand("cdc.{table}", "a.b", "s")))
                .isNotEqualTo(TopicNames.folded(TopicNames.expand("cdc.{table}", "a_b", "s")));
        // the escaped form of a name, used as a table name, gets a topic of its own
        String escaped = TopicNames.expand("cdc.{table}", "a b", "s").substring("cdc.".length());
        assertThat(escaped).isEqualTo("-a-20b");
        assertThat(TopicNames.expand("cdc.{table}", escaped, "s")).isNotEqualTo("cdc." + escaped);
        // the old scheme's crafted collision: the sanitised name plus the hash of the original
        assertThat(TopicNames.expand("cdc.{table}", "a_b_" + "0123abcd", "s"))
                .isNotEqualTo(TopicNames.expand("cdc.{table}", "a b", "s"));
        // two placeholders: the pair, not just the concatenation, decides the topic
        assertThat(TopicNames.folded(TopicNames.expand("cdc.{source}.{table}", "b_c", "a")))
                .isNotEqualTo(TopicNames.folded(TopicNames.expand("cdc.{source}.{table}", "c", "a_b")));
        assertThat(TopicNames.expand("{source}.{table}", "b-c", "a"))
                .isNotEqualTo(TopicNames.expand("{source}.{table}", "c", "a-b"));
        // long names: cut with a hash; a table named like a cut topic does not land on it
        String cut = TopicNames.expand("cdc.{table}", "ü".repeat(400), "s");
        assertThat(cut).hasSize(249).matches("[A-Za-z0-9._-]+");
        assertThat(TopicNames.expand("cdc.{table}", "ü".repeat(399) + "v", "s")).hasSize(249).isNotEqualTo(cut);
        assertThat(TopicNames.expand("cdc.{table}", cut.substring(4), "s")).isNotEqualTo(cut);
        assertThat(TopicNames.expand("cdc.{table}", "a".repeat(300), "s")).hasSize(249)
                .isNotEqualTo(TopicNames.expand("cdc.{table}", "a".repeat(301), "s"));

        // exhaustively: every name up to 3 characters over an alphabet of troublemakers
        String alphabet = "a_.- :%\u00fc\0";
        List<String> names = new ArrayList<>(List.of(""));
        List<String> last = List.of("");
        for (int len = 1; len <= 3; len++) {
            List<String> next = new ArrayList<>();
            for (String n : last) {
                for (char ch : alphabet.toCharArray()) {
                    next.add(n + ch);
                }
            }
            names.addAll(next);
            last = next;
        }
        Map<String, String> single = new HashMap<>();
        for (String n : names) {
            String topic = TopicNames.expand("cdc.{table}", n, "s");
            assertThat(TopicNames.isLegalTopic(topic)).as(topic).isTrue();
            assertThat(single.put(TopicNames.folded(topic), n)).as("'%s' collides", n).isNull();
        }
        assertThat(single).hasSize(names.size());
        Map<String, String> pairs = new HashMap<>();
        List<String> shortNames = names.stream().filter(n -> n.length() <= 2).toList();
        for (String src : shortNames) {
            for (String tbl : shortNames) {
                String topic = TopicNames.expand("x.{source}.{table}", tbl, src);
                assertThat(TopicNames.isLegalTopic(topic)).as(topic).isTrue();
                assertThat(pairs.put(TopicNames.folded(topic), src + "/" + tbl)).as("'%s'/'%s' collides", src, tbl)
                        .isNull();
            }
        }
    }

    @Test
    void withoutTransactionalIdAStableIdIsDerivedFromClientIdAndTopic() {
        Map<String, Object> m = minimal();
        m.remove("transactional_id");
        m.put("topic", "cdc-events");
        KafkaSinkConfig c = KafkaSinkConfig.from(m);
        assertThat(c.transactionalIdDerived()).isTrue();
        assertThat(c.transactionalId()).isEqualTo("debshrew@cdc-events");
        // the same pipeline, restarted with its servers listed differently: the same id (fencing works)
        m.put("bootstrap_servers", "127.0.0.2:9092,127.0.0.1:9092");
        assertThat(KafkaSinkConfig.from(m).transactionalId()).isEqualTo("debshrew@cdc-events");
        // two pipelines on one broker: another topic or another client_id gives another id
        m.put("client_id", "debshrew-sample-transform");
        assertThat(KafkaSinkConfig.from(m).transactionalId()).isEqualTo("debshrew-sample-transform@cdc-events");
        m.remove("client_id");
        m.put("topic_template", "alkanes.{table}");
        assertThat(KafkaSinkConfig.from(m).transactionalId()).isEqualTo("debshrew@alkanes.{table}");
        // an explicit id wins
        m.put("transactional_id", "mine");
        assertThat(KafkaSinkConfig.from(m).transactionalIdDerived()).isFalse();
        assertThat(KafkaSinkConfig.from(m).transactionalId()).isEqualTo("mine");
    }

    @Test
    void tombstonesOnASharedTopicKeyRecordsByTable() {
        Map<String, Object> m = minimal();
        m.put("tombstones", true);
        assertThat(KafkaSinkConfig.from(m).keyFormat()).isEqualTo(KeyFormat.TABLE_KEY);
        m.put("topic_template", "cdc.{source}");
        assertThat(KafkaSinkConfig.from(m).keyFormat()).isEqualTo(KeyFormat.TABLE_KEY);
        m.put("key_format", "key");
        assertThatThrownBy(() -> KafkaSinkConfig.from(m)).hasMessageContaining("'key_format'")
                .hasMessageContaining("another table's row with the same key");
        m.put("topic_template", "cdc.{table}"); // one topic per table: the row key is enough
        assertThat(KafkaSinkConfig.from(m).keyFormat()).isEqualTo(KeyFormat.KEY);
        m.remove("key_format");
        assertThat(KafkaSinkConfig.from(m).keyFormat()).isEqualTo(KeyFormat.KEY);
        m.put("tombstones", false);
        m.remove("topic_template");
        assertThat(KafkaSinkConfig.from(m).keyFormat()).isEqualTo(KeyFormat.KEY); // unchanged without tombstones

        // table_key is injective: a ':' in a table name cannot shift the boundary
        assertThat(KeyFormat.TABLE_KEY.key(dev.debshrew.sink.TestMessages.create(1, "a:b", "c", "{}")))
                .isEqualTo("a%3Ab:c")
                .isNotEqualTo(KeyFormat.TABLE_KEY.key(dev.debshrew.sink.TestMessages.create(1, "a", "b:c", "{}")));
        assertThat(KeyFormat.TABLE_KEY.key(dev.debshrew.sink.TestMessages.create(1, "a%3Ab", "c", "{}")))
                .isEqualTo("a%253Ab:c");
    }

    @Test
    void theProducerIsTunedForThroughputAndTheUsersPropertiesWin() {
        Map<String, Object> defaults = ProducerSettings.of(KafkaSinkConfig.from(minimal()));
        assertThat(defaults).containsEntry("linger.ms", 10).containsEntry("batch.size", 262_144)
                .containsEntry("compression.type", "lz4").containsEntry("buffer.memory", 67_108_864L)
                .containsEntry("max.in.flight.requests.per.connection", 5)
                .containsEntry("enable.idempotence", true).containsEntry("acks", "all")
                .containsEntry("transactional.id", "p1");

        Map<String, Object> m = minimal();
        m.put("producer.linger.ms", 50);
        m.put("producer.compression.type", "zstd");
        m.put("client.batch.size", 65_536);
        Map<String, Object> tuned = ProducerSettings.of(KafkaSinkConfig.from(m));
        assertThat(tuned).containsEntry("linger.ms", "50").containsEntry("compression.type", "zstd")
                .containsEntry("batch.size", "65536").containsEntry("buffer.memory", 67_108_864L);
        // what exactly-once needs cannot be overridden (the config refuses it)
        Map<String, Object> bad = minimal();
        bad.put("producer.enable.idempotence", false);
        assertThatThrownBy(() -> KafkaSinkConfig.from(bad)).hasMessageContaining("enable.idempotence");
    }
}
