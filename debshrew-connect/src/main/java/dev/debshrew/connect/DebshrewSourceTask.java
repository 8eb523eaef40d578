package dev.debshrew.connect;

import dev.debshrew.follow.BlockFollower;
import dev.debshrew.follow.FollowerSettings;
import dev.debshrew.journal.ChainStore;
import dev.debshrew.journal.InMemoryChainStore;
import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.sink.Cursor;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLimits;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.apache.kafka.connect.source.TransactionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pipeline inside a Connect worker: the daemon's engine ({@link BlockFollower}: prefetch,
 * speculative transform, chain check, reorg undo) runs on its own thread with a {@link HandoffSink}
 * whose block groups {@link #poll()} returns, one group per call and per transaction. It resumes
 * after the cursor of the committed source offset.
 *
 * <p>Work in progress (README.md): the transform state and the reorg window are held in memory
 * ({@link InMemoryChainStore}); a task that restarts resumes after the committed cursor with empty
 * state, which is right only for stateless transforms and cannot undo a reorg below that cursor.
 * The Kafka-backed store (a compacted changelog written in the same transaction) replaces it next.
 */
public final class DebshrewSourceTask extends SourceTask {

    private static final Logger log = LoggerFactory.getLogger(DebshrewSourceTask.class);
    /** How long one poll() waits for a block group before it returns null to the worker. */
    private static final Duration POLL_WAIT = Duration.ofMillis(500);

    private DebshrewConnectorConfig config;
    private Transform transform;
    private MetashrewClient node;
    private ChainStore store;
    private HandoffSink sink;
    private BlockFollower follower;
    private Thread engine;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    @Override
    public String version() {
        return DebshrewSourceConnector.VERSION;
    }

    @Override
    public void start(Map<String, String> props) {
        config = new DebshrewConnectorConfig(props);
        String pipeline = config.pipelineName();
        Optional<Cursor> committed = ConnectRecords.cursorOf(pipeline,
                context.offsetStorageReader().offset(ConnectRecords.sourcePartition(pipeline)));
        try {
            transform = Transform.load(config.transformModule(), TransformLimits.defaults());
        } catch (Exception e) {
            throw new ConnectException("pipeline '" + pipeline + "': cannot load the transform module "
                    + config.transformModule() + ": " + e.getMessage(), e);
        }
        node = MetashrewClient.builder(config.nodeUrl()).readTimeout(config.nodeReadTimeout()).build();
        store = new InMemoryChainStore(config.cacheSize());
        sink = new HandoffSink("connect:" + pipeline, new ConnectRecords(config), committed, config.handoffTimeout());
        FollowerSettings settings = FollowerSettings.defaults().withStartHeight(config.startHeight())
                .withPollInterval(config.pollInterval());
        follower = new BlockFollower(node, transform, store, sink, settings);
        log.info("pipeline '{}' starting {}", pipeline,
                committed.map(c -> "after the committed cursor " + c).orElse("without a committed offset"));
        engine = new Thread(this::runEngine, "debshrew-" + pipeline);
        engine.setDaemon(true);
        engine.start();
    }

    private void runEngine() {
        try {
            follower.run();
        } catch (Throwable t) {
            failure.set(t);
            sink.abort(); // wakes poll()
        }
    }

    @Override
    public List<SourceRecord> poll() throws InterruptedException {
        throwIfFailed();
        List<SourceRecord> group = sink.take(POLL_WAIT);
        if (group == null) {
            throwIfFailed();
            return null;
        }
        TransactionContext tx = context.transactionContext();
        if (tx != null) { // transaction.boundary=connector: one transaction per block group
            tx.commitTransaction(group.get(group.size() - 1));
        }
        return group;
    }

    private void throwIfFailed() {
        Throwable t = failure.get();
        if (t != null) {
            throw new ConnectException("pipeline '" + config.pipelineName() + "' stopped: " + t.getMessage(), t);
        }
    }

    @Override
    public void commitRecord(SourceRecord record, RecordMetadata metadata) {
        sink.committed(record);
    }

    @Override
    public void stop() {
        if (follower != null) {
            follower.stop();
        }
        if (sink != null) {
            sink.abort();
        }
        if (engine != null) {
            try {
                engine.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (engine.isAlive()) {
                log.warn("pipeline '{}': the engine thread did not stop within 30 s", config.pipelineName());
            }
        }
        closeQuietly(store);
        closeQuietly(node);
        closeQuietly(transform);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            log.warn("closing {}: {}", c, e.toString());
        }
    }
}
