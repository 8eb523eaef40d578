package dev.debshrew.devnet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated node's state: the canonical chain (what bitcoind would follow) and the indexed chain
 * (what metashrew has indexed, with versioned per-height state), reorg phases and stale hashes.
 * Thread-safe; all state is guarded by {@code lock}.
 */
final class DevnetNode {

    private static final Logger LOG = LoggerFactory.getLogger(DevnetNode.class);

    private final DevnetChain chain;
    private final Object lock = new Object();
    /** indexed.get(h) is the block indexed at height h; its size - 1 is the indexed tip. */
    private final List<DevnetBlock> indexed = new ArrayList<>();
    /** Old-branch blocks above the tip whose hashes getblockhash still returns (phase 3). */
    private final TreeMap<Long, DevnetBlock> stale = new TreeMap<>();
    private int branch;
    private long canonicalTip;
    private ReorgPhase phase = ReorgPhase.DONE;
    private boolean blockMetadata;
    private CompletableFuture<Void> reorgDone = CompletableFuture.completedFuture(null);
    private Thread reorgThread;
    private boolean closed;

    DevnetNode(DevnetChain chain, long initialHeight) {
        if (initialHeight < 0) {
            throw new IllegalArgumentException("initial height must be >= 0, got " + initialHeight);
        }
        this.chain = chain;
        this.canonicalTip = initialHeight;
        indexUpToCanonical();
    }

    DevnetChain chain() {
        return chain;
    }

    private void indexUpToCanonical() {
        while (indexed.size() - 1 < canonicalTip) {
            long h = indexed.size();
            indexed.add(chain.block(branch, h));
            stale.remove(h);
        }
    }

    long tip() {
        synchronized (lock) {
            return indexed.size() - 1;
        }
    }

    long canonicalTip() {
        synchronized (lock) {
            return canonicalTip;
        }
    }

    int branch() {
        synchronized (lock) {
            return branch;
        }
    }

    ReorgPhase phase() {
        synchronized (lock) {
            return phase;
        }
    }

    /** The indexed block at {@code height}, or null above the tip. */
    DevnetBlock indexedBlock(long height) {
        synchronized (lock) {
            return height >= 0 && height < indexed.size() ? indexed.get((int) height) : null;
        }
    }

    /** What getblockhash returns: the indexed hash, a stale hash above the tip, or null. */
    DevnetBlock blockForHash(long height) {
        synchronized (lock) {
            if (height >= 0 && height < indexed.size()) {
                return indexed.get((int) height);
            }
            return stale.get(height);
        }
    }

    /** Indexed blocks 0..min(height, tip) (the state a view at {@code height} sees). */
    List<DevnetBlock> indexedUpTo(long height) {
        synchronized (lock) {
            int end = (int) Math.min(height, indexed.size() - 1L) + 1;
            return new ArrayList<>(indexed.subList(0, end));
        }
    }

