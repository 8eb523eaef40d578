package dev.debshrew.follow;

import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.metashrew.MetashrewException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Reads block hashes of a height range with several calls in flight at once (the client keeps its
 * connections alive), so a range costs about one round trip to the node however long it is. Used
 * by the prefetch stage (the hashes of the next batch, while the current one runs: {@link #prefetch},
 * then {@link #batch}) and by the confirmation after a batch's views. Used by one thread, the
 * follower's. With a {@link BlockHashCache} shared by the daemon's pipelines ({@link #share}),
 * {@link #prefetch} and {@link #batch} take hints from it, while {@link #hashes} (the chain
 * check's reads) always asks the node and writes what it read back to the cache.
 */
final class HashFetcher implements AutoCloseable {

    private final MetashrewClient node;
    private final ExecutorService pool;

    /** The hashes of the next batch being read in the background (null: none). */
    private Future<List<String>> prefetched;
    private long prefetchedFrom = -1;
    /** The daemon's shared hash hints (null: none, a single-pipeline daemon). */
    private volatile BlockHashCache shared;

    HashFetcher(MetashrewClient node, int concurrency) {
        this.node = node;
        this.pool = concurrency == 1 ? null : DaemonThreads.pool("debshrew-fetch", concurrency);
    }

    /** Takes the hints of {@link #prefetch} and {@link #batch} from {@code cache} (before the follower runs). */
    void share(BlockHashCache cache) {
        this.shared = cache;
    }

    /** The hashes at heights {@code from..to} (inclusive), index 0 = {@code from}, read from the node now. */
    List<String> hashes(long from, long to) throws MetashrewException {
        List<String> read = await(start(from, to, false));
        BlockHashCache cache = shared;
        if (cache != null) {
            for (int i = 0; i < read.size(); i++) {
                cache.fresh(from + i, read.get(i));
            }
        }
        return read;
    }

    /** Starts reading the hashes at {@code from..to} in the background, for {@link #batch} to pick up. */
    void prefetch(long from, long to) {
        cancelPrefetch();
        prefetchedFrom = from;
        prefetched = start(from, to, true);
    }

    /**
     * The hashes of a batch starting at {@code from}: what {@link #prefetch} read when it started at
     * {@code from} (at most {@code to - from + 1}, at least one), else read now.
     */
    List<String> batch(long from, long to) throws MetashrewException {
        Future<List<String>> f = prefetched;
        prefetched = null;
        if (f != null && prefetchedFrom == from) {
            List<String> got = await(f);
            if (got.size() >= to - from + 1) {
                return got.subList(0, (int) (to - from + 1));
            }
            if (!got.isEmpty()) {
                return got;
            }
        } else if (f != null) {
            f.cancel(false);
        }
        return await(start(from, to, true));
    }

    /** Forgets the prefetched batch (the chain or our position changed). */
    void cancelPrefetch() {
        if (prefetched != null) {
            prefetched.cancel(false);
            prefetched = null;
        }
    }

    /** Reads {@code from..to}; with {@code hint}, through the shared cache when there is one. */
    private Future<List<String>> start(long from, long to, boolean hint) {
        BlockHashCache cache = hint ? shared : null;
        if (pool == null) {
            CompletableFuture<List<String>> f = new CompletableFuture<>();
            try {
                List<String> out = new ArrayList<>();
                for (long h = from; h <= to; h++) {
                    out.add(read(cache, h));
                }
                f.complete(out);
            } catch (MetashrewException | RuntimeException e) {
                f.completeExceptionally(e);
            }
            return f;
        }
        List<CompletableFuture<String>> calls = new ArrayList<>();
        for (long h = from; h <= to; h++) {
            long height = h;
            calls.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return read(cache, height);
                } catch (MetashrewException e) {
                    throw new CompletionException(e);
                }
            }, pool));
        }
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
                .thenApply(v -> calls.stream().map(CompletableFuture::join).toList());
    }

    private String read(BlockHashCache cache, long height) throws MetashrewException {
        return cache == null ? node.blockHash(height) : cache.hint(node, height);
    }

    /** The result of {@link #start}: a node failure is rethrown as it was raised. */
    private static List<String> await(Future<List<String>> f) throws MetashrewException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MetashrewException(MetashrewException.Kind.TRANSPORT, "interrupted while reading block hashes",
                    true, e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause() instanceof CompletionException ce && ce.getCause() != null ? ce.getCause()
                    : e.getCause();
            if (c instanceof MetashrewException me) {
                throw me;
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("reading block hashes failed: " + c, c);
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
