package dev.debshrew.connect;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.errors.ConnectException;

/**
 * The pipeline's state changelog topic on the broker: created compacted with one partition when
 * missing, and read (from the beginning, or from a local cache's checkpoint: {@link LocalCache}) to
 * its last stable offset as a {@code read_committed} consumer when a task starts (the worker has fenced the previous task's producer by then, so no
 * transaction of it is left open).
 */
final class ChangelogTopic {

    /** How often the identity of a topic just created is asked again while the broker does not know it yet. */
    private static final long METADATA_RETRY_MS = 100;

    private ChangelogTopic() {
    }

    /**
     * Reads the whole committed changelog of {@code topic} into memory (creating the topic when it
     * is missing). Errors quote no secret of {@code client} ({@link ClientSecrets#scrub}).
     */
    static StateChangelog.Snapshot read(Map<String, Object> client, String topic, Duration timeout) {
        LocalCache.Source source = source(client, topic, timeout);
        LocalCache.Position p = source.position();
        StateChangelog.Replay replay = new StateChangelog.Replay(topic);
        source.read(p.begin(), p.end(), replay);
        try {
            return replay.snapshot();
        } catch (IllegalStateException e) {
            throw new ConnectException(e.getMessage(), e);
        }
    }

    /** The changelog {@code topic} on the cluster of {@code client}; errors quote no secret of it. */
    static LocalCache.Source source(Map<String, Object> client, String topic, Duration timeout) {
        return new LocalCache.Source() {
            @Override
            public LocalCache.Position position() {
                try {
                    return positionUnscrubbed(client, topic, timeout);
                } catch (RuntimeException e) {
                    throw ClientSecrets.scrub(e, ClientSecrets.values(client));
                }
            }

            @Override
            public void read(long from, long to, StateChangelog.Replay replay) {
                try {
                    readUnscrubbed(client, topic, from, to, replay, timeout);
                } catch (RuntimeException e) {
                    throw ClientSecrets.scrub(e, ClientSecrets.values(client));
                }
            }
        };
    }

    private static KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> client) {
        Map<String, Object> p = new HashMap<>(client);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return new KafkaConsumer<>(p);
    }

    /** Creates the topic when missing; its id, first offset and last stable offset. */
    private static LocalCache.Position positionUnscrubbed(Map<String, Object> client, String topic, Duration timeout) {
        Identity id = ensure(client, topic, timeout);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<byte[], byte[]> c = consumer(client)) {
            long begin = c.beginningOffsets(List.of(tp), timeout).get(tp);
            long end = c.endOffsets(List.of(tp), timeout).get(tp);
            return new LocalCache.Position(topic, id.topicId(), begin, end, id.deleteRetentionMs());
        }
    }

    /** Replays the committed records of offsets {@code from} (inclusive) to {@code to} (exclusive). */
    private static void readUnscrubbed(Map<String, Object> client, String topic, long from, long to,
            StateChangelog.Replay replay, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> c = consumer(client)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seek(tp, from);
            while (c.position(tp, timeout) < to) {
                if (System.nanoTime() > deadline) {
                    throw new ConnectException("state changelog topic '" + topic + "': could not read it up to offset "
                            + to + " within " + timeout.toMillis() + " ms (at " + c.position(tp) + ")");
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (r.offset() < to) {
                        replay.apply(r.offset(), r.key(), r.value());
                    }
                }
            }
        } catch (IllegalStateException e) {
            throw new ConnectException(e.getMessage(), e);
        }
    }

    private static Identity topicId(Admin admin, String topic, Duration timeout)
            throws ExecutionException, TimeoutException, InterruptedException {
        String id = admin.describeTopics(List.of(topic)).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .get(topic).topicId().toString();
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        ConfigEntry retention = admin.describeConfigs(List.of(resource)).all()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(resource).get(TopicConfig.DELETE_RETENTION_MS_CONFIG);
        return new Identity(id, retention == null || retention.value() == null ? 0 : Long.parseLong(retention.value()));
    }

    /** Refuses an existing changelog topic with several partitions (no order across them) or without compaction. */
    private static void checkShape(Admin admin, String topic, Duration timeout)
            throws ExecutionException, TimeoutException, InterruptedException {
        int partitions = admin.describeTopics(List.of(topic)).allTopicNames()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic).partitions().size();
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        ConfigEntry policy = admin.describeConfigs(List.of(resource)).all()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(resource).get(TopicConfig.CLEANUP_POLICY_CONFIG);
        String cleanup = policy == null ? null : policy.value();
        if (partitions != 1 || !TopicConfig.CLEANUP_POLICY_COMPACT.equals(cleanup)) {
            throw new ConnectException("state changelog topic '" + topic + "' has " + partitions + " partition(s) and"
                    + " cleanup.policy=" + cleanup + "; it needs exactly one"
                    + " partition and cleanup.policy=compact (deleting old records would lose state). Choose another "
                    + DebshrewConnectorConfig.STATE_TOPIC + " or fix the topic");
        }
    }

    /** A topic's id and {@code delete.retention.ms}. */
    private record Identity(String topicId, long deleteRetentionMs) {
    }

    /** Creates {@code topic} compacted with one partition when it does not exist; returns its identity. */
    private static Identity ensure(Map<String, Object> client, String topic, Duration timeout) {
        Admin admin = Admin.create(client);
        try {
            Set<String> names = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (names.contains(topic)) {
                checkShape(admin, topic, timeout);
                return topicId(admin, topic, timeout);
            }
            NewTopic t = new NewTopic(topic, Optional.of(1), Optional.empty())
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            try {
                admin.createTopics(List.of(t)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) { // until the new topic's metadata reaches the broker that answers
                try {
                    return topicId(admin, topic, timeout);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(METADATA_RETRY_MS);
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new ConnectException("state changelog topic '" + topic + "': cannot create it: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectException("interrupted while creating the state changelog topic '" + topic + "'", e);
        } finally {
            admin.close(Duration.ofSeconds(1)); // after a timeout: do not wait for the calls still pending
        }
    }
}
