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
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one block at a time on a dedicated daemon thread (with a large stack for deep guest
 * recursion) under a deadline measured on a caller-supplied clock (the block's {@link GuestClock},
 * which does not advance while the guest waits for the node). When the clock passes the deadline the
 * thread is interrupted (Chicory's interpreter and compiled code check {@code Thread.isInterrupted()}
 * and throw {@code ChicoryInterruptedException}) and {@link #run} waits until the task has really
 * stopped, re-interrupting it, so no thread is ever left running a block in the background. The
 * interrupt flag is cleared before the thread runs the next block.
 */
public final class Worker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);
    private static final long STACK_SIZE = 16L * 1024 * 1024;
    /** How often a stopping task is re-interrupted, and how often a slow stop is logged. */
    static final Duration REINTERRUPT = Duration.ofMillis(20);
    static final Duration SLOW_STOP_WARNING = Duration.ofSeconds(2);

    private final String name;
    private final AtomicInteger threads = new AtomicInteger();
    private final ExecutorService executor;

    /** @param name the transform's name, used in the thread's name {@code debshrew-transform-<name>-<n>} */
    public Worker(String name) {
        this.name = name;
        ThreadFactory factory = r -> {
            Thread t = new Thread(null, r, threadNamePrefix(name) + threads.incrementAndGet(), STACK_SIZE);
            t.setDaemon(true);
            return t;
        };
        this.executor = Executors.newSingleThreadExecutor(factory);
    }

    /** The prefix of the names of the worker threads of transform {@code name}. */
    public static String threadNamePrefix(String name) {
        return "debshrew-transform-" + name + "-";
    }

    /** Outcome of {@link #run}. */
    public sealed interface Outcome<T> {
    }

    /** The task completed (normally or with an exception). */
    public record Completed<T>(T value, Throwable failure) implements Outcome<T> {
    }

    /** The deadline passed; the task was interrupted and has stopped. */
    public record TimedOut<T>() implements Outcome<T> {
    }

    /** The calling thread was interrupted while waiting; the task was interrupted and has stopped. */
    public record CallerInterrupted<T>() implements Outcome<T> {
    }

    /**
     * Runs {@code task} on the worker thread until it completes or {@code clock} (nanoseconds, starting
     * at 0) passes {@code timeout}. Returns only once the task is no longer running.
     *
     * @param clock the time charged to the task so far; may stand still (then the task is waited for)
     * @param onTimeout run first when the deadline passes (e.g. to make host functions refuse further calls)
     */
    public synchronized <T> Outcome<T> run(Callable<T> task, Duration timeout, LongSupplier clock, Runnable onTimeout) {
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
        long limit = timeout.toNanos();
        try {
            while (true) {
                long remaining = limit - clock.getAsLong();
                if (remaining <= 0 && !future.isDone()) {
                    stop(future, done, runner, onTimeout);
                    return new TimedOut<>();
                }
                try {
                    return new Completed<>(future.get(Math.max(remaining, 1), TimeUnit.NANOSECONDS), null);
                } catch (TimeoutException e) {
                    // the clock may have stood still (node time): re-check how much guest time is left
                }
            }
        } catch (ExecutionException e) {
            return new Completed<>(null, e.getCause());
        } catch (InterruptedException e) {
            stop(future, done, runner, onTimeout);
            Thread.currentThread().interrupt();
            return new CallerInterrupted<>();
        }
    }

    /** Interrupts the task until it has stopped: never leaves it running. */
    private void stop(Future<?> future, CountDownLatch done, AtomicReference<Thread> runner, Runnable onTimeout) {
        onTimeout.run();
        future.cancel(true);
        boolean callerInterrupted = Thread.interrupted();
        long started = System.nanoTime();
        long nextWarning = started + SLOW_STOP_WARNING.toNanos();
        boolean stopped = false;
        while (!stopped) {
            try {
                stopped = done.await(REINTERRUPT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                callerInterrupted = true;
            }
            Thread t = runner.get();
            if (!stopped && t != null) {
                // keep interrupting: a host call (e.g. an HTTP client) may have swallowed an interrupt
                t.interrupt();
            }
            if (!stopped && System.nanoTime() - nextWarning > 0) {
                LOG.warn("transform '{}': block still stopping {} ms after its deadline (stuck in a host call?)",
                        name, (System.nanoTime() - started) / 1_000_000);
                nextWarning += SLOW_STOP_WARNING.toNanos();
            }
        }
        if (callerInterrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the worker thread and waits (bounded) for it to end. */
    @Override
    public synchronized void close() {
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(SLOW_STOP_WARNING.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("transform '{}': worker thread still running {} after close", name, SLOW_STOP_WARNING);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
