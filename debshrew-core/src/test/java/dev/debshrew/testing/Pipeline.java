package dev.debshrew.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.follow.BlockFollower;
import dev.debshrew.follow.FollowerSettings;
import dev.debshrew.journal.ChainStore;
import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.sink.Sink;
import dev.debshrew.transform.Transform;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/** A follower running in a background thread against a devnet, for integration tests. */
public final class Pipeline implements AutoCloseable {

    private final DevnetServer devnet;
    private final MetashrewClient client;
    private final Transform transform;
    private final ChainStore store;
    private final Sink sink;
    private final BlockFollower follower;
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    /** @param transform shared between pipelines (compiled once); not closed by this pipeline */
    public Pipeline(DevnetServer devnet, Transform transform, ChainStore store, Sink sink, Long startHeight) {
        this(devnet, transform, store, sink, fastSettings().withStartHeight(startHeight));
    }

    /** Polls every 20 ms and retries from 20 ms up to 200 ms: what the other constructors use. */
    public static FollowerSettings fastSettings() {
        return FollowerSettings.defaults().withPollInterval(Duration.ofMillis(20))
                .withRetry(Duration.ofMillis(20), Duration.ofMillis(200));
    }

    /** @param transform shared between pipelines (compiled once); not closed by this pipeline */
    public Pipeline(DevnetServer devnet, Transform transform, ChainStore store, Sink sink, FollowerSettings settings) {
        this(devnet, MetashrewClient.builder(devnet.url()).readTimeout(Duration.ofSeconds(10)).build(), transform, store,
                sink, settings);
    }

    /** @param client the node client (closed with the pipeline) */
    public Pipeline(DevnetServer devnet, MetashrewClient client, Transform transform, ChainStore store, Sink sink,
            Long startHeight) {
        this(devnet, client, transform, store, sink, fastSettings().withStartHeight(startHeight));
    }

    /** @param client the node client (closed with the pipeline) */
    public Pipeline(DevnetServer devnet, MetashrewClient client, Transform transform, ChainStore store, Sink sink,
            FollowerSettings settings) {
        this.devnet = devnet;
        this.client = client;
        this.transform = transform;
        this.store = store;
        this.sink = sink;
        this.follower = new BlockFollower(client, transform, store, sink, settings);
        this.thread = new Thread(() -> {
            try {
                follower.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "test-follower");
        thread.start();
    }

    public BlockFollower follower() {
        return follower;
    }

    public ChainStore store() {
        return store;
    }

    /** The failure that ended the follower, or null while it runs / after a clean stop. */
    public Throwable failure() {
        return failure.get();
    }

    /** Waits until the follower has processed the devnet's tip with the devnet's hash. */
    public void awaitCaughtUp(Duration timeout) throws InterruptedException {
        awaitCaughtUp(devnet, store, follower, failure::get, timeout);
    }

    /**
     * Waits until {@code follower} (running elsewhere) has processed the devnet's tip with the
     * devnet's hash; fails early with the follower's failure, if any.
     */
    public static void awaitCaughtUp(DevnetServer devnet, ChainStore store, BlockFollower follower,
            java.util.function.Supplier<Throwable> failure, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (failure.get() != null) {
                throw new AssertionError("follower failed", failure.get());
            }
            long tip = devnet.height();
            var t = store.tip();
            if (t.isPresent() && t.get().height() == tip && t.get().hash().equals(devnet.blockHash(tip))
                    && follower.nextHeight() == tip + 1) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("follower did not catch up with the devnet tip " + devnet.height() + " within "
                + timeout + "; store tip " + store.tip().map(e -> e.height() + ":" + e.hash()).orElse("none"));
    }

    /** Waits until the follower thread ended (by failure or stop). */
    public void awaitEnd(Duration timeout) throws InterruptedException {
        thread.join(timeout.toMillis());
        assertThat(thread.isAlive()).as("follower still running after %s", timeout).isFalse();
    }

    @Override
    public void close() throws InterruptedException {
        follower.stop();
        thread.join(30_000);
        sink.close();
        store.close();
        client.close();
    }
}