    /** Blocks while a rollback blocks metadata calls, at most {@code max}. */
    void awaitMetadata(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        synchronized (lock) {
            while (blockMetadata && !closed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    long mine(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("mine: n must be >= 1, got " + n);
        }
        synchronized (lock) {
            canonicalTip += n;
            if (phase == ReorgPhase.DONE) {
                indexUpToCanonical();
            }
            return canonicalTip;
        }
    }

    CompletableFuture<Void> reorg(int depth, int newBlocks, ReorgStyle style, ReorgTiming timing) {
        if (style == null || timing == null) {
            throw new IllegalArgumentException("reorg style and timing are required");
        }
        if (newBlocks < 1) {
            throw new IllegalArgumentException("reorg: new_blocks must be >= 1, got " + newBlocks);
        }
        synchronized (lock) {
            if (phase != ReorgPhase.DONE) {
                throw new IllegalStateException("a phased reorg is in progress (phase " + phase + ")");
            }
            long tip = indexed.size() - 1;
            if (depth < 1 || depth > tip) {
                throw new IllegalArgumentException("reorg: depth must be within 1.." + tip + " (tip " + tip + "), got " + depth);
            }
            long ancestor = tip - depth;
            return switchBranch(chain.fork(branch, ancestor + 1), ancestor, ancestor + newBlocks, style, timing);
        }
    }

    /**
     * Switches back to the earlier {@code target} branch (A->B->A), which becomes canonical one block
     * above the current tip; the common ancestor is the highest block both branches share.
     */
    CompletableFuture<Void> reorgTo(int target, ReorgStyle style, ReorgTiming timing) {
        if (style == null || timing == null) {
            throw new IllegalArgumentException("reorg style and timing are required");
        }
        synchronized (lock) {
            if (phase != ReorgPhase.DONE) {
                throw new IllegalStateException("a phased reorg is in progress (phase " + phase + ")");
            }
            if (target == branch || target < 0 || target >= chain.branchCount()) {
                throw new IllegalArgumentException("reorg to: branch must be another of 0.." + (chain.branchCount() - 1)
                        + " than the current " + branch + ", got " + target);
            }
            long tip = indexed.size() - 1;
            long ancestor = tip;
            while (!indexed.get((int) ancestor).hash().equals(chain.block(target, ancestor).hash())) {
                ancestor--;
            }
            return switchBranch(target, ancestor, tip + 1, style, timing);
        }
    }

    /** Makes {@code target} canonical up to {@code newTip} above {@code ancestor}; call holding the lock. */
    private CompletableFuture<Void> switchBranch(int target, long ancestor, long newTip, ReorgStyle style,
            ReorgTiming timing) {
        long tip = indexed.size() - 1;
        branch = target;
        canonicalTip = newTip;
        LOG.info("devnet reorg {}: depth {} at tip {}, ancestor {}, branch {} to height {}", style, tip - ancestor, tip,
                ancestor, branch, canonicalTip);
        if (style == ReorgStyle.INSTANT) {
            while (indexed.size() - 1 > ancestor) {
                indexed.remove(indexed.size() - 1);
            }
            indexUpToCanonical();
            return CompletableFuture.completedFuture(null);
        }
        phase = ReorgPhase.SERVING_OLD;
        CompletableFuture<Void> done = new CompletableFuture<>();
        reorgDone = done;
        Thread t = new Thread(() -> runPhased(ancestor, timing, done), "devnet-reorg");
        t.setDaemon(true);
        reorgThread = t;
        t.start();
        return done;
    }

    private void runPhased(long ancestor, ReorgTiming timing, CompletableFuture<Void> done) {
        try {
            sleep(timing.noticeDelay());
            synchronized (lock) {
                phase = ReorgPhase.ROLLING_BACK;
                blockMetadata = !timing.rollbackBlock().isZero();
            }
            sleep(timing.rollbackBlock());
            synchronized (lock) {
                while (indexed.size() - 1 > ancestor) {
                    DevnetBlock old = indexed.remove(indexed.size() - 1);
                    stale.put(old.height(), old);
                }
                blockMetadata = false;
                phase = ReorgPhase.REINDEXING;
                lock.notifyAll();
            }
            while (true) {
                synchronized (lock) {
                    if (indexed.size() - 1 >= canonicalTip) {
                        phase = ReorgPhase.DONE;
                        stale.clear();
                        lock.notifyAll();
                        break;
                    }
                }
                sleep(timing.reindexInterval());
                synchronized (lock) {
                    long h = indexed.size();
                    if (h <= canonicalTip) {
                        indexed.add(chain.block(branch, h));
                        stale.remove(h);
                    }
                }
            }
            done.complete(null);
        } catch (InterruptedException e) {
            synchronized (lock) {
                blockMetadata = false;
                lock.notifyAll();
            }
            done.completeExceptionally(e);
        } catch (RuntimeException e) {
            LOG.error("devnet phased reorg failed", e);
            done.completeExceptionally(e);
        }
    }

    CompletableFuture<Void> reorgDone() {
        synchronized (lock) {
            return reorgDone;
        }
    }

    private static void sleep(Duration d) throws InterruptedException {
        if (!d.isZero()) {
            Thread.sleep(d.toMillis());
        }
    }

    void close() {
        Thread t;
        synchronized (lock) {
            closed = true;
            t = reorgThread;
            lock.notifyAll();
        }
        if (t != null) {
            t.interrupt();
        }
    }
}
