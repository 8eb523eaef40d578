package dev.debshrew.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcFormatException;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.config.DebshrewConfig;
import dev.debshrew.devnet.DevnetServer;
import dev.debshrew.devnet.ReorgStyle;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs the bench's workloads and the live mode: for each workload, an untimed warm-up, the daemon
 * with the default engine and then with {@code engine.sequential: true} on the same devnet data,
 * then the workload's ceiling on the same messages or node.
 */
final class BenchRunner {

    /** Reorg window of the generated configs and depth of the live-mode reorg. */
    static final int REORG_DEPTH = 6;
    /** {@code poll_interval_ms} of the live mode. */
    static final long LIVE_POLL_MS = 100;
    private static final CdcCodec CODEC = new CdcCodec();

    private final Path home;
    private final Path work;
    private final String runId;
    private final Supplier<String> postgresUrl;
    private final Supplier<String> kafkaBootstrap;
    private int runs;

    /**
     * @param home repository root (the transforms' paths are relative to it)
     * @param work scratch directory (data dirs, file sink output, compile cache)
     * @param postgresUrl the JDBC URL, started on first use
     * @param kafkaBootstrap the broker's bootstrap servers, started on first use
     */
    BenchRunner(Path home, Path work, Supplier<String> postgresUrl, Supplier<String> kafkaBootstrap) {
        this.home = home;
        this.work = work;
        this.runId = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
        this.postgresUrl = postgresUrl;
        this.kafkaBootstrap = kafkaBootstrap;
    }

    /** Runs {@code w} over {@code blocks} blocks: both engine modes and the ceiling. */
    WorkloadResult run(Workload w, int blocks) throws Exception {
        Path transform = w.transformPath(home);
        try (DevnetServer devnet = BenchDevnet.start(blocks - 1, w.latency())) {
            // Untimed warm-up over all the blocks with the default engine (JIT of the engine, the wasm
            // host and the sink; whichever run comes first is otherwise slower), writing the messages
            // to a file as well: the data of the ceilings and the message count.
            Path captured = newDir("capture").resolve("out.jsonl");
            runOnce(w, devnet, transform, false, List.of(sink(w, "warmup", newDir("out").resolve("out.jsonl")),
                    fileSink(captured).put("fsync", false)), blocks);
            List<CdcMessage> messages = read(captured);
            WorkloadResult.Run fast = runOnce(w, devnet, transform, false,
                    List.of(sink(w, "default", newDir("out").resolve("out.jsonl"))), blocks);
            devnet.clearRequests();
            WorkloadResult.Run seq = runOnce(w, devnet, transform, true,
                    List.of(sink(w, "sequential", newDir("out").resolve("out.jsonl"))), blocks);
            Double ceiling = null;
            if (w.viewHeavy()) {
                double ceilingBlocksPerS = RpcCeiling.blocksPerSecond(devnet.url(), devnet.versionLine(),
                        RpcCeiling.viewsByHeight(devnet.requests()));
                ceiling = blocks / ceilingBlocksPerS;
            } else if (Workload.POSTGRES.equals(w.sink())) {
                ceiling = PostgresCeiling.measure(postgresUrl.get(), name(w, "ceiling"), messages);
            } else if (Workload.KAFKA.equals(w.sink())) {
                ceiling = KafkaCeiling.measure(kafkaBootstrap.get(), name(w, "ceiling").replace('_', '.'), messages);
            }
            return WorkloadResult.of(w, blocks, messages.size(), fast, seq, ceiling);
        }
    }

