package dev.debshrew.cli;

import dev.debshrew.daemon.Daemon;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stop request (SIGTERM, SIGINT, JVM shutdown) of a long-running command, valid from the first
 * instant of the command: before the daemon exists the command sees {@link #requested()} and does
 * not start it; once {@link #attach attached}, the daemon is asked to stop
 * ({@link Daemon#requestStop()}: node calls in flight are cancelled, sink calls aborted if the
 * block has not finished within {@link Daemon#SINK_ABORT_AFTER}).
 *
 * <p>Hard bound: if the command has not returned {@link #HALT_AFTER} after the request, the
 * process halts with status {@link ExitStatus#TRANSIENT} (logged). The durable state is crash-safe,
 * so the next start redoes whatever was in progress.
 */
final class StopRequest {

    /** How long after a stop request the process halts if the command has not returned. */
    static final Duration HALT_AFTER = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(StopRequest.class);

    private final CountDownLatch done = new CountDownLatch(1);
    private final CountDownLatch requestedLatch = new CountDownLatch(1);
    private boolean requested;
    private Runnable stopper;

    /** Requests the stop (idempotent; safe from any thread, e.g. a signal handler). */
    void request(String why) {
        Runnable d;
        synchronized (this) {
            if (requested) {
                log.info("stop requested again ({}); still stopping", why);
                return;
            }
            requested = true;
            d = stopper;
        }
        requestedLatch.countDown();
        log.info("stop requested ({}): finishing or cancelling the block in progress, then closing the sinks", why);
        Thread watchdog = new Thread(this::haltIfStillRunning, "debshrew-stop-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        if (d != null) {
            d.run();
        }
    }

    /** Whether a stop was requested. */
    synchronized boolean requested() {
        return requested;
    }

    /** Waits up to {@code d} for a stop request (a standby's wait between two lock attempts); true when one came. */
    boolean requestedWithin(Duration d) throws InterruptedException {
        return requestedLatch.await(d.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Hands the daemon over for stop requests; false (the daemon must not be run) when a stop was
     * requested already.
     */
    synchronized boolean attach(Daemon d) {
        return attach(d::requestStop);
    }

    /** Like {@link #attach(Daemon)} with what stops the command (a daemon with several pipelines). */
    synchronized boolean attach(Runnable requestStop) {
        if (requested) {
            return false;
        }
        stopper = requestStop;
        return true;
    }

    /** The command is returning: the watchdog has nothing to do. */
    void finished() {
        done.countDown();
    }

    /** Waits (bounded) for the command to return; for a shutdown hook. */
    void awaitFinished() throws InterruptedException {
        done.await(HALT_AFTER.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void haltIfStillRunning() {
        try {
            if (done.await(HALT_AFTER.toMillis(), TimeUnit.MILLISECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.error("debshrew did not stop within {} s of the stop request (a call that cannot be cancelled);"
                + " halting with exit status {}. The durable state is crash-safe: the next start redoes the block"
                + " in progress", HALT_AFTER.toSeconds(), ExitStatus.TRANSIENT);
        Runtime.getRuntime().halt(ExitStatus.TRANSIENT);
    }
}
