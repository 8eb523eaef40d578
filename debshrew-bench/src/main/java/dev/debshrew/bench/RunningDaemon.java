package dev.debshrew.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.config.ConfigException;
import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.daemon.Daemon;
import dev.debshrew.follow.BlockFollower.SinkPosition;
import dev.debshrew.sink.Cursor;
import dev.debshrew.transform.TransformLoadException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * The real daemon engine running in-process on a background thread, built by
 * {@link Daemon#create(DebshrewConfig)} from a generated config: RocksDB state store in a fresh
 * data directory, start height 0, reorg window 6, the given sinks.
 */
final class RunningDaemon implements AutoCloseable {

    private static final long POLL_MS = 1; // between looks at the cursors

    private final Daemon daemon;
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private RunningDaemon(Daemon daemon) {
        this.daemon = daemon;
        this.thread = new Thread(this::runDaemon, "debshrew-bench-daemon");
        this.thread.setDaemon(true);
    }

    /** What the generated config says besides the sink. */
    record Setup(String nodeUrl, Path transform, Path compileCache, Path dataDir, boolean sequential,
            long pollIntervalMs) {
    }

    /** The generated config: node, transform, state store, engine mode and {@code sinks} (one or more). */
    static DebshrewConfig config(Setup s, List<ObjectNode> sinks) throws ConfigException {
        ObjectNode cfg = DebshrewConfig.emptyTree();
        cfg.putObject("metashrew").put("url", s.nodeUrl()).put("timeout", 60);
        cfg.putObject("transform").put("path", s.transform().toString())
                .put("compile_cache_dir", s.compileCache().toString());
        if (sinks.size() == 1) {
            cfg.set("sink", sinks.get(0));
        } else {
            sinks.forEach(cfg.putArray("sinks")::add);
        }
        cfg.put("cache_size", 6).put("start_height", 0).put("data_dir", s.dataDir().toString())
                .put("state_store", "rocksdb").put("poll_interval_ms", s.pollIntervalMs());
        // flat key: accepted whether or not the config reads "engine" as a section
        cfg.put("engine.sequential", s.sequential());
        return DebshrewConfig.fromJson(cfg, "debshrew bench (generated config)");
    }

    /**
     * Creates the daemon (transform loaded, state store and sinks opened) without starting it: the
     * time of {@link #start()} excludes this set-up.
     */
    static RunningDaemon create(DebshrewConfig config) throws TransformLoadException {
        return new RunningDaemon(Daemon.create(config));
    }

    /** Starts {@link Daemon#run()} on a background thread; returns {@link System#nanoTime()} just before. */
    long start() {
        long t0 = System.nanoTime();
        thread.start();
        return t0;
    }

    /** Waits until every sink's cursor is at {@code height} or above. */
    void awaitHeight(long height, Duration timeout) throws InterruptedException {
        await(c -> c.height() >= height, "height " + height, timeout);
    }

    /** Waits until every sink's cursor is exactly block {@code height} with {@code hash}. */
    void awaitBlock(long height, String hash, Duration timeout) throws InterruptedException {
        await(c -> c.height() == height && c.hash().equalsIgnoreCase(hash), "block " + height + " " + hash, timeout);
    }

    private void await(Predicate<Cursor> reached, String what, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Throwable f = failure.get();
            if (f != null) {
                throw new IllegalStateException("the daemon failed before its sinks reached " + what + ": " + f, f);
            }
            List<SinkPosition> positions = daemon.follower().sinkPositions();
            if (!positions.isEmpty() && positions.stream().allMatch(p -> p.cursor() != null && reached.test(p.cursor()))) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the sinks did not reach " + what + " within " + timeout.toSeconds()
                        + " s; positions: " + positions);
            }
            Thread.sleep(POLL_MS);
        }
    }

    /** Stops the daemon and waits (bounded) for it to finish. */
    @Override
    public void close() throws InterruptedException {
        if (!thread.isAlive() && failure.get() == null && thread.getState() == Thread.State.NEW) {
            daemon.close(); // never started
            return;
        }
        if (!daemon.stop(60_000)) {
            throw new IllegalStateException("the daemon did not stop within 60 s");
        }
        thread.join(10_000);
    }

    private void runDaemon() {
        try {
            daemon.run();
        } catch (Throwable t) {
            failure.set(t);
        }
    }
}
