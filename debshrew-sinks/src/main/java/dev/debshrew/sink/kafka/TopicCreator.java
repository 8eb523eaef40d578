package dev.debshrew.sink.kafka;

import dev.debshrew.sink.SinkException;
import dev.debshrew.util.Secrets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks (once per topic) that the {@link KafkaSink}'s topics exist and creates missing ones when
 * allowed: data topics with {@code topic_partitions} / {@code topic_replication_factor}, the cursor
 * topic with one partition and {@code cleanup.policy=compact}.
 */
final class TopicCreator {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSink.class);
    private static final String OWNER = KafkaSinkConfig.OWNER;

    private final KafkaSinkConfig config;
    private final Supplier<String> name;
    private final Set<String> readyTopics = new HashSet<>();

    TopicCreator(KafkaSinkConfig config, Supplier<String> name) {
        this.config = config;
        this.name = name;
    }

    /** Makes sure {@code topic} exists (creates it if allowed). */
    void ensure(Admin admin, String topic, boolean cursorTopic) throws SinkException {
        if (readyTopics.contains(topic)) {
            return;
        }
        if (!cursorTopic && !config.createTopics()) {
            readyTopics.add(topic);
            return;
        }
        try {
            try {
                admin.describeTopics(List.of(topic)).allTopicNames().get(config.openTimeoutMs(), TimeUnit.MILLISECONDS);
                readyTopics.add(topic);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
            Optional<Short> rf = config.topicReplicationFactor() == -1 ? Optional.empty()
                    : Optional.of((short) config.topicReplicationFactor());
            Optional<Integer> partitions = cursorTopic ? Optional.of(1)
                    : config.topicPartitions() == -1 ? Optional.empty() : Optional.of(config.topicPartitions());
            NewTopic nt = new NewTopic(topic, partitions, rf);
            if (cursorTopic) {
                nt.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            }
            try {
                admin.createTopics(List.of(nt)).all().get(config.openTimeoutMs(), TimeUnit.MILLISECONDS);
                LOG.info("{}: created {}topic '{}'", name.get(), cursorTopic ? "cursor " : "", topic);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            readyTopics.add(topic);
        } catch (ExecutionException e) {
            throw KafkaErrors.error(name.get(), config.transactionalId(), "creating topic '" + topic + "'", e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new SinkException(OWNER + " " + name.get() + ": Kafka at bootstrap_servers '"
                    + Secrets.scrub(config.bootstrapServers()) + "' did not answer within open_timeout_ms = "
                    + config.openTimeoutMs() + " ms while checking/creating topic '" + topic
                    + "' (broker down or unreachable?); retriable", e, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SinkException(OWNER + " " + name.get() + ": interrupted while creating topic '" + topic + "'", e);
        }
    }
}
