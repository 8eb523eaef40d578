package dev.debshrew.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.follow.BlockFollower;
import dev.debshrew.follow.RecentReorgs;
import dev.debshrew.journal.JournalEntry;
import dev.debshrew.metrics.DebshrewMetrics;
import dev.debshrew.util.Secrets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the status page ({@code GET /}) shows beyond {@code /status}, served as {@code GET /status/history}:
 * the last hour of samples (processed height, node height, lag, blocks/s) taken every
 * {@link #SAMPLE_INTERVAL}, the recent reorganisations, the reorg window's blocks, and the last errors
 * (node, follower, each sink) with when they were first seen. Samples live in a fixed-size ring
 * buffer; one daemon thread takes them. Error texts pass through {@link Secrets#scrub}.
 */
public final class StatusHistory implements AutoCloseable {

    /** Time between two samples. */
    public static final Duration SAMPLE_INTERVAL = Duration.ofSeconds(5);
    /** How far back the samples go. */
    public static final Duration SPAN = Duration.ofHours(1);
    private static final int MAX_ERRORS = 20;
    private static final Logger log = LoggerFactory.getLogger(StatusHistory.class);

    /** One sample; {@code nodeHeight}, {@code height} and {@code lag} are -1 when not known yet. */
    record Sample(Instant at, long height, long nodeHeight, long lag, double blocksPerSecond) {
    }

    /** An error seen for the first time: its source ("node", "follower", "sink NAME") and scrubbed text. */
    record ErrorSeen(Instant at, String source, String message) {
    }

    private final DebshrewMetrics metrics;
    private final BlockFollower follower;
    private final Supplier<Instant> clock;
    private final int capacity;
    private final Deque<Sample> samples = new ArrayDeque<>();
    private final Deque<ErrorSeen> errors = new ArrayDeque<>();
    private final Map<String, String> lastErrorBySource = new HashMap<>();
    private final ScheduledExecutorService sampler;
    private long lastProcessed = -1;
    private long lastSampleNanos;

    private StatusHistory(DebshrewMetrics metrics, BlockFollower follower, Supplier<Instant> clock, int capacity,
            ScheduledExecutorService sampler) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.follower = Objects.requireNonNull(follower, "follower");
        this.clock = clock;
        this.capacity = capacity;
        this.sampler = sampler;
    }

    /** Starts sampling {@code metrics} and {@code follower} now and every {@link #SAMPLE_INTERVAL}. */
    static StatusHistory start(DebshrewMetrics metrics, BlockFollower follower) {
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "debshrew-status-sampler");
            t.setDaemon(true);
            return t;
        });
        int capacity = (int) (SPAN.toMillis() / SAMPLE_INTERVAL.toMillis());
        StatusHistory h = new StatusHistory(metrics, follower, Instant::now, capacity, sampler);
        sampler.scheduleAtFixedRate(h::sampleQuietly, 0, SAMPLE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return h;
    }

    private void sampleQuietly() {
        try {
            sample();
        } catch (RuntimeException e) {
            // a sampler that throws would be cancelled by the executor: keep it alive, the next tick retries
            log.debug("status history: cannot take a sample: {}", e.toString());
        }
    }

    /** Takes one sample and notes new errors. */
    synchronized void sample() {
        Instant now = clock.get();
        long nanos = System.nanoTime();
        long processed = follower.processedBlocks();
        double rate = 0;
        if (lastProcessed >= 0 && nanos > lastSampleNanos) {
            rate = (processed - lastProcessed) * 1e9 / (nanos - lastSampleNanos);
        }
        lastProcessed = processed;
        lastSampleNanos = nanos;
        long next = follower.nextHeight();
        long height = next >= 0 ? next - 1 : -1;
        long node = metrics.nodeHeight();
        long lag = node >= 0 && height >= 0 ? Math.max(0, node - height) : -1;
        samples.addLast(new Sample(now, height, node, lag, rate));
        while (samples.size() > capacity) {
            samples.removeFirst();
        }
        note("follower", metrics.followerFailure(), now);
        note("node", metrics.lastNodeFailure(), now);
        for (BlockFollower.SinkPosition p : follower.sinkPositions()) {
            note("sink " + p.sink(), p.lastError(), p.lastErrorAt() != null ? p.lastErrorAt() : now);
        }
    }

    private void note(String source, String message, Instant at) {
        if (message == null || message.equals(lastErrorBySource.get(source))) {
            return;
        }
        lastErrorBySource.put(source, message);
        errors.addFirst(new ErrorSeen(at, Secrets.scrub(source), Secrets.scrub(message)));
        while (errors.size() > MAX_ERRORS) {
            errors.removeLast();
        }
    }

    /** The body of {@code GET /status/history}. */
    synchronized ObjectNode toJson(ObjectMapper mapper) {
        ObjectNode root = mapper.createObjectNode();
        root.put("sample_interval_ms", SAMPLE_INTERVAL.toMillis());
        root.put("span_ms", SPAN.toMillis());
        ArrayNode s = root.putArray("samples");
        for (Sample x : samples) {
            ObjectNode n = s.addObject();
            n.put("at", x.at().toString());
            n.put("height", x.height());
            n.put("node_height", x.nodeHeight());
            n.put("lag", x.lag());
            n.put("blocks_per_second", Math.round(x.blocksPerSecond() * 100) / 100.0);
        }
        ArrayNode r = root.putArray("reorgs");
        for (RecentReorgs.Reorg x : follower.recentReorgs()) {
            ObjectNode n = r.addObject();
            n.put("at", x.at().toString());
            n.put("depth", x.depth());
            n.put("ancestor_height", x.ancestorHeight());
            n.put("ancestor_hash", x.ancestorHash());
            n.put("inverse_messages", x.inverseMessages());
            ArrayNode hashes = n.putArray("undone_hashes");
            x.undoneHashes().forEach(hashes::add);
        }
        ArrayNode w = root.putArray("window");
        List<JournalEntry> window = follower.window();
        for (int i = window.size() - 1; i >= 0; i--) {
            JournalEntry e = window.get(i);
            w.addObject().put("height", e.height()).put("hash", e.hash()).put("messages", e.messages().size());
        }
        ArrayNode e = root.putArray("errors");
        for (ErrorSeen x : errors) {
            e.addObject().put("at", x.at().toString()).put("source", x.source()).put("message", x.message());
        }
        root.put("follower_state", metrics.followerState().name().toLowerCase(Locale.ROOT));
        return root;
    }

    /** Stops sampling. Idempotent. */
    @Override
    public void close() {
        sampler.shutdownNow();
    }
}
