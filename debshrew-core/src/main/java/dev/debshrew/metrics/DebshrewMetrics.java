package dev.debshrew.metrics;

import dev.debshrew.follow.BlockFollower;
import dev.debshrew.follow.FollowerListener;
import dev.debshrew.metashrew.MetashrewClientListener;
import dev.debshrew.metashrew.MetashrewException;
import dev.debshrew.transform.TransformException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The daemon's metrics: one Prometheus registry fed by the follower ({@link FollowerListener}) and
 * by the metashrew client ({@link MetashrewClientListener}), plus the runtime facts the admin
 * server's {@code /health} and {@code /status} read (follower state, last successful node call).
 *
 * <p>Every metric is listed in {@code docs/operations.md} ("Metrics and health"). Callbacks are
 * cheap (a map look-up and an atomic add) and never throw. One instance per pipeline; thread-safe.
 */
public final class DebshrewMetrics implements FollowerListener, MetashrewClientListener, AutoCloseable {

    /**
     * Histogram buckets of every timer: explicit, so one timer is 15 series rather than the ~70 of
     * Micrometer's percentile histogram between 1 ms and 60 s.
     */
    private static final Duration[] BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
        Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};

    /** Value of a gauge whose quantity is not known yet (Prometheus shows NaN). */
    private static final long UNKNOWN = Long.MIN_VALUE;

    /** Where the follower is in its life. */
    public enum FollowerState {
        /** Built, {@code run()} not entered yet. */
        NOT_STARTED,
        /** Inside {@code run()}. */
        RUNNING,
        /** {@code run()} returned after a requested stop. */
        STOPPED,
        /** {@code run()} ended with an error. */
        FAILED
    }

    private final PrometheusMeterRegistry registry;
    private final LongSupplier nanoClock;
    private final JvmGcMetrics gcMetrics;
    /** {@code pipeline=<name>} on every pipeline meter of a daemon with several pipelines; empty otherwise. */
    private final Tags tags;
    /** Whether {@link #close()} closes the registry (false when it is shared by several pipelines). */
    private final boolean ownsRegistry;

    private final Counter blocks;
    private final Timer blockTime;
    private final Timer transformTime;
    private final Counter reorgs;
    private final DistributionSummary reorgDepth;
    private final DistributionSummary commitGroupBlocks;
    private final Map<String, Counter> nodeErrors = new ConcurrentHashMap<>();
    private final Map<String, Counter> messages = new ConcurrentHashMap<>();
    private final Map<String, Timer> sinkCommits = new ConcurrentHashMap<>();
    private final Map<String, Counter> sinkErrors = new ConcurrentHashMap<>();
    private final Map<String, Timer> requests = new ConcurrentHashMap<>();
    private final Map<String, Counter> retries = new ConcurrentHashMap<>();
    private final Map<String, Counter> reloads = new ConcurrentHashMap<>();

    private final AtomicLong nodeHeight = new AtomicLong(UNKNOWN);
    private final AtomicLong lastCommitted = new AtomicLong(UNKNOWN);
    private final AtomicLong lastNodeSuccessNanos = new AtomicLong(UNKNOWN);
    private volatile String lastNodeFailure;
    private volatile Instant lastNodeFailureAt;
    private final AtomicLong lastHeartbeatNanos = new AtomicLong(UNKNOWN);
    private volatile String transformFailure;
    private volatile Instant transformFailureAt;
    private volatile LongSupplier processedHeight;
    private volatile FollowerState followerState = FollowerState.NOT_STARTED;
    private volatile String followerFailure;

    /** Metrics with the JVM binders and the system clock. */
    public DebshrewMetrics() {
        this(true, System::nanoTime);
    }

    /**
     * @param jvm       whether to register the JVM / process binders (memory, GC, threads, classes, CPU, uptime)
     * @param nanoClock monotonic clock for the age of the last successful node call (tests pass a fake)
     */
    public DebshrewMetrics(boolean jvm, LongSupplier nanoClock) {
        this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), null, jvm, nanoClock);
    }

    /**
     * The metrics of pipeline {@code pipeline} of a daemon with several pipelines, in the daemon's
     * {@code shared} registry: every pipeline meter carries the tag {@code pipeline=<name>}; the
     * build info and the node client's request meters do not (one client serves every pipeline, see
     * {@link #recordRequest}). {@code jvm}: register the JVM binders (the first pipeline only).
     */
    public DebshrewMetrics(PrometheusMeterRegistry shared, String pipeline, boolean jvm) {
        this(shared, pipeline, jvm, System::nanoTime);
    }

    private DebshrewMetrics(PrometheusMeterRegistry registry, String pipeline, boolean jvm, LongSupplier nanoClock) {
        this.registry = registry;
        this.tags = pipeline == null ? Tags.empty() : Tags.of("pipeline", pipeline);
        this.ownsRegistry = pipeline == null;
        this.nanoClock = nanoClock;
        this.blocks = Counter.builder("debshrew.blocks.processed")
                .description("Blocks processed and committed to the state store and every sink (forward only)")
                .tags(tags).register(registry);
        this.blockTime = Timer.builder("debshrew.block.processing")
                .description("Time to process one block: node reads, transform, state commit and sink commits")
                .serviceLevelObjectives(BUCKETS)
                .tags(tags).register(registry);
        this.transformTime = Timer.builder("debshrew.transform")
                .description("Time the WebAssembly transform took for one block (view calls included)")
                .serviceLevelObjectives(BUCKETS)
                .tags(tags).register(registry);
        this.commitGroupBlocks = DistributionSummary.builder("debshrew.commit.group.blocks").baseUnit("blocks")
                .description("Blocks per commit (one state store write and one transaction per sink): final blocks"
                        + " are committed in groups during catch-up, blocks within the reorg window one by one")
                .serviceLevelObjectives(1, 2, 10, 100, 1000)
                .tags(tags).register(registry);
        this.reorgs = Counter.builder("debshrew.reorgs")
                .description("Chain reorganisations undone")
                .tags(tags).register(registry);
        this.reorgDepth = DistributionSummary.builder("debshrew.reorg.depth").baseUnit("blocks")
                .description("Depth of undone reorganisations, in blocks")
                .serviceLevelObjectives(1, 2, 3, 4, 5, 6, 10, 20, 50, 100)
                .tags(tags).register(registry);
        Gauge.builder("debshrew.node.height", nodeHeight, DebshrewMetrics::known)
                .description("The metashrew node's indexed height, as last polled, less confirmations - 1")
                .tags(tags).register(registry);
        Gauge.builder("debshrew.processed.height", this, m -> known(m.processedHeight()))
                .description("Height of the last block processed (the reorg window's tip)")
                .tags(tags).register(registry);
        Gauge.builder("debshrew.lag", this, DebshrewMetrics::lagOrNaN).baseUnit("blocks")
                .description("Blocks the node is ahead of the last processed block")
                .tags(tags).register(registry);
        Gauge.builder("debshrew.node.last.success.age", this, DebshrewMetrics::lastSuccessAgeSecondsOrNaN)
                .baseUnit("seconds")
                .description("Seconds since the last successful metashrew call")
                .tags(tags).register(registry);
        Gauge.builder("debshrew.follower.up", this, m -> m.followerState == FollowerState.RUNNING ? 1 : 0)
                .description("1 while the follower runs, 0 before start and after it stopped or failed")
                .tags(tags).register(registry);
        if (ownsRegistry || jvm) { // once per registry
            Gauge.builder("debshrew.build.info", () -> 1)
                    .description("Always 1; the tag 'version' is the daemon's version")
                    .tag("version", version())
                    .register(registry);
        }
        if (jvm) {
            new JvmMemoryMetrics().bindTo(registry);
            gcMetrics = new JvmGcMetrics();
            gcMetrics.bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new ClassLoaderMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            new UptimeMetrics().bindTo(registry);
        } else {
            gcMetrics = null;
        }
    }

    /** The registry (to add meters or scrape). */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every metric. */
    public String scrape() {
        return registry.scrape();
    }

    /**
     * Reads the last processed height from {@code follower} (next height - 1) instead of counting
     * committed blocks, so the gauge is right from start-up on (resumed from a cursor).
     */
    public void bind(BlockFollower follower) {
        this.processedHeight = () -> follower.nextHeight() < 0 ? UNKNOWN : follower.nextHeight() - 1;
        FunctionCounter.builder("debshrew.speculative.reruns", follower, BlockFollower::speculativeReruns)
                .description("Blocks the transform ran a second time because an earlier block, run at the same"
                        + " time, wrote state they had read (engine.speculation)")
                .tags(tags).register(registry);
        Gauge.builder("debshrew.window.size", follower, BlockFollower::windowSize).baseUnit("blocks")
                .description("Capacity of the reorg window (cache_size): a deeper reorg stops the follower")
                .tags(tags).register(registry);
        List<BlockFollower.SinkPosition> positions = follower.sinkPositions();
        for (int i = 0; i < positions.size(); i++) {
            int index = i;
            Gauge.builder("debshrew.sink.up", follower, f -> f.sinkPositions().get(index).up() ? 1 : 0)
                    .description("1 while the sink's last open or commit succeeded, 0 while it fails (the follower"
                            + " retries)")
                    .tag("sink", positions.get(i).sink())
                    .tags(tags).register(registry);
            sinkErrorCounter(positions.get(i).sink());
        }
    }

    private Counter sinkErrorCounter(String sink) {
        return sinkErrors.computeIfAbsent(sink, s -> Counter.builder("debshrew.sink.errors")
                .description("Sink outages: opens or commits that failed after the sink had been up")
                .tag("sink", s).tags(tags).register(registry));
    }

    // ------------------------------------------------------------------ follower life

    /** The daemon's version (the jar manifest's), or "development" when run from classes. */
    public static String version() {
        String v = DebshrewMetrics.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }

    /** The follower entered {@code run()}. */
    public void followerStarted() {
        followerFailure = null;
        heartbeat();
        followerState = FollowerState.RUNNING;
    }

    /** The follower left {@code run()}; {@code failure} is null after a requested stop. */
    public void followerStopped(Throwable failure) {
        if (failure != null) {
            followerFailure = failure.getClass().getSimpleName() + ": " + failure.getMessage();
            for (Throwable t = failure; t != null; t = t.getCause()) {
                if (t instanceof TransformException) {
                    transformFailure = t.getMessage();
                    transformFailureAt = Instant.now();
                }
            }
            followerState = FollowerState.FAILED;
        } else {
            followerState = FollowerState.STOPPED;
        }
    }

    public FollowerState followerState() {
        return followerState;
    }

    /** What ended the follower, or null. */
    public String followerFailure() {
        return followerFailure;
    }

    // ------------------------------------------------------------------ readings

    /** The node height last polled, or -1 when never polled. */
    public long nodeHeight() {
        long h = nodeHeight.get();
        return h == UNKNOWN ? -1 : h;
    }

    /** Blocks the node is ahead of the last processed block, or -1 when either is not known yet. */
    public long lag() {
        double l = lagOrNaN(this);
        return Double.isNaN(l) ? -1 : (long) l;
    }

    /** Height of the last processed block, or {@link Long#MIN_VALUE} when unknown. */
    private long processedHeight() {
        LongSupplier s = processedHeight;
        return s != null ? s.getAsLong() : lastCommitted.get();
    }

    /** Time since the last successful metashrew call, or null when none succeeded yet. */
    public Duration sinceLastNodeSuccess() {
        long t = lastNodeSuccessNanos.get();
        return t == UNKNOWN ? null : Duration.ofNanos(Math.max(0, nanoClock.getAsLong() - t));
    }

    /**
     * The last failed metashrew call ("method: KIND: message"), or null when none failed since the
     * last successful call (a success clears it).
     */
    public String lastNodeFailure() {
        return lastNodeFailure;
    }

    /** When {@link #lastNodeFailure()} happened, or null. */
    public Instant lastNodeFailureAt() {
        return lastNodeFailureAt;
    }

    /** The transform's failure that stopped the follower, or null. */
    public String transformFailure() {
        return transformFailure;
    }

    /** When {@link #transformFailure()} happened, or null. */
    public Instant transformFailureAt() {
        return transformFailureAt;
    }

    /**
     * Time since the follower last showed it is alive (a poll, a node call or retry, a sink
     * retry), or null before it started.
     */
    public Duration sinceLastHeartbeat() {
        long t = lastHeartbeatNanos.get();
        return t == UNKNOWN ? null : Duration.ofNanos(Math.max(0, nanoClock.getAsLong() - t));
    }

    private static double known(AtomicLong v) {
        return known(v.get());
    }

    private static double known(long v) {
        return v == UNKNOWN ? Double.NaN : v;
    }

    private static double lagOrNaN(DebshrewMetrics m) {
        long node = m.nodeHeight.get();
        long processed = m.processedHeight();
        return node == UNKNOWN || processed == UNKNOWN ? Double.NaN : Math.max(0, node - processed);
    }

    private static double lastSuccessAgeSecondsOrNaN(DebshrewMetrics m) {
        Duration d = m.sinceLastNodeSuccess();
        return d == null ? Double.NaN : d.toNanos() / 1e9;
    }

    // ------------------------------------------------------------------ FollowerListener

    @Override
    public void blockCommitted(long height, String hash, int messageCount, long transformNanos, long totalNanos) {
        blocks.increment();
        transformTime.record(transformNanos, TimeUnit.NANOSECONDS);
        blockTime.record(totalNanos, TimeUnit.NANOSECONDS);
        lastCommitted.set(height);
    }

    @Override
    public void afterSinkCommit(long first, long last) {
        commitGroupBlocks.record(last - first + 1);
    }

    @Override
    public void reorgUndone(long ancestorHeight, long depth) {
        reorgs.increment();
        reorgDepth.record(depth);
        lastCommitted.set(ancestorHeight);
    }

    /**
     * A hot reload of the transform module ended: {@code applied} (queued for the next block
     * boundary), {@code unchanged} (the module already runs) or {@code failed} (the old one runs on).
     */
    public void moduleReload(String outcome) {
        reloads.computeIfAbsent(outcome, x -> Counter.builder("debshrew.module.reloads")
                .description("Hot reloads of the transform module, by outcome (applied, unchanged, failed)")
                .tag("outcome", x).tags(tags).register(registry)).increment();
    }

    @Override
    public void nodeError(String kind) {
        String k = tag(kind);
        nodeErrors.computeIfAbsent(k, x -> Counter.builder("debshrew.node.errors")
                .description("Failed metashrew polls after which the follower backed off (client retries exhausted)")
                .tag("kind", x).tags(tags).register(registry)).increment();
    }

    @Override
    public void sinkCommitted(String sink, int messageCount, long nanos) {
        messages.computeIfAbsent(sink, s -> Counter.builder("debshrew.messages.emitted")
                .description("CDC messages committed to a sink (inverse messages and journal replays included)")
                .tag("sink", s).tags(tags).register(registry)).increment(messageCount);
        sinkCommits.computeIfAbsent(sink, s -> Timer.builder("debshrew.sink.commit")
                .description("Time to send and commit one block (or undo) to a sink, retries included")
                .tag("sink", s)
                .serviceLevelObjectives(BUCKETS)
                .tags(tags).register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void sinkDown(String sink, boolean retrying) {
        sinkErrorCounter(sink).increment();
    }

    @Override
    public void heartbeat() {
        lastHeartbeatNanos.set(nanoClock.getAsLong());
    }

    @Override
    public void nodeHeight(long height) {
        nodeHeight.set(height);
    }

    // ------------------------------------------------------------------ MetashrewClientListener

    @Override
    public void onRetry(String method, int attempt, Duration delay, MetashrewException cause) {
        heartbeat(); // a known wait: the client backs off before its next attempt
        recordRetry(method, cause);
    }

    /** Counts a retried metashrew attempt (no heartbeat: a shared client's retry is no pipeline's wait). */
    public void recordRetry(String method, MetashrewException cause) {
        String kind = tag(cause.kind().name());
        retries.computeIfAbsent(method + '\0' + kind, x -> Counter.builder("debshrew.metashrew.retries")
                .description("Failed metashrew HTTP attempts that the client retried")
                .tag("method", method).tag("kind", kind).register(registry)).increment();
    }

    @Override
    public void onCallCompleted(String method, Duration latency, int attempts, MetashrewException failure) {
        recordRequest(method, latency, failure);
        heartbeat();
        nodeCall(method, failure);
    }

    /** Records a metashrew call's latency and outcome in {@code debshrew_metashrew_requests}. */
    public void recordRequest(String method, Duration latency, MetashrewException failure) {
        String outcome = failure == null ? "success" : tag(failure.kind().name());
        requests.computeIfAbsent(method + '\0' + outcome, x -> Timer.builder("debshrew.metashrew.requests")
                .description("metashrew JSON-RPC calls by method and outcome (success or the failure kind);"
                        + " latency includes the client's retries")
                .tag("method", method).tag("outcome", outcome)
                .serviceLevelObjectives(BUCKETS)
                .register(registry)).record(latency);
    }

    /** Whether the node answered: the node's state on /status, /ready and the last-success gauge. */
    public void nodeCall(String method, MetashrewException failure) {
        if (failure == null) {
            lastNodeSuccessNanos.set(nanoClock.getAsLong());
            lastNodeFailure = null; // recovered: no stale error on /status or /health
            lastNodeFailureAt = null;
        } else {
            lastNodeFailureAt = Instant.now();
            lastNodeFailure = method + ": " + failure.kind() + ": " + failure.getMessage();
        }
    }

    private static String tag(String kind) {
        return kind == null ? "unknown" : kind.toLowerCase(Locale.ROOT);
    }

    @Override
    public void close() {
        if (gcMetrics != null) {
            gcMetrics.close();
        }
        if (ownsRegistry) {
            registry.close();
        }
    }
}
