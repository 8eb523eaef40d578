package dev.debshrew.daemon;

import dev.debshrew.follow.FollowerListener;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs the follower's catch-up (logger {@code dev.debshrew.progress}): while the node's tip is
 * ahead, one INFO line every {@code interval} with the height, the node's tip, the lag, blocks/s
 * and messages/s over the interval and an ETA; one INFO line when the follower reaches the tip
 * ("caught up"), and one when it falls more than {@code behindBlocks} blocks behind again ("fell
 * behind"). The asymmetry (caught up at lag 0, behind only past {@code behindBlocks}) keeps a
 * follower that is one new block behind for a moment from flapping between the two.
 *
 * <p>Driven by the follower's events, on its thread, with an injectable clock: no thread of its own.
 */
public final class ProgressReporter implements FollowerListener {

    private static final Logger log = LoggerFactory.getLogger("dev.debshrew.progress");

    private enum State { UNKNOWN, CATCHING_UP, CAUGHT_UP }

    private final long intervalNanos;
    private final long behindBlocks;
    private final LongSupplier nanoClock;
    private volatile LongSupplier height = () -> -1;

    private State state = State.UNKNOWN;
    private long tip = -1;
    private long catchUpStartedAt;
    private long catchUpStartHeight;
    private long lastLineAt;
    private long blocksSinceLine;
    private long messagesSinceLine;

    /**
     * @param interval     time between two progress lines during a catch-up
     * @param behindBlocks a caught-up follower is "behind" again when the tip is more than this many blocks ahead
     * @param nanoClock    monotonic time in nanoseconds ({@code System::nanoTime}; a fake one in tests)
     */
    public ProgressReporter(Duration interval, long behindBlocks, LongSupplier nanoClock) {
        if (interval.isNegative() || interval.isZero() || behindBlocks < 1) {
            throw new IllegalArgumentException("progress interval must be positive and behindBlocks >= 1, got "
                    + interval + ", " + behindBlocks);
        }
        this.intervalNanos = interval.toNanos();
        this.behindBlocks = behindBlocks;
        this.nanoClock = nanoClock;
    }

    /**
     * Where the follower is: the height of its last committed block (-1 when it starts at block 0),
     * below -1 before start-up finished.
     */
    public void bind(LongSupplier committedHeight) {
        this.height = committedHeight;
    }

    @Override
    public synchronized void nodeHeight(long nodeHeight) {
        tip = nodeHeight;
        evaluate();
    }

    @Override
    public synchronized void blockCommitted(long h, String hash, int messages, long transformNanos, long totalNanos) {
        blocksSinceLine++;
        messagesSinceLine += messages;
        evaluate();
    }

    @Override
    public synchronized void reorgUndone(long ancestorHeight, long depth) {
        evaluate();
    }

    private void evaluate() {
        long ours = height.getAsLong();
        if (tip < 0 || ours < -1) { // before start-up finished
            return;
        }
        long now = nanoClock.getAsLong();
        long lag = Math.max(0, tip - ours);
        switch (state) {
            case UNKNOWN -> {
                if (lag == 0) {
                    state = State.CAUGHT_UP;
                    log.info("caught up: height {} is the node's tip", ours);
                } else {
                    startCatchUp(now, ours);
                    log.info("catching up: height {}, node tip {}, lag {} blocks; progress every {}", ours, tip, lag,
                            duration(intervalNanos));
                }
            }
            case CATCHING_UP -> {
                if (lag == 0) {
                    state = State.CAUGHT_UP;
                    long took = now - catchUpStartedAt;
                    long blocks = ours - catchUpStartHeight;
                    log.info("caught up: height {} is the node's tip ({} blocks in {}, {} blocks/s)", ours, blocks,
                            duration(took), rate(blocks, took));
                } else if (now - lastLineAt >= intervalNanos) {
                    long elapsed = now - lastLineAt;
                    double blocksPerSecond = blocksSinceLine * 1e9 / elapsed;
                    log.info("progress: height {}, node tip {}, lag {} blocks, {} blocks/s, {} messages/s, ETA {}",
                            ours, tip, lag, rate(blocksSinceLine, elapsed), rate(messagesSinceLine, elapsed),
                            blocksPerSecond > 0 ? duration((long) (lag / blocksPerSecond * 1e9)) : "unknown");
                    lastLineAt = now;
                    blocksSinceLine = 0;
                    messagesSinceLine = 0;
                }
            }
            case CAUGHT_UP -> {
                if (lag > behindBlocks) {
                    startCatchUp(now, ours);
                    log.info("fell behind: height {}, node tip {}, lag {} blocks (more than {}); progress every {}",
                            ours, tip, lag, behindBlocks, duration(intervalNanos));
                }
            }
            default -> throw new IllegalStateException(state.name());
        }
    }

    private void startCatchUp(long now, long ours) {
        state = State.CATCHING_UP;
        catchUpStartedAt = now;
        catchUpStartHeight = ours;
        lastLineAt = now;
        blocksSinceLine = 0;
        messagesSinceLine = 0;
    }

    private static String rate(long count, long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos <= 0 ? 0.0 : count * 1e9 / nanos);
    }

    /** A duration as {@code 42s}, {@code 5m07s} or {@code 2h03m}. */
    static String duration(long nanos) {
        long s = Math.round(nanos / 1e9);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }
}
