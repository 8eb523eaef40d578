package dev.debshrew.daemon;

import dev.debshrew.admin.AdminServer;
import dev.debshrew.admin.ModuleReloads;
import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.config.PipelinesConfig;
import dev.debshrew.follow.BlockHashCache;
import dev.debshrew.metashrew.MetashrewClient;
import dev.debshrew.metashrew.MetashrewClientListener;
import dev.debshrew.metashrew.MetashrewException;
import dev.debshrew.metrics.DebshrewMetrics;
import dev.debshrew.transform.TransformLoadException;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * A daemon running several pipelines ({@code "pipelines": [...]}, {@link PipelinesConfig}): each
 * its own {@link Daemon} (follower thread, transform, state store, sinks), all sharing one node
 * client, one metrics registry (meters tagged {@code pipeline}), one admin server and one
 * {@link BlockHashCache}.
 *
 * <p>Failure isolation: a pipeline that fails (a transform trap, a deep reorg, a sink down past
 * {@code sink_retry_max}) stops alone, logged with its {@code pipeline} log field; the others run
 * on. {@link #run()} returns when every pipeline has ended; {@link #requestStop()} stops them all.
 */
public final class MultiDaemon implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MultiDaemon.class);

    /** Heights of block hashes the pipelines share (a few batches of a few pipelines). */
    static final int HASH_CACHE_HEIGHTS = 4096;

    /** How one pipeline ended: {@code failure} null after a requested stop. */
    public record Outcome(String name, Throwable failure) {
    }

    private final MetashrewClient client;
    private final PrometheusMeterRegistry registry;
    private final Map<String, Daemon> pipelines;
    private final AdminServer admin;

    private MultiDaemon(MetashrewClient client, PrometheusMeterRegistry registry, Map<String, Daemon> pipelines,
            AdminServer admin) {
        this.client = client;
        this.registry = registry;
        this.pipelines = pipelines;
        this.admin = admin;
    }

    /**
     * Builds every pipeline; fails fast (closing what was built) on a module that cannot be loaded,
     * invalid sink options or an admin address that cannot be bound, naming the pipeline.
     */
    public static MultiDaemon create(List<PipelinesConfig.Pipeline> list, boolean acceptModuleChange)
            throws TransformLoadException {
        DebshrewConfig daemonWide = list.get(0).config(); // daemon-wide keys are the same in every pipeline
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        SharedNodeListener listener = new SharedNodeListener();
        MetashrewClient client = Daemon.metashrewClient(daemonWide).listener(listener).build();
        BlockHashCache hashes = new BlockHashCache(HASH_CACHE_HEIGHTS);
        Map<String, Daemon> built = new LinkedHashMap<>();
        AdminServer admin = null;
        try {
            for (PipelinesConfig.Pipeline p : list) {
                Daemon d;
                try {
                    d = Daemon.create(p.config(), acceptModuleChange, false,
                            new Daemon.Shared(p.name(), client, registry, hashes, built.isEmpty()));
                } catch (TransformLoadException e) {
                    throw new TransformLoadException(e.moduleName(), "pipeline " + p.name() + ": " + e.getMessage(), e);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("pipeline " + p.name() + ": " + e.getMessage(), e);
                }
                built.put(p.name(), d);
                listener.add(d.metrics());
            }
            if (daemonWide.adminPort() != null) {
                try {
                    admin = AdminServer.startPipelines(daemonWide.adminBind(), daemonWide.adminPort(), client,
                            built.values().stream().map(Daemon::adminView).toList());
                } catch (IOException e) {
                    throw new IllegalArgumentException("admin server: cannot listen on " + daemonWide.adminBind() + ":"
                            + daemonWide.adminPort() + " (admin.bind, admin.port): " + e, e);
                }
            }
        } catch (TransformLoadException | RuntimeException e) {
            built.values().forEach(Daemon::close);
            client.close();
            registry.close();
            throw e;
        }
        return new MultiDaemon(client, registry, built, admin);
    }

    /** The pipelines by name, in configuration order. */
    public Map<String, Daemon> pipelines() {
        return pipelines;
    }

    /** The admin server's bound address, when {@code admin.port} is set. */
    public Optional<InetSocketAddress> adminAddress() {
        return Optional.ofNullable(admin).map(AdminServer::address);
    }

    /**
     * Runs every pipeline on its own thread until each has ended (stopped or failed), then closes
     * the shared parts. A failing pipeline is logged with its {@code pipeline} field and stops alone.
     */
    public List<Outcome> run() throws InterruptedException {
        List<Outcome> outcomes = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (Map.Entry<String, Daemon> e : pipelines.entrySet()) {
            String name = e.getKey();
            Thread t = new Thread(() -> outcomes.add(runOne(name, e.getValue())), "debshrew-pipeline-" + name);
            threads.add(t);
            t.start();
        }
        try {
            for (Thread t : threads) {
                t.join();
            }
        } finally {
            close();
        }
        List<Outcome> ordered = new ArrayList<>();
        for (String name : pipelines.keySet()) {
            outcomes.stream().filter(o -> o.name().equals(name)).findFirst().ifPresent(ordered::add);
        }
        return ordered;
    }

    private static Outcome runOne(String name, Daemon daemon) {
        try (MDC.MDCCloseable ignored = MDC.putCloseable("pipeline", name)) {
            try {
                daemon.run();
                log.info("pipeline {} stopped", name);
                return new Outcome(name, null);
            } catch (Exception | Error e) {
                MDC.put("pipeline", name); // the daemon's own MDC scope ended with its run
                log.error("pipeline {} stopped alone on a failure (the other pipelines run on): {}", name,
                        e.getMessage(), e instanceof RuntimeException || e instanceof Error ? e : null);
                return new Outcome(name, e);
            }
        }
    }

    /**
     * Hot reload of pipeline {@code name}'s module (null: every pipeline's configured module).
     *
     * @throws IllegalArgumentException when no pipeline has that name
     */
    public Map<String, ModuleReloads.Report> reload(String name) {
        Map<String, ModuleReloads.Report> out = new LinkedHashMap<>();
        if (name != null && !pipelines.containsKey(name)) {
            throw new IllegalArgumentException("no pipeline named '" + name + "' (pipelines: " + pipelines.keySet() + ")");
        }
        pipelines.forEach((n, d) -> {
            if (name == null || name.equals(n)) {
                out.put(n, d.reload(null));
            }
        });
        return out;
    }

    /** Asks every pipeline to stop (bounded, like {@link Daemon#requestStop()}); returns at once. */
    public void requestStop() {
        pipelines.values().forEach(Daemon::requestStop);
        client.cancelInFlight();
    }

    /** Stops every pipeline and waits up to {@code timeout} for them to end. */
    public boolean stop(Duration timeout) throws InterruptedException {
        requestStop();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Daemon d : pipelines.values()) {
            if (!d.stop(Math.max(0, (deadline - System.nanoTime()) / 1_000_000))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close();
        }
        pipelines.values().forEach(Daemon::close);
        client.close();
        registry.close();
    }

    /**
     * The shared client's listener: request and retry meters once (untagged: one client), the
     * node's state (last success or failure, for /status and /ready) in every pipeline's metrics.
     * No heartbeat: a call of one pipeline is no sign of life of another.
     */
    private static final class SharedNodeListener implements MetashrewClientListener {
        private final List<DebshrewMetrics> metrics = new CopyOnWriteArrayList<>();

        void add(DebshrewMetrics m) {
            metrics.add(m);
        }

        @Override
        public void onRetry(String method, int attempt, Duration delay, MetashrewException cause) {
            if (!metrics.isEmpty()) {
                metrics.get(0).recordRetry(method, cause);
            }
        }

        @Override
        public void onCallCompleted(String method, Duration latency, int attempts, MetashrewException failure) {
            if (!metrics.isEmpty()) {
                metrics.get(0).recordRequest(method, latency, failure);
            }
            metrics.forEach(m -> m.nodeCall(method, failure));
        }
    }
}
