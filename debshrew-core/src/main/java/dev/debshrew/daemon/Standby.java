package dev.debshrew.daemon;

import dev.debshrew.admin.StandbyAdmin;
import dev.debshrew.config.DebshrewConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up step that takes the pipeline lock ({@link DataDirLock}) before the state store and
 * the sinks are opened (docs/operations.md, "Standby pair"). Free: taken at once. Held by another
 * process: with {@code standby.enabled} the daemon waits as its standby (serving the standby's admin
 * endpoints, {@link StandbyAdmin}) and tries again every {@code standby.poll_ms} until it gets the
 * lock or is asked to stop; without it, {@link LockHeldException}.
 */
public final class Standby {

    private static final Logger log = LoggerFactory.getLogger(Standby.class);

    /** Waits up to the given time for a stop request; true when one came. */
    @FunctionalInterface
    public interface StopWait {
        boolean stopRequestedWithin(Duration d) throws InterruptedException;
    }

    /** Another process holds the lock and {@code standby.enabled} is false. */
    public static final class LockHeldException extends Exception {
        private static final long serialVersionUID = 1L;

        LockHeldException(String message) {
            super(message);
        }
    }

    private Standby() {
    }

    /**
     * The pipeline lock of {@code config.dataDir()}; empty when a stop was requested while waiting
     * as a standby.
     *
     * @throws LockHeldException when another process holds it and standby is disabled
     * @throws IOException       when the lock file cannot be created or locked
     * @throws IllegalArgumentException when the standby's admin address cannot be bound
     */
    public static Optional<DataDirLock> acquire(DebshrewConfig config, StopWait stop)
            throws LockHeldException, IOException, InterruptedException {
        Path dataDir = config.dataDir();
        Optional<DataDirLock> lock = DataDirLock.tryAcquire(dataDir);
        if (lock.isPresent()) {
            return lock;
        }
        Path file = DataDirLock.file(dataDir);
        if (!config.standbyEnabled()) {
            throw new LockHeldException("data_dir " + dataDir + " is in use: another debshrew (pid "
                    + DataDirLock.holderPid(dataDir) + ") holds its lock file " + file + ". Stop that one, point"
                    + " data_dir elsewhere, or set standby.enabled=true to wait as its standby");
        }
        log.info("standby: another debshrew (pid {}) holds the pipeline lock {}; waiting to take over (every {} ms)",
                DataDirLock.holderPid(dataDir), file, config.standbyPoll().toMillis());
        StandbyAdmin admin = null;
        if (config.adminPort() != null) {
            try {
                admin = StandbyAdmin.start(config.adminBind(), config.adminPort(), config.adminToken(), file,
                        () -> DataDirLock.holderPid(dataDir));
            } catch (IOException e) {
                throw new IllegalArgumentException("admin server: cannot listen on " + config.adminBind() + ":"
                        + config.adminPort() + " (admin.bind, admin.port; the two daemons of a standby pair on one"
                        + " host need different ports): " + e, e);
            }
        }
        try {
            while (lock.isEmpty()) {
                if (stop.stopRequestedWithin(config.standbyPoll())) {
                    log.info("standby: stopped while waiting for the pipeline lock");
                    return Optional.empty();
                }
                lock = DataDirLock.tryAcquire(dataDir);
            }
        } finally {
            if (admin != null) {
                admin.close();
            }
        }
        log.info("standby: took the pipeline lock {}; taking over from the committed cursor", file);
        return lock;
    }
}
