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
 * by the prefetch stage (the hashes of the next batch, while the current one runs) and by the
 * confirmation after a batch's views.
 */
final class HashFetcher implements AutoCloseable {

    private final MetashrewClient node;
    private final ExecutorService pool;

    HashFetcher(MetashrewClient node, int concurrency) {
        this.node = node;
        this.pool = concurrency == 1 ? null : DaemonThreads.pool("debshrew-fetch", concurrency);
    }

    /** The hashes at heights {@code from..to} (inclusive), index 0 = {@code from}. */
    List<String> hashes(long from, long to) throws MetashrewException {
        return await(start(from, to));
    }

    /** Starts reading the hashes at {@code from..to} in the background (the prefetch of the next batch). */
    Future<List<String>> start(long from, long to) {
        if (pool == null) {
            CompletableFuture<List<String>> f = new CompletableFuture<>();
            try {
                List<String> out = new ArrayList<>();
                for (long h = from; h <= to; h++) {
                    out.add(node.blockHash(h));
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
                    return node.blockHash(height);
                } catch (MetashrewException e) {
                    throw new CompletionException(e);
                }
            }, pool));
        }
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
                .thenApply(v -> calls.stream().map(CompletableFuture::join).toList());
    }

    /** The result of {@link #start}: a node failure is rethrown as it was raised. */
    static List<String> await(Future<List<String>> f) throws MetashrewException {
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
