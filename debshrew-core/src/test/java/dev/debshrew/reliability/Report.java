package dev.debshrew.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcHeader;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.cdc.Inversion;
import dev.debshrew.testing.TableFold;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a running scenario reports: its kills and reorgs, and the comparisons of what the sinks hold
 * with an uninterrupted run, counted as lost and duplicated.
 *
 * <p>A delivered CDC stream is compared <em>net</em>: every inverse message cancels one delivered
 * message of the block it undoes (same height, transaction, table, key and the inverted payload),
 * so the messages of orphaned blocks and their undo cancel out, and what remains must equal the
 * canonical messages of the uninterrupted run as a multiset: {@code lost} counts canonical messages
 * missing from it, {@code duplicated} messages in it more often than in the canonical run (a
 * re-delivered block, an undo applied twice). Materialized tables are compared row by row: a
 * missing or different row is lost, a row that should not exist is duplicated.
 */
public final class Report {

    private static final CdcCodec CODEC = new CdcCodec();

    private final String scenario;
    private final String sink;
    private final long seed;
    private int kills;
    private int reorgs;
    private long checked;
    private long lost;
    private long duplicated;
    private final List<String> findings = new ArrayList<>();

    Report(String scenario, String sink, long seed) {
        this.scenario = scenario;
        this.sink = sink;
        this.seed = seed;
    }

    public String scenario() {
        return scenario;
    }

    public String sink() {
        return sink;
    }

    /** The seed of this run (print it with a failure to reproduce it). */
    public long seed() {
        return seed;
    }

    /** Counts one SIGKILL of the daemon. */
    public void kill() {
        kills++;
    }

    /** Counts one reorg. */
    public void reorg() {
        reorgs++;
    }

    public int kills() {
        return kills;
    }

    public int reorgs() {
        return reorgs;
    }

    public long checked() {
        return checked;
    }

    public long lost() {
        return lost;
    }

    public long duplicated() {
        return duplicated;
    }

    /** The first differences found (at most a few per comparison), for the failure message. */
    public List<String> findings() {
        return List.copyOf(findings);
    }

    /**
     * Compares a delivered stream (with inverse messages) net with the canonical messages of an
     * uninterrupted run; adds to {@link #lost} / {@link #duplicated}. Returns the lost + duplicated
     * of this comparison.
     */
    public long compareStream(String what, List<CdcMessage> canonical, List<CdcMessage> delivered) {
        Map<JsonNode, Integer> net = new HashMap<>();
        for (CdcMessage m : delivered) {
            if (m.header().inverse()) {
                net.merge(undoneKey(m), -1, Integer::sum);
            } else {
                net.merge(key(m), 1, Integer::sum);
            }
        }
        Map<JsonNode, Integer> expected = new HashMap<>();
        canonical.forEach(m -> expected.merge(key(m), 1, Integer::sum));
        Set<JsonNode> keys = new HashSet<>(net.keySet());
        keys.addAll(expected.keySet());
        long l = 0;
        long d = 0;
        int shown = 0;
        for (JsonNode k : keys) {
            int diff = net.getOrDefault(k, 0) - expected.getOrDefault(k, 0);
            if (diff == 0) {
                continue;
            }
            if (diff < 0) {
                l -= diff;
            } else {
                d += diff;
            }
            if (shown++ < 3) {
                findings.add(what + ": " + (diff < 0 ? "lost " + -diff : "duplicated " + diff) + "x " + k);
            }
        }
        checked += delivered.size();
        lost += l;
        duplicated += d;
        assertFolds(what, canonical, delivered);
        return l + d;
    }

    /** The delivered stream, applied in order, must give the canonical table state. */
    private static void assertFolds(String what, List<CdcMessage> canonical, List<CdcMessage> delivered) {
        TableFold actual = new TableFold();
        try {
            delivered.forEach(actual::apply);
        } catch (IllegalStateException e) {
            throw new AssertionError(what + ": the delivered stream does not fold: " + e.getMessage(), e);
        }
        TableFold expected = new TableFold();
        canonical.forEach(expected::apply);
        if (!actual.tables().equals(expected.tables())) {
            throw new AssertionError(what + ": the delivered stream folds to a different table state");
        }
    }

    /** Compares materialized tables (table -> key -> row) with the expected ones; adds to the counts. */
    public long compareTables(String what, Map<String, Map<String, JsonNode>> expected,
            Map<String, Map<String, JsonNode>> actual) {
        long l = 0;
        long d = 0;
        Set<String> tables = new HashSet<>(expected.keySet());
        tables.addAll(actual.keySet());
        for (String t : tables) {
            Map<String, JsonNode> e = expected.getOrDefault(t, Map.of());
            Map<String, JsonNode> a = actual.getOrDefault(t, Map.of());
            for (Map.Entry<String, JsonNode> row : e.entrySet()) {
                if (!row.getValue().equals(a.get(row.getKey()))) {
                    if (l++ < 3) {
                        findings.add(what + ": row " + t + "/" + row.getKey() + " is " + a.get(row.getKey())
                                + ", expected " + row.getValue());
                    }
                }
            }
            for (String k : a.keySet()) {
                if (!e.containsKey(k) && d++ < 3) {
                    findings.add(what + ": row " + t + "/" + k + " should not exist");
                }
            }
            checked += a.size();
        }
        lost += l;
        duplicated += d;
        return l + d;
    }

    /** A forward message without its block hash and timestamp (inverse messages do not carry them). */
    private static JsonNode key(CdcMessage m) {
        CdcHeader h = m.header();
        return tree(new CdcMessage(new CdcHeader(h.source(), 0, h.blockHeight(), "", h.transactionId(), false),
                m.payload()));
    }

    /** The key of the forward message that the inverse message {@code inv} undoes. */
    private static JsonNode undoneKey(CdcMessage inv) {
        CdcHeader h = inv.header();
        CdcMessage original = Inversion.invert(inv, "", 0);
        return tree(new CdcMessage(new CdcHeader(h.source(), 0, h.blockHeight() + 1, "", h.transactionId(), false),
                original.payload()));
    }

    private static JsonNode tree(CdcMessage m) {
        try {
            return CdcCodec.mapper().readTree(CODEC.encode(m));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    ReliabilityResult result(double seconds, Throwable failure) {
        String note = "seed " + seed;
        if (failure != null) {
            note += "; FAILED: " + String.valueOf(failure.getMessage()).lines().findFirst().orElse("");
        } else if (!findings.isEmpty()) {
            note += "; " + findings.get(0);
        }
        return new ReliabilityResult(scenario, sink, kills, reorgs, checked, lost, duplicated, seconds,
                failure == null, note);
    }
}
