package dev.debshrew.sink.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.debshrew.sink.format.KeyFormat;
import dev.debshrew.sink.format.OutputFormat;
import java.util.HashMap;
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
        Map<String, Object> m = minimal();
        m.remove("transactional_id");
        assertThatThrownBy(() -> KafkaSinkConfig.from(m)).hasMessageContaining("'transactional_id' is required");

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
    void topicNamesFromUntrustedTablesAreLegalAndDistinct() {
        assertThat(TopicNames.expand("cdc.{table}", "blocks", "s")).isEqualTo("cdc.blocks");
        String a = TopicNames.expand("cdc.{table}", "a b", "s");
        String b = TopicNames.expand("cdc.{table}", "a/b", "s");
        assertThat(a).matches("cdc\\.a_b_[0-9a-f]{8}");
        assertThat(a).isNotEqualTo(b);
        assertThat(TopicNames.expand("cdc.{table}", "ü".repeat(400), "s")).hasSize(249).matches("[A-Za-z0-9._-]+");
        assertThat(TopicNames.expand("{table}", "..", "s")).matches("[A-Za-z0-9._-]+").isNotEqualTo("..");
    }
}
