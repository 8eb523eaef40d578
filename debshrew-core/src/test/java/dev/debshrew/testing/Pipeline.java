package dev.debshrew.testing;

import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.follow.BlockFollower;
import dev.debshrew.follow.FollowerSettings;
import dev.debshrew.journal.ChainStore;
import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.sink.Sink;
import dev.debshrew.transform.Transform;
import java.time.Duration;

/** A follower running in a background thread against a devnet, for integration tests. */
public final class Pipeline implements AutoCloseable {

    private final DevnetServer devnet;
    private final MetashrewClient client;
    private final Transform transform;
    private final ChainStore store;
    private final Sink sink;
    private final BlockFollower follower;
    private final Background run;

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
        this.run = Background.start("test-follower", follower::run);
    }

    public BlockFollower follower() {
        return follower;
    }

    public ChainStore store() {
        return store;
    }

    /** The failure that ended the follower, or null while it runs / after a clean stop. */
    public Throwable failure() {
        return run.failure();
    }

    /** Waits until the follower has processed the devnet's tip with the devnet's hash. */
    public void awaitCaughtUp(Duration timeout) throws InterruptedException {
        awaitCaughtUp(devnet, store, follower, run::failure, timeout);
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
        run.awaitEnd(timeout);
    }

    @Override
    public void close() throws InterruptedException {
        follower.stop();
        run.join(Duration.ofSeconds(30));
        sink.close();
        store.close();
        client.close();
    }
}
