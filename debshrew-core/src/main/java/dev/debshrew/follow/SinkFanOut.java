package dev.debshrew.follow;

import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.journal.ChainStore;
import dev.debshrew.journal.JournalEntry;
import dev.debshrew.sink.BlockChange;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.Sink;
import dev.debshrew.sink.SinkBatch;
import dev.debshrew.sink.SinkException;
import dev.debshrew.util.Backoff;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sinks of one pipeline (fan-out): each keeps its own cursor; every block (or undo) is
 * committed to each of them in configuration order. A retriable failure, at open or at a commit,
 * backs off and retries (without a limit unless {@link FollowerSettings#sinkRetryMax()} is set)
 * with the sink reported down meanwhile; a deterministic one stops the pipeline. A sink that is
 * behind the store catches up from the journal.
 */
final class SinkFanOut {

    private static final Logger log = LoggerFactory.getLogger(SinkFanOut.class);
    /** While a sink stays down, one WARN line per this interval (the attempts in between log at DEBUG). */
    private static final Duration REMINDER = Duration.ofMinutes(5);

    private final List<SinkState> sinks;
    private final FollowerSettings settings;
    private final FollowerListener listener;
    private final StopSignal stop;
    private final Backoff backoff;

    SinkFanOut(List<Sink> sinks, FollowerSettings settings, FollowerListener listener, StopSignal stop) {
        if (sinks.isEmpty()) {
            throw new IllegalArgumentException("at least one sink is required");
        }
        this.sinks = sinks.stream().map(SinkState::new).toList();
        this.settings = settings;
        this.listener = listener;
        this.stop = stop;
        this.backoff = new Backoff(settings.retryInitial(), settings.retryMax(), 2.0, 0.25);
    }

    /** A sink, the last cursor it committed (null: none yet) and whether its last call succeeded. */
    static final class SinkState {
        final Sink sink;
        volatile Cursor cursor;
        volatile boolean up = true;
        volatile String lastError;
        volatile Instant lastErrorAt;
        /** System.nanoTime() when the current outage was first logged (0: up), and of its last reminder. */
        long downSinceNanos;
        long lastReminderNanos;

        SinkState(Sink sink) {
            this.sink = sink;
        }
    }

    /** The sinks with their cursors, in configuration order. */
    List<SinkState> states() {
        return sinks;
    }

    /** Each sink's last committed cursor and health. Safe from any thread (status pages). */
    List<BlockFollower.SinkPosition> positions() {
        return sinks.stream().map(s -> new BlockFollower.SinkPosition(s.sink.name(), s.cursor, s.up, s.lastError,
                s.lastErrorAt)).toList();
    }

    /**
     * Opens every sink. A retriable failure (broker down, database restarting, lock held by
     * another instance) backs off and retries like a failed commit; a deterministic one stops.
     */
    void open() throws PipelineException, StopRequested {
        for (SinkState s : sinks) {
            long firstFailure = 0;
            for (int attempt = 1; ; attempt++) {
                try {
                    s.cursor = s.sink.open().orElse(null);
                    sinkRecovered(s);
                    break;
                } catch (SinkException e) {
                    if (!e.isRetriable()) {
                        sinkFailed(s, e);
                        throw new PipelineException("sink " + s.sink.name() + " could not be opened: " + e.getMessage(), e);
                    }
                    firstFailure = firstFailure == 0 ? System.nanoTime() : firstFailure;
                    retrySink(s, e, attempt, firstFailure, "open");
                }
            }
        }
    }

    /**
     * Delivers journal blocks to sinks that are behind the store's tip, as one batch per sink.
     * Called only once the node confirmed the tip's hash, so every journal block is canonical.
     * With {@code fromStart} (the journal holds every block since start_height), a sink that keeps a
     * cursor but never committed one receives the whole journal.
     */
    void catchUp(ChainStore store, JournalEntry tip, boolean fromStart) throws PipelineException, StopRequested {
        for (SinkState s : sinks) {
            if (s.cursor == null ? !s.sink.keepsCursor() || !fromStart : s.cursor.height() >= tip.height()) {
                continue;
            }
            List<BlockChange> missing = new ArrayList<>();
            for (JournalEntry e : store.window()) {
                if (s.cursor == null || e.height() > s.cursor.height()) {
                    missing.add(new BlockChange(new Cursor(e.height(), e.hash()), e.messages()));
                }
            }
            if (!missing.isEmpty()) {
                commitTo(s, SinkBatch.of(missing), "journal replay of " + describe(SinkBatch.of(missing)));
            }
        }
    }

    /**
     * Sends the inverse messages of undone block {@code e} to every sink that received it (a sink
     * that was behind has nothing to undo); each sink's cursor becomes the block's parent.
     */
    void deliverUndo(JournalEntry e, List<CdcMessage> inverse) throws PipelineException, StopRequested {
        SinkBatch undo = SinkBatch.of(new BlockChange(new Cursor(e.height() - 1, e.parentHash()), inverse));
        for (SinkState s : sinks) {
            if (s.cursor == null ? !s.sink.keepsCursor() : s.cursor.height() >= e.height()) {
                commitTo(s, undo, "undo of block " + e.height());
            }
        }
    }

    /** Commits a group of blocks to every sink (each one transaction), in order; each sink retries on its own. */
    void commit(SinkBatch batch) throws PipelineException, StopRequested {
        String what = describe(batch);
        for (SinkState s : sinks) {
            try {
                commitTo(s, batch, what);
            } catch (PipelineException e) {
                if (batch.blocks().size() == 1 || !(e.getCause() instanceof SinkException se) || se.isRetriable()) {
                    throw e;
                }
                // the sink refused the group for good: commit its blocks one by one, so the blocks before
                // the offending one land and the error names that block
                log.warn("sink {} refused {} ({}); committing them one by one to find the block", s.sink.name(), what,
                        se.getMessage());
                for (BlockChange b : batch.blocks()) {
                    commitTo(s, SinkBatch.of(b), "block " + b.cursor().height());
                }
            }
        }
    }

    /** "block 7" or "blocks 7..9". */
    static String describe(SinkBatch batch) {
        long first = batch.blocks().get(0).cursor().height();
        long last = batch.cursor().height();
        return first == last ? "block " + last : "blocks " + first + ".." + last;
    }

    /**
     * Commits one batch (blocks or an undo) to one sink, atomically. Retriable failures back off and retry, without a
     * limit unless {@link FollowerSettings#sinkRetryMax()} is set; the sink is reported down while
     * it fails. A deterministic failure stops the follower.
     */
    private void commitTo(SinkState s, SinkBatch batch, String what) throws PipelineException, StopRequested {
        long firstFailure = 0;
        for (int attempt = 1; ; attempt++) {
            long started = System.nanoTime();
            try {
                s.sink.commit(batch);
                s.cursor = batch.cursor();
                sinkRecovered(s);
                listener.sinkCommitted(s.sink.name(), batch.messageCount(), System.nanoTime() - started);
                return;
            } catch (SinkException e) {
                if (!e.isRetriable()) {
                    sinkFailed(s, e);
                    throw new PipelineException("sink " + s.sink.name() + " could not commit " + what + " (cursor "
                            + batch.cursor() + ", " + batch.messageCount() + " message(s)): " + e.getMessage(), e);
                }
                firstFailure = firstFailure == 0 ? started : firstFailure;
                retrySink(s, e, attempt, firstFailure, "commit " + what);
            }
        }
    }

    /** Reports a retriable sink failure and waits before the next attempt, or gives up / stops. */
    private void retrySink(SinkState s, SinkException e, int attempt, long firstFailureNanos, String what)
            throws PipelineException, StopRequested {
        sinkFailed(s, e);
        Duration failingFor = Duration.ofNanos(System.nanoTime() - firstFailureNanos);
        Duration limit = settings.sinkRetryMax();
        if (limit != null && failingFor.compareTo(limit) >= 0) {
            throw new PipelineException("sink " + s.sink.name() + " could not " + what + " for " + failingFor.toSeconds()
                    + " s (" + attempt + " attempts, sink_retry_max " + limit.toSeconds() + " s): " + e.getMessage(), e,
                    false);
        }
        Duration d = backoff.delay(attempt);
        String next = stop.isStopping() ? "stopping" : "retrying in " + d.toMillis() + " ms";
        long now = System.nanoTime();
        if (s.downSinceNanos == 0) {
            // once per outage, not per attempt; recovery logs one INFO line (sinkRecovered)
            s.downSinceNanos = now;
            s.lastReminderNanos = now;
            log.warn("sink {} is down: could not {}: {}; {} (retrying with back-off up to {} ms; one line per {} min"
                    + " while it stays down)", s.sink.name(), what, e.getMessage(), next, settings.retryMax().toMillis(),
                    REMINDER.toMinutes());
        } else if (now - s.lastReminderNanos >= REMINDER.toNanos()) {
            s.lastReminderNanos = now;
            log.warn("sink {} is still down after {} s ({} attempt(s) to {}): {}; {}", s.sink.name(),
                    Duration.ofNanos(now - s.downSinceNanos).toSeconds(), attempt, what, e.getMessage(), next);
        } else {
            log.debug("sink {} is down: could not {} (attempt {}, failing for {} s): {}; {}", s.sink.name(), what,
                    attempt, failingFor.toSeconds(), e.getMessage(), next);
        }
        listener.heartbeat();
        if (stop.isStopping()) {
            throw new StopRequested();
        }
        stop.sleep(d);
        if (stop.isStopping()) {
            throw new StopRequested();
        }
    }

    private void sinkFailed(SinkState s, SinkException e) {
        s.lastError = e.getMessage();
        s.lastErrorAt = Instant.now();
        if (s.up) {
            s.up = false;
            listener.sinkDown(s.sink.name(), e.isRetriable());
        }
    }

    private void sinkRecovered(SinkState s) {
        if (!s.up) {
            s.up = true;
            s.lastError = null; // recovered: /status shows no stale error
            s.lastErrorAt = null;
            long down = s.downSinceNanos == 0 ? 0 : System.nanoTime() - s.downSinceNanos;
            s.downSinceNanos = 0;
            log.info("sink {} is up again (down for {} s)", s.sink.name(), Duration.ofNanos(down).toSeconds());
            listener.sinkUp(s.sink.name());
        }
    }
}
