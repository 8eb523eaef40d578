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
import java.util.function.Supplier;
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
 * <p>With {@code state.bootstrap.servers} the transform state and the reorg window live in a
 * compacted changelog topic written in the same transactions ({@link KafkaChainStore}), read back
 * when the task starts into a local cache: RocksDB in {@code state.cache.dir} ({@link LocalCache}:
 * only the tail after a clean stop on this worker) or the heap ({@code state.cache=memory}); without
 * it they are held in memory ({@link InMemoryChainStore}) and a task that restarts resumes after the
 * committed cursor with empty state (stateless transforms only).
 */
public final class DebshrewSourceTask extends SourceTask {

    private static final Logger log = LoggerFactory.getLogger(DebshrewSourceTask.class);
    /** How long one poll() waits for a block group before it returns null to the worker. */
    private static final Duration POLL_WAIT = Duration.ofMillis(500);

    private DebshrewConnectorConfig config;
    private Transform transform;
    private MetashrewClient node;
    private ChainStore store;
    /** The state in Kafka (null without state.bootstrap.servers) and its RocksDB cache (null: none). */
    private KafkaChainStore kafkaStore;
    private volatile LocalCache cache;
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
        Supplier<List<StateChangelog.Change>> changes = List::of;
        if (config.stateClient().isEmpty()) {
            store = new InMemoryChainStore(config.cacheSize());
        } else {
            kafkaStore = openState(pipeline);
            store = kafkaStore;
            changes = kafkaStore::drain;
        }
        try {
            sink = new HandoffSink("connect:" + pipeline, new ConnectRecords(config), committed, config.handoffTimeout(),
                    changes);
            FollowerSettings settings = FollowerSettings.defaults().withStartHeight(config.startHeight())
                    .withPollInterval(config.pollInterval());
            follower = new BlockFollower(node, transform, store, sink, settings);
            log.info("pipeline '{}' starting {}; {}", pipeline,
                    committed.map(c -> "after the committed cursor " + c).orElse("without a committed offset"),
                    context.transactionContext() != null
                            ? "the task ends each transaction (transaction.boundary=connector)"
                            : "one transaction per poll");
            engine = new Thread(this::runEngine, "debshrew-" + pipeline);
            engine.setDaemon(true);
            engine.start();
        } catch (RuntimeException | Error e) { // the engine never ran: release the cache here
            closeQuietly(store);
            if (cache != null) {
                cache.close();
            }
            throw e;
        }
    }

    /** The state from the changelog topic, into the local cache {@code state.cache} names. */
    private KafkaChainStore openState(String pipeline) {
        KafkaChainStore restored;
        if (config.rocksCache()) {
            LocalCache.Source source = ChangelogTopic.source(config.stateClient(), config.stateTopic(),
                    config.stateReadTimeout());
            cache = LocalCache.acquire(config.stateCacheDir(), config.stateReadTimeout());
            try {
                restored = cache.open(source, config.cacheSize());
            } catch (RuntimeException e) {
                cache.close();
                cache = null;
                throw e;
            }
            LocalCache.Restored r = cache.restored();
            log.info("pipeline '{}': local RocksDB cache {} restored from topic '{}' offsets {}..{} ({}, {} state"
                    + " writes)", pipeline, cache.storeDir(), config.stateTopic(), r.from(), r.to(),
                    r.tail() ? "the tail after its checkpoint" : "the whole changelog", r.stateWrites());
        } else {
            restored = KafkaChainStore.restore(config.cacheSize(),
                    ChangelogTopic.read(config.stateClient(), config.stateTopic(), config.stateReadTimeout()));
        }
        log.info("pipeline '{}': state and window restored from topic '{}' (window {})", pipeline,
                config.stateTopic(), restored.window().isEmpty() ? "empty"
                        : restored.window().get(0).height() + ".." + restored.tip().get().height());
        return restored;
    }

    /** The engine thread: runs the follower, then releases what it used (stop() only signals). */
    private void runEngine() {
        try {
            follower.run();
        } catch (Throwable t) {
            failure.set(t);
            sink.abort(); // wakes poll()
        } finally {
            closeQuietly(store);
            releaseCache();
            closeQuietly(node);
            closeQuietly(transform);
        }
    }

    /**
     * Writes the cache's checkpoint when the task stops cleanly (no failure, every group committed,
     * nothing pending: the closed store holds what the changelog holds up to this task's last
     * committed record), then releases the directory.
     */
    private void releaseCache() {
        if (cache == null) {
            return;
        }
        try {
            if (failure.get() == null && sink.clean() && kafkaStore.settled()) {
                cache.checkpoint();
                log.info("pipeline '{}': clean stop, local cache {} checkpointed at topic '{}' offset {}",
                        config.pipelineName(), cache.storeDir(), config.stateTopic(), cache.checkpointOffset());
            } else {
                log.info("pipeline '{}': no checkpoint for the local cache {} (the task did not stop cleanly); the"
                        + " next start restores it from the whole changelog", config.pipelineName(), cache.storeDir());
            }
        } catch (RuntimeException e) {
            log.warn("pipeline '{}': no checkpoint for the local cache {}: {}", config.pipelineName(),
                    cache.storeDir(), e.getMessage());
        } finally {
            cache.close();
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
        LocalCache c = cache;
        if (c != null && metadata != null && metadata.topic().equals(config.stateTopic())) {
            c.committed(metadata.offset()); // before the engine goes on (and may stop)
        }
        sink.committed(record);
    }

    /**
     * Asks the engine to stop after the block in progress and wakes both sides of the handoff; does
     * not wait (the worker calls this while poll() may run). A group the worker did not commit is
     * delivered again by the next task, from the committed offset.
     */
    @Override
    public void stop() {
        if (follower != null) {
            follower.stop();
        }
        if (sink != null) {
            sink.abort();
        }
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