    /** Live mode: latency of {@code blocks} blocks mined one at a time, then a depth-6 reorg's recovery. */
    LiveResult live(int blocks) throws Exception {
        Workload w = new Workload("live", Workload.FILE, "examples/assemblyscript/build/blocks.wasm", blocks, blocks,
                Duration.ZERO);
        try (DevnetServer devnet = BenchDevnet.start(20, Duration.ZERO);
                RunningDaemon d = RunningDaemon.create(config(w, devnet, w.transformPath(home), false,
                        List.of(fileSink(newDir("out").resolve("out.jsonl"))), LIVE_POLL_MS))) {
            d.start();
            d.awaitHeight(devnet.height(), Duration.ofSeconds(120));
            double[] latencies = new double[blocks];
            for (int i = 0; i < blocks; i++) {
                long t0 = System.nanoTime();
                long h = devnet.mine(1);
                d.awaitBlock(h, devnet.blockHash(h), Duration.ofSeconds(60));
                latencies[i] = (System.nanoTime() - t0) / 1e6;
            }
            long t0 = System.nanoTime();
            devnet.reorg(REORG_DEPTH, REORG_DEPTH + 1, ReorgStyle.INSTANT).get(60, TimeUnit.SECONDS);
            long tip = devnet.height();
            d.awaitBlock(tip, devnet.blockHash(tip), Duration.ofSeconds(60));
            double recovery = (System.nanoTime() - t0) / 1e6;
            double max = 0;
            for (double l : latencies) {
                max = Math.max(max, l);
            }
            return new LiveResult(blocks, LIVE_POLL_MS, LiveResult.percentile(latencies, 50),
                    LiveResult.percentile(latencies, 99), max, REORG_DEPTH, recovery);
        }
    }

    /** One daemon run from height 0 until every sink's cursor is at height {@code blocks - 1}. */
    private WorkloadResult.Run runOnce(Workload w, DevnetServer devnet, Path transform, boolean sequential,
            List<ObjectNode> sinks, int blocks) throws Exception {
        DebshrewConfig config = config(w, devnet, transform, sequential, sinks, 1000);
        try (MemorySampler mem = MemorySampler.start()) {
            double seconds;
            try (RunningDaemon d = RunningDaemon.create(config)) {
                long t0 = d.start();
                d.awaitHeight(blocks - 1, Duration.ofSeconds(120 + blocks));
                seconds = (System.nanoTime() - t0) / 1e9;
            }
            mem.close();
            return new WorkloadResult.Run(seconds, mem.heapPeakMb(), mem.rssPeakMb());
        }
    }

    private DebshrewConfig config(Workload w, DevnetServer devnet, Path transform, boolean sequential,
            List<ObjectNode> sinks, long pollMs) throws Exception {
        return RunningDaemon.config(new RunningDaemon.Setup(devnet.url(), transform, work.resolve("compile-cache"),
                newDir("data-" + w.name()), sequential, pollMs), sinks);
    }

    /** The sink section for {@code w}: a fresh file, PostgreSQL schema or Kafka topic per run. */
    ObjectNode sink(Workload w, String mode, Path file) {
        ObjectNode s = CdcCodec.mapper().createObjectNode().put("type", w.sink());
        switch (w.sink()) {
            case Workload.FILE -> {
                return fileSink(file);
            }
            case Workload.POSTGRES -> s.put("url", postgresUrl.get()).put("schema", name(w, mode))
                    .put("pipeline", name(w, mode));
            case Workload.KAFKA -> s.put("bootstrap_servers", kafkaBootstrap.get())
                    .put("topic", name(w, mode).replace('_', '.'));
            default -> throw new IllegalArgumentException("unknown sink " + w.sink());
        }
        return s;
    }

    /** A file sink writing {@code file} with fsync on (its default). */
    static ObjectNode fileSink(Path file) {
        return CdcCodec.mapper().createObjectNode().put("type", Workload.FILE).put("path", file.toString())
                .put("fsync", true);
    }

    /** A fresh name per run: {@code bench_<workload>_<mode>_<run id>}. */
    private String name(Workload w, String mode) {
        return ("bench_" + w.name() + "_" + mode + "_" + runId).replace('-', '_').toLowerCase(Locale.ROOT);
    }

    private Path newDir(String prefix) throws IOException {
        return Files.createDirectories(work.resolve(prefix + "-" + (++runs)));
    }

    private static List<CdcMessage> read(Path jsonl) throws IOException, CdcFormatException {
        List<CdcMessage> out = new ArrayList<>();
        if (!Files.exists(jsonl)) {
            return out;
        }
        try (BufferedReader r = Files.newBufferedReader(jsonl)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (!line.isBlank()) {
                    out.add(CODEC.decode(line));
                }
            }
        }
        return out;
    }
}
