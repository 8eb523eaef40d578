package dev.debshrew.connect;

import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.follow.BlockFollower;
import dev.debshrew.follow.FollowerSettings;
import dev.debshrew.journal.InMemoryChainStore;
import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.sink.kafka.KafkaSink;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the daemon writes for a chain: its engine with its Kafka sink (the same classes the daemon
 * wires), run in this JVM from {@code start_height} 0 up to the devnet's tip, into {@code topic}.
 */
final class DaemonReference {

    private DaemonReference() {
    }

    static void run(DevnetServer devnet, Path module, String bootstrap, String topic, Duration timeout)
            throws Exception {
        run(devnet, module, bootstrap, topic, timeout, Map.of());
    }

    /** As {@link #run(DevnetServer, Path, String, String, Duration)}, with further Kafka sink options (e.g. format). */
    static void run(DevnetServer devnet, Path module, String bootstrap, String topic, Duration timeout,
            Map<String, Object> sinkOptions) throws Exception {
        Map<String, Object> sinkConfig = new java.util.HashMap<>(sinkOptions);
        sinkConfig.putAll(Map.of("bootstrap_servers", bootstrap, "topic", topic, "transactional_id",
                "reference-" + topic));
        try (Transform transform = Transform.load(module, TransformLimits.defaults());
                MetashrewClient node = MetashrewClient.builder(devnet.url()).readTimeout(Duration.ofSeconds(10))
                        .build();
                InMemoryChainStore store = new InMemoryChainStore(6);
                KafkaSink sink = KafkaSink.create(sinkConfig)) {
            BlockFollower follower = new BlockFollower(node, transform, store, sink,
                    FollowerSettings.defaults().withStartHeight(0L).withPollInterval(Duration.ofMillis(20)));
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    follower.run();
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "reference-follower");
            t.start();
            long tip = devnet.height();
            String tipHash = devnet.blockHash(tip);
            long deadline = System.nanoTime() + timeout.toNanos();
            try {
                while (!(follower.nextHeight() == tip + 1 && store.tip().map(e -> e.hash().equals(tipHash))
                        .orElse(false))) {
                    if (failure.get() != null) {
                        throw new AssertionError("the reference follower failed", failure.get());
                    }
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("the reference follower did not reach " + tip + " within " + timeout);
                    }
                    Thread.sleep(10);
                }
            } finally {
                follower.stop();
                t.join(timeout.toMillis());
            }
        }
    }
}
