package dev.debshrew.cli;

import dev.debshrew.config.PipelinesConfig;
import dev.debshrew.daemon.DataDirLock;
import dev.debshrew.daemon.MultiDaemon;
import dev.debshrew.daemon.Standby;
import dev.debshrew.journal.StateStoreException;
import dev.debshrew.transform.TransformLoadException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code debshrew run} with a config listing {@code pipelines}: takes every pipeline's data-dir
 * lock (as a standby with {@code standby.enabled}), builds the {@link MultiDaemon}, runs it until
 * every pipeline has ended or a stop; SIGHUP reloads every pipeline's module.
 *
 * <p>Exit status: 0 when every pipeline stopped cleanly on request; otherwise the most severe of
 * the pipelines' statuses (3 needs an operator &gt; 2 configuration &gt; 1 transient), see
 * docs/operations.md, "Exit status".
 */
final class MultiRun {

    private static final Logger log = LoggerFactory.getLogger(MultiRun.class);

    private final List<PipelinesConfig.Pipeline> pipelines;
    private final boolean acceptModuleChange;

    MultiRun(List<PipelinesConfig.Pipeline> pipelines, boolean acceptModuleChange) {
        this.pipelines = pipelines;
        this.acceptModuleChange = acceptModuleChange;
    }

    int run(StopRequest stop) {
        List<DataDirLock> locks = new ArrayList<>();
        try {
            for (PipelinesConfig.Pipeline p : pipelines) {
                if ("memory".equals(p.config().stateStore())) {
                    continue;
                }
                Optional<DataDirLock> lock;
                try {
                    lock = Standby.acquire(p.config(), stop::requestedWithin);
                } catch (Standby.LockHeldException e) {
                    System.err.println("debshrew: pipeline " + p.name() + ": " + e.getMessage());
                    return ExitStatus.CONFIGURATION;
                } catch (IllegalArgumentException e) {
                    System.err.println("debshrew: invalid configuration: pipeline " + p.name() + ": " + e.getMessage());
                    return ExitStatus.CONFIGURATION;
                } catch (IOException e) {
                    System.err.println("debshrew: pipeline " + p.name() + ": cannot take the pipeline lock in data_dir "
                            + p.config().dataDir() + ": " + e);
                    return ExitStatus.TRANSIENT;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return ExitStatus.CLEAN;
                }
                if (lock.isEmpty()) {
                    return ExitStatus.CLEAN; // stopped while standby
                }
                locks.add(lock.get());
            }
            return runLocked(stop);
        } finally {
            locks.forEach(DataDirLock::close);
        }
    }

    private int runLocked(StopRequest stop) {
        if (stop.requested()) {
            log.info("stopped before start-up");
            return ExitStatus.CLEAN;
        }
        MultiDaemon daemon;
        try {
            daemon = MultiDaemon.create(pipelines, acceptModuleChange);
        } catch (TransformLoadException | StateStoreException | IllegalArgumentException e) {
            return RunCommand.startFailure(e);
        }
        if (!stop.attach(daemon::requestStop)) {
            daemon.close();
            log.info("stopped during start-up");
            return ExitStatus.CLEAN;
        }
        log.info("debshrew running {} pipelines: {}", pipelines.size(), daemon.pipelines().keySet());
        try (Signals hup = Signals.onHangup(() -> daemon.reload(null))) {
            int status = ExitStatus.CLEAN;
            for (MultiDaemon.Outcome o : daemon.run()) {
                if (o.failure() != null) {
                    status = Math.max(status, ExitStatus.of(o.failure()));
                }
            }
            return status;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitStatus.TRANSIENT;
        }
    }
}
