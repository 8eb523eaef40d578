package dev.debshrew.sink.kafka;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The {@link KafkaSink}'s producer configuration: the user's {@code client.*} and
 * {@code producer.*} properties, throughput defaults for what the user left unset, and the
 * settings exactly-once delivery needs (which the user cannot change).
 */
final class ProducerSettings {

    /**
     * Defaults tuned for throughput, each overridden by the same {@code producer.*} (or
     * {@code client.*}) property. A whole batch of blocks is one transaction whose records are sent
     * without waiting and flushed once before the commit, so records accumulate into large,
     * compressed requests; {@code linger.ms} adds no latency at a commit (the flush sends at once).
     * Five requests in flight is the most the idempotent producer allows while keeping order.
     */
    static final Map<String, Object> THROUGHPUT_DEFAULTS = Collections.unmodifiableMap(defaults());

    private ProducerSettings() {
    }

    private static Map<String, Object> defaults() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put(ProducerConfig.LINGER_MS_CONFIG, 10);
        d.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        d.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        d.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024);
        d.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        return d;
    }

    /** The properties of the sink's transactional producer. */
    static Map<String, Object> of(KafkaSinkConfig config) {
        Map<String, Object> p = new HashMap<>(config.clientProperties());
        p.putAll(config.producerProperties());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.transactionalId());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG,
                config.clientId() != null ? config.clientId() : "debshrew-" + config.transactionalId());
        // initTransactions, send (metadata) and commit block at most this long: a broker that is down
        // fails open() within open_timeout_ms instead of the client default of a minute.
        p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, config.openTimeoutMs());
        p.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                Math.max(1_048_576, config.maxMessageBytes() + 16_384));
        THROUGHPUT_DEFAULTS.forEach(p::putIfAbsent);
        return p;
    }
}
