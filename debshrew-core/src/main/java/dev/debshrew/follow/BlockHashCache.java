package dev.debshrew.follow;

import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.metashrew.MetashrewException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;

/**
 * The block-hash cache the pipelines of one daemon share (one node client, several followers at
 * the same heights): height to hash, bounded to the {@code capacity} highest heights read.
 *
 * <p><b>Why it cannot serve a wrong hash across a reorg.</b> Only the <em>first</em> read of a
 * batch (the prefetch: the hashes a batch runs with) may come from here; such a hash is a hint,
 * exactly like a prefetched hash that a reorg made stale before the batch ran. The chain check
 * ({@link ChainCheck}) always reads the node again after the batch's views ran ({@link
 * HashFetcher#hashes}, never cached) and accepts a block only when that fresh read, and the fresh
 * read of its parent, equal the hint; a stale hint costs one re-run of the block, never a wrong
 * commit. Fresh reads are written back ({@link #fresh}): a fresh hash that differs from the cached
 * one is a reorg seen by some pipeline, and every entry at or above that height is dropped; a
 * follower that undoes a reorg drops them too ({@link #invalidateFrom}). So a hint is at most as
 * old as the last fresh read of its height, and the followers share only the first read of each
 * block (a second pipeline at the same heights saves one {@code metashrew_getblockhash} per block).
 *
 * <p>Concurrent reads of one missing height by several pipelines share one node call. Safe from
 * any thread.
 */
public final class BlockHashCache {

    private final int capacity;
    private final ConcurrentSkipListMap<Long, CompletableFuture<String>> hashes = new ConcurrentSkipListMap<>();

    /** A cache of at most {@code capacity} heights (the lowest are evicted first). */
    public BlockHashCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * A hint for the hash at {@code height}: the cached one, or read from {@code node} (one call
     * however many pipelines ask at once) and cached.
     */
    String hint(MetashrewClient node, long height) throws MetashrewException {
        CompletableFuture<String> mine = new CompletableFuture<>();
        CompletableFuture<String> f = hashes.putIfAbsent(height, mine);
        if (f == null) {
            try {
                mine.complete(node.blockHash(height));
            } catch (MetashrewException | RuntimeException e) {
                hashes.remove(height, mine);
                mine.completeExceptionally(e);
                throw e;
            }
            evict();
            return mine.join();
        }
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MetashrewException(MetashrewException.Kind.TRANSPORT, "interrupted while reading block hash "
                    + height, true, e);
        } catch (ExecutionException e) {
            return node.blockHash(height); // the shared call failed: this pipeline's own call decides
        }
    }

    /**
     * Records a hash just read from the node (after the views ran): a different cached hash at
     * {@code height} means the chain changed there, so it and every cached height above are dropped.
     */
    void fresh(long height, String hash) {
        CompletableFuture<String> old = hashes.get(height);
        if (old != null && old.isDone() && !old.isCompletedExceptionally() && !old.join().equals(hash)) {
            invalidateFrom(height);
        }
        hashes.putIfAbsent(height, CompletableFuture.completedFuture(hash));
        evict();
    }

    /** Drops every entry at or above {@code height} (a follower undid a reorg down to below it). */
    public void invalidateFrom(long height) {
        hashes.tailMap(height, true).clear();
    }

    /** Number of heights cached (tests). */
    public int size() {
        return hashes.size();
    }

    private void evict() {
        while (hashes.size() > capacity) {
            Map.Entry<Long, CompletableFuture<String>> lowest = hashes.pollFirstEntry();
            if (lowest == null) {
                return;
            }
        }
    }
}
