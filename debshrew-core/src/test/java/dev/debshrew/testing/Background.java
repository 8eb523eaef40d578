package dev.debshrew.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A task (a follower's or daemon's {@code run()}) running in a thread of its own, with whatever
 * ended it kept for the test: {@code Background.start("name", follower::run)}.
 */
public final class Background {

    /** A task that may throw anything. */
    @FunctionalInterface
    public interface Task {
        void run() throws Throwable;
    }

    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private Background(String name, Task task) {
        this.thread = new Thread(() -> {
            try {
                task.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, name);
    }

    /** Starts {@code task} in a new thread called {@code name}. */
    public static Background start(String name, Task task) {
        Background b = new Background(name, task);
        b.thread.start();
        return b;
    }

    /** What ended the task with an error, or null (still running, or ended cleanly). */
    public Throwable failure() {
        return failure.get();
    }

    /** Whether the task is still running. */
    public boolean isAlive() {
        return thread.isAlive();
    }

    /** Waits up to {@code timeout} for the task to end; returns whether it ended. */
    public boolean join(Duration timeout) throws InterruptedException {
        thread.join(Math.max(1, timeout.toMillis()));
        return !thread.isAlive();
    }

    /** Waits up to {@code timeout} for the task to end and asserts that it did. */
    public void awaitEnd(Duration timeout) throws InterruptedException {
        assertThat(join(timeout)).as("%s still running after %s", thread.getName(), timeout).isTrue();
    }
}
