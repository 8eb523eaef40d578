package dev.debshrew.connect;

import dev.debshrew.devnet.DevnetServer;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import org.junit.jupiter.api.AfterEach;

/** A test's embedded Connect cluster and devnet, stopped after each test (the cluster first, so that no task outlives its node). */
abstract class ClusterFixture {

    protected EmbeddedConnectCluster connect;
    protected DevnetServer devnet;

    @AfterEach
    void stopClusterAndDevnet() {
        if (connect != null) {
            connect.stop();
        }
        if (devnet != null) {
            devnet.close();
        }
    }
}
