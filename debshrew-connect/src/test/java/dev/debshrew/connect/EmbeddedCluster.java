package dev.debshrew.connect;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.connect.storage.StringConverter;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;

/** A started {@link EmbeddedConnectCluster}: exactly-once workers (StringConverter defaults) and one KRaft broker in this JVM. */
final class EmbeddedCluster {

    private EmbeddedCluster() {
    }

    static EmbeddedConnectCluster start(String name, int workers) {
        Map<String, String> worker = new HashMap<>();
        worker.put("exactly.once.source.support", "enabled");
        worker.put("key.converter", StringConverter.class.getName());
        worker.put("value.converter", StringConverter.class.getName());
        worker.put("scheduled.rebalance.max.delay.ms", "0");
        Properties broker = new Properties();
        broker.put("transaction.state.log.replication.factor", "1");
        broker.put("transaction.state.log.min.isr", "1");
        EmbeddedConnectCluster c = new EmbeddedConnectCluster.Builder().name(name).numWorkers(workers).numBrokers(1)
                .workerProps(worker).brokerProps(broker).build();
        c.start();
        return c;
    }
}
