package dev.debshrew.follow;

import dev.debshrew.transform.Transform;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transform module a follower runs, and the module waiting to replace it (hot reload).
 *
 * <p>{@link #offer} (any thread) queues an already loaded and validated module; the follower swaps
 * it in at the next block boundary ({@link #swapAt}, on the follower's thread), once every block
 * run with the old module was committed and nothing runs: no block of the old module is committed
 * after a block of the new one. A batch in progress stops at its next block when a module is
 * queued ({@link #swapPending()}); the blocks it had run ahead speculatively are dropped and run
 * again with the new module. The old module is closed after the swap.
 *
 * <p>The slot owns its modules: {@link #close()} closes the current one and any queued one.
 */
public final class ModuleSlot implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ModuleSlot.class);

    /** Told of a swap, on the follower's thread, before the first block of the new module runs. */
    @FunctionalInterface
    public interface SwapListener {
        /**
         * @param previous   the module that ran the blocks below {@code fromHeight} (closed after this call)
         * @param next       the module that runs {@code fromHeight} onwards
         * @param fromHeight the first block the new module runs
         */
        void swapped(Transform previous, Transform next, long fromHeight);
    }

    private record Request(Transform module, CompletableFuture<Long> applied) {
    }

    private volatile Transform current;
    private final AtomicReference<Request> queued = new AtomicReference<>();
    private volatile SwapListener listener = (previous, next, fromHeight) -> { };
    private volatile boolean closed;

    /** A slot running {@code initial}. */
    public ModuleSlot(Transform initial) {
        this.current = Objects.requireNonNull(initial, "initial");
    }

    /** The module blocks run with now. */
    public Transform current() {
        return current;
    }

    /** Sets who is told of swaps (one listener). */
    public void onSwap(SwapListener l) {
        this.listener = Objects.requireNonNull(l, "listener");
    }

    /**
     * Queues {@code next} to replace the current module at the next block boundary. A module queued
     * earlier and not swapped in yet is dropped (closed; its future fails). The returned future
     * completes with the first height {@code next} runs, or fails if the slot closes first.
     */
    public CompletableFuture<Long> offer(Transform next) {
        Objects.requireNonNull(next, "next");
        CompletableFuture<Long> applied = new CompletableFuture<>();
        if (closed) {
            next.close();
            applied.completeExceptionally(new IllegalStateException("the follower has stopped"));
            return applied;
        }
        Request earlier = queued.getAndSet(new Request(next, applied));
        if (earlier != null) {
            earlier.applied().completeExceptionally(new IllegalStateException("superseded by a later reload of "
                    + next.name() + " (sha256 " + next.sha256() + ")"));
            earlier.module().close();
        }
        return applied;
    }

    /** Whether a module waits to be swapped in: a batch in progress stops at its next block. */
    boolean swapPending() {
        return queued.get() != null;
    }

    /**
     * Swaps the queued module in (if any) so that it runs {@code fromHeight} onwards. Call on the
     * follower's thread at a block boundary: every block below {@code fromHeight} committed,
     * nothing running.
     */
    void swapAt(long fromHeight) {
        Request r = queued.getAndSet(null);
        if (r == null) {
            return;
        }
        Transform previous = current;
        current = r.module();
        log.info("transform module swapped: blocks from {} on run {} (sha256 {}); {} (sha256 {}) ran the blocks below",
                fromHeight, r.module().name(), r.module().sha256(), previous.name(), previous.sha256());
        try {
            listener.swapped(previous, r.module(), fromHeight);
        } finally {
            previous.close();
            r.applied().complete(fromHeight);
        }
    }

    /** Closes the current module and any queued one (its future fails). Idempotent. */
    @Override
    public void close() {
        closed = true;
        Request r = queued.getAndSet(null);
        if (r != null) {
            r.applied().completeExceptionally(new IllegalStateException("the follower stopped before the swap"));
            r.module().close();
        }
        current.close();
    }
}
