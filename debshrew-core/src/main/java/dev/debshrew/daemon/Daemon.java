package dev.debshrew.daemon;

import dev.debshrew.admin.AdminServer;
import dev.debshrew.admin.ModuleReloads;
import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.follow.BlockFollower;
import dev.debshrew.follow.BlockHashCache;
import dev.debshrew.follow.FollowerListener;
import dev.debshrew.follow.FollowerListeners;
import dev.debshrew.follow.FollowerSettings;
import dev.debshrew.follow.ModuleSlot;
import dev.debshrew.follow.PipelineException;
import dev.debshrew.journal.ChainStore;
import dev.debshrew.journal.InMemoryChainStore;
import dev.debshrew.journal.RocksChainStore;
import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.metashrew.VersionLine;
import dev.debshrew.metrics.DebshrewMetrics;
import dev.debshrew.sink.Sink;
import dev.debshrew.sink.SinkFactory;
import dev.debshrew.transform.Transform;
import dev.debshrew.transform.TransformLoadException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One running pipeline: wires the metashrew client, the transform, the chain store and the sink
 * from a {@link DebshrewConfig}, runs the {@link BlockFollower}, and on stop (SIGTERM, Ctrl-C, or
 * {@link #requestStop()}) finishes or cancels the block in progress, then closes the sink and the store.
 */
public final class Daemon implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Daemon.class);

    private final MetashrewClient client;
    private final Transform transform;
    private final ChainStore store;
    private final List<Sink> sinks;
    private final BlockFollower follower;
    private final DebshrewMetrics metrics;
    private final AdminServer admin;
    private final ModuleIdentity moduleIdentity; // null for the in-memory store
    private final ModuleSlot modules;
    private final ModuleReloader reloader;
    private final String pipeline; // the MDC field 'pipeline' of the follower's log lines
    private final boolean ownsClient; // false for one pipeline of several: the daemon's client
    private final AdminServer.Options adminOptions;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** How long after a stop request the sinks' calls in progress are aborted (see {@link #requestStop()}). */
    public static final Duration SINK_ABORT_AFTER = Duration.ofSeconds(5);

    private Daemon(MetashrewClient client, Transform transform, ChainStore store, List<Sink> sinks,
            BlockFollower follower, DebshrewMetrics metrics, AdminServer admin, ModuleIdentity moduleIdentity,
            String pipeline, ModuleSlot modules, ModuleReloader reloader, boolean ownsClient,
            AdminServer.Options adminOptions) {
        this.ownsClient = ownsClient;
        this.adminOptions = adminOptions;
        this.modules = modules;
        this.reloader = reloader;
        this.client = client;
        this.transform = transform;
        this.store = store;
        this.sinks = sinks;
        this.follower = follower;
        this.metrics = metrics;
        this.admin = admin;
        this.moduleIdentity = moduleIdentity;
        this.pipeline = pipeline;
    }

    /** The metashrew client's builder as the config describes it (also used by {@code check-config --connect}). */
    public static MetashrewClient.Builder metashrewClient(DebshrewConfig config) {
        MetashrewClient.Builder cb = MetashrewClient.builder(config.metashrewUrl())
                .readTimeout(config.metashrewTimeout())
                .connectTimeout(config.metashrewConnectTimeout())
                .maxRetries(config.metashrewMaxRetries())
                .backoffInitial(config.metashrewRetryDelay())
                .maxResponseBytes(config.metashrewMaxResponseBytes())
                .versionLine(VersionLine.parse(config.metashrewVersionLine()))
                .headers(config.metashrewHeaders());
        if (config.metashrewUsername() != null) {
            cb.basicAuth(config.metashrewUsername(), config.metashrewPassword());
        }
        return cb;
    }

    /**
     * Builds every component. Fails fast (before touching the node) on a bad module or sink options.
     *
     * @throws TransformLoadException   when the module cannot be loaded
     * @throws IllegalArgumentException for invalid sink options, or an admin address that cannot be bound
     */
    public static Daemon create(DebshrewConfig config) throws TransformLoadException {
        return create(config, false);
    }

    /**
     * Like {@link #create(DebshrewConfig)}; with {@code acceptModuleChange}, {@link #run()} records
     * the configured module as the state store's module even if the store was built by another one
     * ({@code run --accept-module-change}).
     */
    public static Daemon create(DebshrewConfig config, boolean acceptModuleChange) throws TransformLoadException {
        return create(config, acceptModuleChange, false);
    }

    /**
     * Like {@link #create(DebshrewConfig, boolean)}; with {@code strictStartHeight} (the command
     * line's {@code -b}), {@link #run()} refuses to resume an existing output anywhere but at
     * {@code start_height} (docs/operations.md, "Re-indexing from a height").
     */
    public static Daemon create(DebshrewConfig config, boolean acceptModuleChange, boolean strictStartHeight)
            throws TransformLoadException {
        return create(config, acceptModuleChange, strictStartHeight, null);
    }

    /**
     * What the pipelines of one daemon share ({@link MultiDaemon}): the node client, the metrics
     * registry (each pipeline's meters tagged {@code pipeline=<name>}) and the block-hash hints.
     * A pipeline built with them has no admin server of its own and never closes them.
     *
     * @param name       the pipeline's name (its log field {@code pipeline} and metrics tag)
     * @param client     the daemon's node client
     * @param registry   the daemon's metrics registry
     * @param hashes     the daemon's block-hash hints
     * @param jvmMetrics whether this pipeline registers the JVM meters (the first one)
     */
    public record Shared(String name, MetashrewClient client, PrometheusMeterRegistry registry, BlockHashCache hashes,
            boolean jvmMetrics) {
    }

    /** Like {@link #create(DebshrewConfig, boolean, boolean)}, as one pipeline of several when {@code shared} is not null. */
    public static Daemon create(DebshrewConfig config, boolean acceptModuleChange, boolean strictStartHeight,
            Shared shared) throws TransformLoadException {
        Transform transform = Transform.load(config.transformPath(), config.transformLimits());
        List<Sink> sinks = new ArrayList<>();
        try {
            for (DebshrewConfig.SinkSpec spec : config.sinks()) {
                sinks.add(SinkFactory.create(spec.type(), spec.options()));
            }
        } catch (RuntimeException e) {
            transform.close();
            sinks.forEach(Sink::close);
            throw e;
        }
        DebshrewMetrics metrics = shared == null ? new DebshrewMetrics()
                : new DebshrewMetrics(shared.registry(), shared.name(), shared.jvmMetrics());
        MetashrewClient client = shared == null ? metashrewClient(config).listener(metrics).build() : shared.client();
        ChainStore store = null;
        try {
            store = "memory".equals(config.stateStore())
                    ? new InMemoryChainStore(config.cacheSize())
                    : RocksChainStore.open(config.stateDir(), config.cacheSize());
            FollowerSettings settings = FollowerSettings.defaults()
                    .withStartHeight(config.startHeight())
                    .withPollInterval(config.pollInterval())
                    .withSinkRetryMax(config.sinkRetryMax())
                    .withRetryMax(config.retryMaxDelay())
                    .withEngine(config.engine())
                    .withConfirmations(config.confirmations())
                    .withStrictStartHeight(strictStartHeight);
            ProgressReporter progress = new ProgressReporter(config.logOptions().progressInterval(),
                    config.logOptions().behindBlocks(), System::nanoTime);
            List<FollowerListener> listeners = new ArrayList<>(List.of(metrics, progress));
            // hooks found on the class path (tests install crash points this way; production has none)
            ServiceLoader.load(FollowerListener.class).forEach(listeners::add);
            ModuleSlot modules = new ModuleSlot(transform);
            BlockFollower follower = new BlockFollower(client, modules, store, sinks, settings,
                    FollowerListeners.of(listeners));
            metrics.bind(follower);
            if (shared != null) {
                follower.shareBlockHashes(shared.hashes());
            }
            progress.bind(() -> follower.nextHeight() - 1);
            AdminServer admin = null;
            if (config.adminPort() != null && shared == null) {
                try {
                    admin = AdminServer.start(config.adminBind(), config.adminPort(), metrics, follower, client,
                            transform.name(), adminOptions(config, settings));
                } catch (IOException e) {
                    throw new IllegalArgumentException("admin server: cannot listen on " + config.adminBind() + ":"
                            + config.adminPort() + " (admin.bind, admin.port): " + e, e);
                }
            }
            ModuleIdentity identity = store instanceof RocksChainStore rocks
                    ? new ModuleIdentity(rocks, config.transformPath(), transform.sha256(), acceptModuleChange) : null;
            String pipeline = shared != null ? shared.name()
                    : config.logOptions().pipeline() != null ? config.logOptions().pipeline() : transform.name();
            ModuleReloader reloader = new ModuleReloader(modules, config.transformPath(), config.transformLimits(),
                    metrics, identity);
            if (admin != null) {
                admin.enableReload(reloader);
            }
            return new Daemon(client, transform, store, sinks, follower, metrics, admin, identity, pipeline, modules,
                    reloader, shared == null, adminOptions(config, settings));
        } catch (RuntimeException e) {
            // nothing started yet: release what was opened, then report
            sinks.forEach(Sink::close);
            if (store != null) {
                store.close();
            }
            transform.close();
            if (shared == null) {
                client.close();
            }
            metrics.close();
            throw e;
        }
    }

    private static AdminServer.Options adminOptions(DebshrewConfig config, FollowerSettings settings) {
        return new AdminServer.Options(config.adminNodeStaleAfter(), config.adminReadyMaxLag(),
                stallAfter(config, settings), config.adminToken());
    }

    /** This pipeline as the admin server of a daemon with several shows it. */
    AdminServer.Pipeline adminView() {
        return new AdminServer.Pipeline(pipeline, metrics, follower, transform.name(), adminOptions, reloader);
    }

    /** The follower (tests look at its progress). */
    public BlockFollower follower() {
        return follower;
    }

    /**
     * How long the follower may go without a heartbeat before {@code /health} calls it wedged: the
     * longest known wait doubled, at least 120 s, unless {@code admin.stall_after} says otherwise
     * (docs/operations.md, "Metrics and health").
     */
    static Duration stallAfter(DebshrewConfig config, FollowerSettings settings) {
        if (config.adminStallAfter() != null) {
            return config.adminStallAfter();
        }
        Duration oneCall = config.metashrewTimeout().plus(config.metashrewConnectTimeout());
        Duration longest = Collections.max(List.of(settings.retryMax(), settings.pollInterval(), oneCall));
        return Collections.max(List.of(Duration.ofSeconds(120), longest.multipliedBy(2)));
    }

    /**
     * Hot reload ({@code debshrew reload}, SIGHUP, {@code POST /admin/reload}): loads the module at
     * {@code module} (null: the configured {@code transform.path}, read again) and swaps it in at
     * the next block boundary; a module that cannot be loaded leaves the running one in place (the
     * report says why). Safe from any thread.
     */
    public ModuleReloads.Report reload(Path module) {
        try (MDC.MDCCloseable ignored = MDC.putCloseable("pipeline", pipeline)) {
            return reloader.reload(module == null ? null : module.toString());
        }
    }

    /** The metrics fed by the follower and the client. */
    public DebshrewMetrics metrics() {
        return metrics;
    }

    /** The admin server's bound address, when {@code admin.port} is set. */
    public Optional<InetSocketAddress> adminAddress() {
        return Optional.ofNullable(admin).map(AdminServer::address);
    }

    /**
     * Runs until stopped or a fatal error; closes everything before returning. First checks that
     * the durable state store belongs to the configured module ({@link ModuleChangedException}).
     */
    public void run() throws PipelineException {
        metrics.followerStarted();
        Throwable failure = null;
        try (MDC.MDCCloseable ignored = MDC.putCloseable("pipeline", pipeline)) {
            log.info("debshrew following {} with transform '{}' into {} (window {} blocks)", client, transform.name(),
                    sinks.stream().map(Sink::name).toList(), store.windowSize());
            if (moduleIdentity != null) {
                moduleIdentity.verify();
            }
            follower.run();
        } catch (PipelineException | RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            metrics.followerStopped(failure);
            close();
            finished.countDown();
        }
    }

    /**
     * Undoes the blocks above {@code toHeight} from the journal (inverse messages to the sinks,
     * state reverted), then closes everything. The node is not contacted.
     */
    public void rewind(long toHeight) throws PipelineException {
        try {
            follower.rewind(toHeight);
        } finally {
            close();
        }
    }

    /** Asks the daemon to stop ({@link #requestStop()}) and waits up to {@code timeoutMillis} for {@link #run()} to end. */
    public boolean stop(long timeoutMillis) throws InterruptedException {
        requestStop();
        return finished.await(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * Asks the daemon to stop, in a bounded time even while a call hangs; returns at once. The
     * follower stops after the block in progress; node calls in flight are cancelled now (the block
     * they belong to is not committed and is redone at the next start); if {@link #run()} has not
     * ended {@link #SINK_ABORT_AFTER} later, the sinks' calls in progress are aborted (a sink that
     * did not commit the block receives it from the journal at the next start). Safe from any
     * thread; idempotent.
     */
    public void requestStop() {
        follower.stop();
        if (ownsClient) { // the daemon's shared client is cancelled by the daemon (MultiDaemon#requestStop)
            client.cancelInFlight();
        }
        if (stopRequested.compareAndSet(false, true)) {
            Thread t = new Thread(this::abortSinksIfStillRunning, "debshrew-sink-abort");
            t.setDaemon(true);
            t.start();
        }
    }

    private void abortSinksIfStillRunning() {
        try {
            if (finished.await(SINK_ABORT_AFTER.toMillis(), TimeUnit.MILLISECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.warn("the block in progress did not finish within {} s of the stop request: aborting the sinks' calls"
                + " in progress; a sink that did not commit it receives it from the journal at the next start",
                SINK_ABORT_AFTER.toSeconds());
        for (Sink s : sinks) {
            try {
                s.abort();
            } catch (RuntimeException e) {
                log.warn("aborting sink {} failed: {}", s.name(), e.toString());
            }
        }
    }

    /** Closes everything this pipeline opened (not a shared client). Idempotent: {@link #run()} closes too. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (admin != null) {
            admin.close();
        }
        sinks.forEach(Sink::close);
        store.close();
        modules.close();
        if (ownsClient) {
            client.close();
        }
        metrics.close();
    }
}
