package dev.debshrew.testing.servers;

import dev.debshrew.sink.kafka.KafkaTestBroker;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A running single-node Kafka (KRaft) for a test, in-process or in a container.
 *
 * @param bootstrapServers where clients (and the daemon) reach it, on the loopback interface
 * @param server stops it
 */
public record TestKafka(String bootstrapServers, AutoCloseable server) implements AutoCloseable {

    /** Every committed record of {@code topics}, read with {@code read_committed} from the beginning. */
    public List<ConsumerRecord<byte[], byte[]>> readCommitted(String... topics) {
        return KafkaTestBroker.readCommittedFrom(bootstrapServers, topics);
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
