package dev.debshrew.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One bench workload: a transform run by the daemon over {@code blocks} devnet blocks into one sink,
 * against a node answering every RPC {@code latency} later.
 *
 * @param name the transform's role (empty-blocks, messages, txindex, views-20ms)
 * @param sink file, postgres or kafka
 * @param transform the .wasm path relative to the repository root
 * @param blocks blocks of a full run
 * @param quickBlocks blocks of a {@code --quick} run
 * @param latency added round trip of every RPC
 */
record Workload(String name, String sink, String transform, int blocks, int quickBlocks, Duration latency) {

    static final String FILE = "file";
    static final String POSTGRES = "postgres";
    static final String KAFKA = "kafka";

    private static final String AS_BUILD = "examples/assemblyscript/build/";
    private static final String AS_BUILD_COMMAND = "(cd examples/assemblyscript && npm ci && npm run build)";

    /** {@code name-sink}, or the name alone for the file-sink workloads: what {@code --only} accepts. */
    String id() {
        return FILE.equals(sink) ? name : name + "-" + sink;
    }

    /**
     * The workloads of the bench: empty blocks into the file sink; message-heavy blocks and
     * {@code txindex} into PostgreSQL and Kafka; a view-heavy transform at 2 ms and 20 ms per RPC
     * (or only at {@code latencyOverrideMs} per RPC, which then also applies to every other workload).
     */
    static List<Workload> all(Integer latencyOverrideMs) {
        Duration base = latencyOverrideMs == null ? Duration.ZERO : Duration.ofMillis(latencyOverrideMs);
        List<Workload> w = new ArrayList<>();
        w.add(new Workload("empty-blocks", FILE, AS_BUILD + "blocks.wasm", 20_000, 150, base));
        for (String sink : List.of(POSTGRES, KAFKA)) {
            w.add(new Workload("messages", sink, AS_BUILD + "bench_messages.wasm", 200, 10, base));
        }
        for (String sink : List.of(POSTGRES, KAFKA)) {
            w.add(new Workload("txindex", sink, AS_BUILD + "txindex.wasm", 2_000, 30, base));
        }
        List<Integer> latencies = latencyOverrideMs == null ? List.of(2, 20) : List.of(latencyOverrideMs);
        for (int ms : latencies) {
            w.add(new Workload("views-" + ms + "ms", FILE, AS_BUILD + "bench_views.wasm", ms >= 20 ? 300 : 1_000,
                    ms >= 20 ? 10 : 20, Duration.ofMillis(ms)));
        }
        return w;
    }

    /** The workloads {@code only} selects: by id ({@code messages-kafka}) or name ({@code messages}); null = all. */
    static List<Workload> select(List<Workload> all, String only) {
        if (only == null) {
            return all;
        }
        String o = only.trim().toLowerCase(Locale.ROOT);
        List<Workload> r = all.stream().filter(w -> w.id().equals(o) || w.name().equals(o)).toList();
        if (r.isEmpty() && !"live".equals(o)) {
            throw new IllegalArgumentException("--only " + only + ": no such workload; expected live or one of "
                    + all.stream().map(Workload::id).toList());
        }
        return r;
    }

    /** Whether the workload is view-heavy (its ceiling is the sequential RPC loop). */
    boolean viewHeavy() {
        return name.startsWith("views-");
    }

    /**
     * The transform's absolute path under {@code home}; fails naming the missing file and the
     * command that builds it.
     */
    Path transformPath(Path home) {
        Path p = home.resolve(transform).toAbsolutePath().normalize();
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("workload " + id() + ": transform " + p + " is missing; build it with: "
                    + (transform.startsWith(AS_BUILD) ? AS_BUILD_COMMAND : "mvn -B -q -pl examples package")
                    + " (or pick other workloads with --only)");
        }
        return p;
    }
}
