package dev.debshrew.transform.internal;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one block at a time on a dedicated daemon thread (with a large stack for deep guest
 * recursion) under a wall-clock deadline. At the deadline the thread is interrupted (Chicory's
 * interpreter and compiled code check {@code Thread.isInterrupted()} and throw
 * {@code ChicoryInterruptedException}); the interrupt flag is cleared before the thread runs the
 * next block. If the thread does not stop within a grace period (e.g. stuck in a host call that
 * ignores interrupts) it is abandoned and a fresh thread serves the next block.
 */
public final class Worker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);
    private static final long STACK_SIZE = 16L * 1024 * 1024;
    static final Duration GRACE = Duration.ofSeconds(2);

    private final String name;
    private final AtomicInteger threads = new AtomicInteger();
    private ExecutorService executor;

    public Worker(String name) {
        this.name = name;
        this.executor = newExecutor();
    }

    private ExecutorService newExecutor() {
        ThreadFactory factory = r -> {
            Thread t = new Thread(null, r, "debshrew-transform-" + name + "-" + threads.incrementAndGet(), STACK_SIZE);
            t.setDaemon(true);
            return t;
        };
        return Executors.newSingleThreadExecutor(factory);
    }

    /** Outcome of {@link #run}. */
    public sealed interface Outcome<T> {
    }

    /** The task completed (normally or with an exception). */
    public record Completed<T>(T value, Throwable failure) implements Outcome<T> {
    }

    /** The deadline passed; {@code stopped} tells whether the worker thread stopped within the grace period. */
    public record TimedOut<T>(boolean stopped) implements Outcome<T> {
    }

    /** The calling thread was interrupted while waiting; the task was cancelled. */
    public record CallerInterrupted<T>() implements Outcome<T> {
    }

    /**
     * Runs {@code task} on the worker thread, waiting at most {@code timeout}.
     *
     * @param onTimeout run first when the deadline passes (e.g. to make host functions refuse further calls)
     */
    public synchronized <T> Outcome<T> run(Callable<T> task, Duration timeout, Runnable onTimeout) {
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Thread> runner = new AtomicReference<>();
        Future<T> future = executor.submit(() -> {
            Thread.interrupted(); // never start a block with a stale interrupt
            runner.set(Thread.currentThread());
            try {
                return task.call();
            } finally {
                runner.set(null);
                Thread.interrupted();
                done.countDown();
            }
        });
        try {
            return new Completed<>(future.get(timeout.toNanos(), TimeUnit.NANOSECONDS), null);
        } catch (ExecutionException e) {
            return new Completed<>(null, e.getCause());
        } catch (TimeoutException e) {
            return new TimedOut<>(stop(future, done, runner, onTimeout));
        } catch (InterruptedException e) {
            stop(future, done, runner, onTimeout);
            Thread.currentThread().interrupt();
            return new CallerInterrupted<>();
        }
    }

    private boolean stop(Future<?> future, CountDownLatch done, AtomicReference<Thread> runner, Runnable onTimeout) {
        onTimeout.run();
        future.cancel(true);
        // Keep interrupting during the grace period: a host call (e.g. an HTTP client) may have
        // swallowed the first interrupt and let the guest continue.
        boolean stopped = false;
        long deadline = System.nanoTime() + GRACE.toNanos();
        try {
            while (!stopped && System.nanoTime() < deadline) {
                stopped = done.await(20, TimeUnit.MILLISECONDS);
                Thread t = runner.get();
                if (!stopped && t != null) {
                    t.interrupt();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!stopped) {
            LOG.warn("transform '{}': worker thread did not stop within {} after interrupt; abandoning it", name, GRACE);
            executor.shutdownNow();
            executor = newExecutor();
        }
        return stopped;
    }

    @Override
    public synchronized void close() {
        executor.shutdownNow();
    }
}
