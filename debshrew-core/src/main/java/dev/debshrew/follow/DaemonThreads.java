package dev.debshrew.follow;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** Fixed pools of daemon threads named {@code <prefix>-<n>}, for the engine's stages. */
final class DaemonThreads {

    private DaemonThreads() {
    }

    /** A fixed pool of {@code threads} daemon threads named {@code prefix-1}, {@code prefix-2}, ... */
    static ExecutorService pool(String prefix, int threads) {
        AtomicInteger n = new AtomicInteger();
        return Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }
}
