package dev.debshrew.daemon;

import dev.debshrew.admin.ModuleReloads;
import dev.debshrew.follow.ModuleSlot;
import dev.debshrew.metrics.DebshrewMetrics;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLimits;
import dev.debshrew.transform.TransformLoadException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hot reload of the transform module ({@code debshrew reload}, SIGHUP, {@code POST /admin/reload}):
 * loads the new module as at start-up (ABI version, exports, limits, compilation), then queues it
 * in the follower's {@link ModuleSlot}, which swaps it in at the next block boundary. A module
 * that cannot be loaded changes nothing: the old one runs on, and the error (naming the file and
 * the cause) is logged, returned and kept for {@code /status}. On the swap, the state store
 * records the new module as its own ({@link ModuleIdentity#reloaded}).
 *
 * <p>Reloads are serialised; each waits up to {@link #SWAP_WAIT} for the swap to report the
 * height the new module starts at (the follower may be waiting for the node or a sink: the
 * report then says it applies at the next block boundary, and {@link #last()} gets the height
 * once known).
 */
final class ModuleReloader implements ModuleReloads {

    private static final Logger log = LoggerFactory.getLogger(ModuleReloader.class);

    /** How long a reload waits for the follower to swap the module in before answering. */
    static final Duration SWAP_WAIT = Duration.ofSeconds(20);

    private final ModuleSlot slot;
    private final Path configured;
    private final TransformLimits limits;
    private final DebshrewMetrics metrics;
    private volatile Report last;
    /** The file of the module queued last (what the swap records). */
    private volatile Path queuedFile;

    /** @param identity the durable store's module record, updated on each swap; null for the in-memory store */
    ModuleReloader(ModuleSlot slot, Path configured, TransformLimits limits, DebshrewMetrics metrics,
            ModuleIdentity identity) {
        this.slot = slot;
        this.configured = configured;
        this.limits = limits;
        this.metrics = metrics;
        if (identity != null) {
            slot.onSwap((previous, next, fromHeight) -> identity.reloaded(queuedFile, next.sha256(), fromHeight));
        }
    }

    @Override
    public synchronized Report reload(String path) {
        Path file = path == null ? configured : Path.of(path);
        Instant at = Instant.now();
        Transform next;
        try {
            next = Transform.load(file, limits);
        } catch (TransformLoadException | RuntimeException e) {
            String error = "cannot load transform module " + file + ": " + e.getMessage();
            log.error("hot reload refused, the running module {} (sha256 {}) stays: {}", slot.current().name(),
                    slot.current().sha256(), error);
            return done(new Report(at, "failed", file.toString(), null, null, error));
        }
        if (next.sha256().equals(slot.current().sha256())) {
            next.close();
            log.info("hot reload: {} (sha256 {}) is the module already running; nothing to swap", file, next.sha256());
            return done(new Report(at, "unchanged", file.toString(), next.sha256(), null, null));
        }
        String sha = next.sha256();
        log.info("hot reload: {} (sha256 {}, ABI {}) loaded and compiled; swapping it in at the next block boundary",
                file, sha, next.abi());
        queuedFile = file;
        CompletableFuture<Long> applied = slot.offer(next);
        Report queued = new Report(at, "applied", file.toString(), sha, null, null);
        last = queued;
        applied.thenAccept(h -> {
            if (last == queued) {
                last = queued.appliedFrom(h);
            }
        });
        try {
            return done(queued.appliedFrom(applied.get(SWAP_WAIT.toMillis(), TimeUnit.MILLISECONDS)));
        } catch (TimeoutException e) {
            log.info("hot reload: {} is queued; the follower swaps it in at its next block boundary", file);
            metrics.moduleReload(queued.outcome()); // 'last' is the queued report, given its height on the swap
            return queued;
        } catch (ExecutionException e) {
            String error = "transform module " + file + " was not swapped in: " + e.getCause().getMessage();
            log.warn("hot reload: {}", error);
            return done(new Report(at, "failed", file.toString(), sha, null, error));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            metrics.moduleReload(queued.outcome());
            return queued;
        }
    }

    private Report done(Report r) {
        metrics.moduleReload(r.outcome());
        last = r;
        return r;
    }

    @Override
    public String running() {
        return slot.current().name();
    }

    @Override
    public Optional<Report> last() {
        return Optional.ofNullable(last);
    }
}
