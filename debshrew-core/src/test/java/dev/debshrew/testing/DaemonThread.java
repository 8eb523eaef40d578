package dev.debshrew.testing;

import dev.debshrew.daemon.Daemon;
import java.util.concurrent.atomic.AtomicReference;

/** {@link Daemon#run()} on a background thread, remembering what ended it; {@link #close()} stops it. */
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

    /** Starts {@code daemon.run()} on a new thread named {@code name}. */
    public static DaemonThread start(Daemon daemon, String name) {
        DaemonThread t = new DaemonThread(daemon, name);
        t.thread.start();
        return t;
    }

    /** What ended {@link Daemon#run()} with an error, or null (still running, or stopped cleanly). */
    public Throwable failure() {
        return failure.get();
    }

    /**
     * Stops the daemon and waits for the thread, 30 s at most each.
     *
     * @throws IllegalStateException when the daemon did not stop in time
     */
    @Override
    public void close() throws InterruptedException {
        boolean stopped = daemon.stop(30_000);
        thread.join(30_000);
        if (!stopped || thread.isAlive()) {
            throw new IllegalStateException("the daemon did not stop within 30 s");
        }
    }
}
