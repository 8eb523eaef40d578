package dev.debshrew.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.debshrew.daemon.Daemon;
import java.time.Duration;

/**
 * A {@link Daemon} running in-process in its own thread; {@link #close()} stops it (bounded) and
 * asserts that it ended without an error.
 */
public final class DaemonThread implements AutoCloseable {

    private final Daemon daemon;
    private final Background run;

    private DaemonThread(Daemon daemon, Background run) {
        this.daemon = daemon;
        this.run = run;
    }

    /** Starts {@code daemon.run()} in a new thread called {@code name}. */
    public static DaemonThread start(Daemon daemon, String name) {
        return new DaemonThread(daemon, Background.start(name, daemon::run));
    }

    /** What ended {@code run()} with an error, or null. */
    public Throwable failure() {
        return run.failure();
    }

    /** Stops the daemon within 30 s and asserts it ended cleanly. */
    @Override
    public void close() throws InterruptedException {
        assertThat(daemon.stop(30_000)).as("daemon stopped within 30 s").isTrue();
        run.awaitEnd(Duration.ofSeconds(30));
        assertThat(run.failure()).as("daemon failure").isNull();
    }
}
