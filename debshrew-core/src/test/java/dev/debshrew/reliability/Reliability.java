package dev.debshrew.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs reliability scenarios and keeps the summary (scripts/reliability.sh): every scenario run
 * through {@link #run} appends its {@link ReliabilityResult} to {@code results.jsonl} in
 * {@link #dir()}, and rewrites {@code summary.json} and {@code summary.txt} (the printed table) from
 * all results so far. A scenario fails when its body fails or anything was lost or duplicated.
 *
 * <p>Settings (system properties, passed on by the script): {@code debshrew.reliability} =
 * {@code quick} or {@code full} (enables the suite, see {@link ReliabilitySuite}),
 * {@code debshrew.reliability.seed}, {@code debshrew.reliability.kills} (per sink),
 * {@code debshrew.reliability.dir}.
 */
public final class Reliability {

    /** The seed when none is given. */
    public static final long DEFAULT_SEED = 20261201L;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Reliability() {
    }

    /** Whether the full run was asked for (otherwise the quick one). */
    public static boolean full() {
        return "full".equals(System.getProperty("debshrew.reliability"));
    }

    /** The base seed ({@code debshrew.reliability.seed}). */
    public static long seed() {
        return Long.getLong("debshrew.reliability.seed", DEFAULT_SEED);
    }

    /** Kills per sink ({@code debshrew.reliability.kills}; 50 in the full run, 3 in the quick one). */
    public static int kills() {
        return Integer.getInteger("debshrew.reliability.kills", full() ? 50 : 3);
    }

    /** Where the results and the summary go ({@code debshrew.reliability.dir}, default target/reliability). */
    public static Path dir() {
        return Path.of(System.getProperty("debshrew.reliability.dir", "target/reliability"));
    }

    /**
     * Runs {@code body} as scenario {@code scenario} on {@code sink} with the seed {@code seed},
     * records its result (also when it fails) and fails unless nothing was lost or duplicated.
     */
    public static ReliabilityResult run(String scenario, String sink, long seed, ReliabilityScenario body)
            throws Exception {
        System.out.printf("reliability: %s / %s, seed %d (-Ddebshrew.reliability.seed=%d)%n", scenario, sink, seed,
                seed);
        Report report = new Report(scenario, sink, seed);
        long began = System.nanoTime();
        Throwable failure = null;
        try {
            body.run(report);
        } catch (Exception | Error e) {
            failure = e;
            throw e;
        } finally {
            ReliabilityResult r = report.result((System.nanoTime() - began) / 1e9, failure);
            record(r);
        }
        assertThat(report.lost() + report.duplicated())
                .as("%s / %s (seed %d): lost %d, duplicated %d; %s", scenario, sink, seed, report.lost(),
                        report.duplicated(), report.findings())
                .isZero();
        return report.result((System.nanoTime() - began) / 1e9, null);
    }

    /** Prints {@code line} and appends it to progress.log (how far a long run got, while it runs). */
    public static synchronized void progress(String line) {
        System.out.println(line);
        try {
            Files.createDirectories(dir());
            Files.writeString(dir().resolve("progress.log"), line + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Appends {@code r} to results.jsonl and rewrites the summary from all results. */
    public static synchronized void record(ReliabilityResult r) {
        try {
            Files.createDirectories(dir());
            Files.writeString(dir().resolve("results.jsonl"), JSON.copy().disable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(r) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            List<ReliabilityResult> all = read(dir().resolve("results.jsonl"));
            Summary.write(all, dir());
            System.out.print(Summary.table(all));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<ReliabilityResult> read(Path jsonl) throws IOException {
        List<ReliabilityResult> out = new ArrayList<>();
        for (String line : Files.readAllLines(jsonl)) {
            if (!line.isBlank()) {
                out.add(JSON.readValue(line, ReliabilityResult.class));
            }
        }
        return out;
    }

    static ObjectMapper json() {
        return JSON;
    }
}
