package dev.debshrew.reliability;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The reliability summary: a table for people ({@code summary.txt}) and JSON for tools ({@code summary.json}). */
final class Summary {

    private Summary() {
    }

    /** Writes summary.json (results and totals) and summary.txt (the table) into {@code dir}. */
    static void write(List<ReliabilityResult> results, Path dir) throws IOException {
        ObjectNode root = Reliability.json().createObjectNode();
        ArrayNode rows = root.putArray("scenarios");
        results.forEach(r -> rows.add(Reliability.json().valueToTree(r)));
        ObjectNode t = root.putObject("totals");
        t.put("scenarios", results.size());
        t.put("failed", results.stream().filter(r -> !r.ok()).count());
        t.put("kills", results.stream().mapToLong(ReliabilityResult::kills).sum());
        t.put("reorgs", results.stream().mapToLong(ReliabilityResult::reorgs).sum());
        t.put("checked", results.stream().mapToLong(ReliabilityResult::checked).sum());
        t.put("lost", results.stream().mapToLong(ReliabilityResult::lost).sum());
        t.put("duplicated", results.stream().mapToLong(ReliabilityResult::duplicated).sum());
        t.put("seconds", Math.round(results.stream().mapToDouble(ReliabilityResult::seconds).sum()));
        root.put("ok", results.stream().allMatch(ReliabilityResult::ok));
        Files.writeString(dir.resolve("summary.json"), Reliability.json().writeValueAsString(root) + "\n");
        Files.writeString(dir.resolve("summary.txt"), table(results));
    }

    /** The summary as a fixed-width table with a totals line. */
    static String table(List<ReliabilityResult> results) {
        String fmt = "%-56s %-10s %6s %6s %9s %5s %5s %8s  %s%n";
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, fmt, "scenario", "sink", "kills", "reorgs", "checked", "lost", "dup",
                "time s", "result"));
        long kills = 0;
        long reorgs = 0;
        long checked = 0;
        long lost = 0;
        long dup = 0;
        double secs = 0;
        for (ReliabilityResult r : results) {
            b.append(String.format(Locale.ROOT, fmt, r.scenario(), r.sink(), r.kills(), r.reorgs(), r.checked(),
                    r.lost(), r.duplicated(), String.format(Locale.ROOT, "%.1f", r.seconds()),
                    r.ok() ? "ok" : "FAILED (" + r.note() + ")"));
            kills += r.kills();
            reorgs += r.reorgs();
            checked += r.checked();
            lost += r.lost();
            dup += r.duplicated();
            secs += r.seconds();
        }
        long failed = results.stream().filter(r -> !r.ok()).count();
        b.append(String.format(Locale.ROOT, fmt, "TOTAL (" + results.size() + " scenarios)", "", kills, reorgs,
                checked, lost, dup, String.format(Locale.ROOT, "%.1f", secs), failed == 0 ? "ok" : failed + " FAILED"));
        return b.toString();
    }
}
