package dev.debshrew.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The bench's output: the table on stdout and the {@code --json} document. */
final class BenchReport {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private BenchReport() {
    }

    /**
     * {@code {"machine":{...},"workloads":[{...}],"live":{...}}}; {@code live} is null when the
     * live mode did not run.
     */
    static ObjectNode json(ObjectNode machine, List<WorkloadResult> workloads, LiveResult live, String command) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("command", command);
        root.set("machine", machine);
        ArrayNode a = root.putArray("workloads");
        for (WorkloadResult r : workloads) {
            ObjectNode o = a.addObject();
            o.put("name", r.name());
            o.put("sink", r.sink());
            o.put("blocks", r.blocks());
            o.put("messages", r.messages());
            o.put("seconds", round(r.seconds()));
            o.put("blocks_per_s", round(r.blocksPerS()));
            o.put("msgs_per_s", round(r.msgsPerS()));
            o.put("ceiling_msgs_per_s", r.ceilingMsgsPerS() == null ? null : round(r.ceilingMsgsPerS()));
            o.put("ratio", r.ratio() == null ? null : round(r.ratio()));
            o.put("sequential_blocks_per_s", round(r.sequentialBlocksPerS()));
            o.put("speedup", round(r.speedup()));
            o.put("heap_peak_mb", round(r.heapPeakMb()));
            o.put("rss_peak_mb", round(r.rssPeakMb()));
        }
        if (live == null) {
            root.putNull("live");
        } else {
            ObjectNode l = root.putObject("live");
            l.put("blocks", live.blocks());
            l.put("poll_interval_ms", live.pollIntervalMs());
            l.put("latency_p50_ms", round(live.p50Ms()));
            l.put("latency_p99_ms", round(live.p99Ms()));
            l.put("latency_max_ms", round(live.maxMs()));
            l.put("reorg_depth", live.reorgDepth());
            l.put("reorg_recovery_ms", round(live.reorgRecoveryMs()));
        }
        return root;
    }

    /** Writes {@code json} to {@code file}. */
    static void write(Path file, ObjectNode json) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, MAPPER.writeValueAsString(json) + "\n");
    }

    /** The machine: cores, CPU model, memory, Java version, OS. */
    static ObjectNode machine() {
        ObjectNode m = MAPPER.createObjectNode();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("cpu_model", procField(Path.of("/proc/cpuinfo"), "model name"));
        String memKb = procField(Path.of("/proc/meminfo"), "MemTotal");
        m.put("memory_mb", memKb == null ? null : Long.parseLong(memKb.replace("kB", "").trim()) / 1024);
        m.put("max_heap_mb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        m.put("java_version", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        return m;
    }

    /** The table printed on stdout. */
    static String table(List<WorkloadResult> workloads, LiveResult live) {
        StringBuilder b = new StringBuilder();
        String head = "%-14s %-9s %7s %9s %8s %9s %9s %10s %6s %9s %7s %7s %7s%n";
        if (!workloads.isEmpty()) {
            b.append(String.format(Locale.ROOT, head, "workload", "sink", "blocks", "messages", "seconds", "blocks/s",
                    "msgs/s", "ceiling/s", "ratio", "seq blk/s", "speedup", "heap MB", "rss MB"));
        }
        for (WorkloadResult r : workloads) {
            b.append(String.format(Locale.ROOT, "%-14s %-9s %7d %9d %8.2f %9.1f %9.1f %10s %6s %9.1f %7.2f %7.0f %7.0f%n",
                    r.name(), r.sink(), r.blocks(), r.messages(), r.seconds(), r.blocksPerS(), r.msgsPerS(),
                    r.ceilingMsgsPerS() == null ? "-" : String.format(Locale.ROOT, "%.1f", r.ceilingMsgsPerS()),
                    r.ratio() == null ? "-" : String.format(Locale.ROOT, "%.3f", r.ratio()), r.sequentialBlocksPerS(),
                    r.speedup(), r.heapPeakMb(), r.rssPeakMb()));
        }
        if (live != null) {
            b.append(String.format(Locale.ROOT, "live (file sink, poll %d ms, %d blocks mined one at a time): latency"
                    + " p50 %.1f ms, p99 %.1f ms, max %.1f ms; depth-%d reorg recovered in %.1f ms%n",
                    live.pollIntervalMs(), live.blocks(), live.p50Ms(), live.p99Ms(), live.maxMs(), live.reorgDepth(),
                    live.reorgRecoveryMs()));
        }
        return b.toString();
    }

    private static double round(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }

    private static String procField(Path file, String field) {
        try {
            for (String line : Files.readAllLines(file)) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals(field)) {
                    return line.substring(colon + 1).trim();
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }
}
