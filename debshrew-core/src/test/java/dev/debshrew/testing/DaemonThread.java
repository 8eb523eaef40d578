package dev.debshrew.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.debshrew.daemon.Daemon;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Daemon} running in-process in its own thread; {@link #close()} stops it (bounded) and
 * asserts that it ended without an error.
 */
public final class DaemonThread implements AutoCloseable {

    private final Daemon daemon;
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private DaemonThread(Daemon daemon, String name) {
        this.daemon = daemon;
        this.thread = new Thread(() -> {
            try {
                daemon.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, name);
    }

    /** Starts {@code daemon.run()} in a new thread called {@code name}. */
    public static DaemonThread start(Daemon daemon, String name) {
        DaemonThread t = new DaemonThread(daemon, name);
        t.thread.start();
        return t;
    }

    /** What ended {@code run()} with an error, or null. */
    public Throwable failure() {
        return failure.get();
    }

    /** Stops the daemon within 30 s and asserts it ended cleanly. */
    @Override
    public void close() throws InterruptedException {
        assertThat(daemon.stop(30_000)).as("daemon stopped within 30 s").isTrue();
        thread.join(30_000);
        assertThat(thread.isAlive()).as("daemon thread still running").isFalse();
        assertThat(failure.get()).as("daemon failure").isNull();
    }
}
