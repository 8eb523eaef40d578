package dev.debshrew.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Samples the JVM's heap in use (MemoryMXBean) and the process's resident set size
 * ({@code /proc/self/status} VmRSS) every 20 ms while a workload runs, and reads the kernel's
 * peak (VmHWM, reset at start through {@code /proc/self/clear_refs} where the kernel allows it).
 */
final class MemorySampler implements AutoCloseable {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final long PERIOD_MS = 20;

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final Thread thread;
    private final boolean hwmReset;
    private volatile boolean running = true;
    private volatile long heapPeak;
    private volatile long rssPeak;

    private MemorySampler() {
        this.hwmReset = resetHighWaterMark();
        sample();
        this.thread = new Thread(this::loop, "debshrew-bench-memory");
        this.thread.setDaemon(true);
    }

    /** Starts sampling now. */
    static MemorySampler start() {
        MemorySampler s = new MemorySampler();
        s.thread.start();
        return s;
    }

    /** Peak heap in use, MiB. */
    double heapPeakMb() {
        return heapPeak / (1024.0 * 1024.0);
    }

    /** Peak resident set size, MiB (0 where /proc is not available). */
    double rssPeakMb() {
        long peak = rssPeak;
        if (hwmReset) {
            peak = Math.max(peak, statusKb("VmHWM:") * 1024);
        }
        return peak / (1024.0 * 1024.0);
    }

    /** Stops sampling (after one last sample). */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sample();
    }

    private void loop() {
        while (running) {
            sample();
            try {
                Thread.sleep(PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void sample() {
        heapPeak = Math.max(heapPeak, memory.getHeapMemoryUsage().getUsed());
        rssPeak = Math.max(rssPeak, statusKb("VmRSS:") * 1024);
    }

    private static boolean resetHighWaterMark() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** A {@code kB} field of /proc/self/status, or 0 when not available. */
    static long statusKb(String field) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).replace("kB", "").trim());
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
