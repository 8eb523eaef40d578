package dev.debshrew.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.opentest4j.AssertionFailedError;

/**
 * Golden files: normalisation of the file sink's output and a readable line diff.
 *
 * <p>Everything in the output is deterministic (the devnet chain follows from the seed, forward
 * timestamps from block times) except the {@code timestamp} of inverse messages, which is the
 * wall-clock time of the undo: it is replaced by 0 on lines whose header has
 * {@code "inverse":true}. All other bytes of every line are kept as written.
 */
final class Golden {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** The header is the first member of a line and {@code timestamp} its second field. */
    private static final Pattern TIMESTAMP = Pattern.compile("\"timestamp\":(\\d+)");

    private Golden() {
    }

    /** The lines of a file sink output (no trailing empty line). */
    static List<String> lines(byte[] output) {
        String s = new String(output, StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        for (String line : s.split("\n", -1)) {
            if (!line.isEmpty()) {
                out.add(line);
            }
        }
        if (!s.isEmpty() && !s.endsWith("\n")) {
            throw new AssertionError("output does not end with a newline (a torn line?): ..."
                    + s.substring(Math.max(0, s.length() - 200)));
        }
        return out;
    }

    /** One line with its inverse timestamp replaced by 0. */
    static String normalise(String line) {
        JsonNode n;
        try {
            n = MAPPER.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("output line is not JSON: " + line, e);
        }
        JsonNode header = n.path("header");
        if (!header.path("inverse").asBoolean(false)) {
            return line;
        }
        int payload = line.indexOf("\"payload\"");
        Matcher m = TIMESTAMP.matcher(line);
        if (!m.find() || (payload >= 0 && m.start() > payload)) {
            throw new AssertionError("inverse message without a header timestamp: " + line);
        }
        if (header.path("timestamp").asLong() != Long.parseLong(m.group(1))) {
            throw new AssertionError("first \"timestamp\" of the line is not the header's: " + line);
        }
        return line.substring(0, m.start()) + "\"timestamp\":0" + line.substring(m.end());
    }

    static List<String> normalise(List<String> lines) {
        return lines.stream().map(Golden::normalise).toList();
    }

    static List<String> read(Path golden) {
        try {
            return lines(Files.readAllBytes(golden));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path golden, List<String> lines) {
        try {
            Files.writeString(golden, lines.isEmpty() ? "" : String.join("\n", lines) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Asserts {@code actual} equals {@code expected}, showing the first differing line of each. */
    static void assertSame(String what, List<String> expected, List<String> actual) {
        if (expected.equals(actual)) {
            return;
        }
        int n = Math.min(expected.size(), actual.size());
        int first = 0;
        while (first < n && expected.get(first).equals(actual.get(first))) {
            first++;
        }
        int differing = 0;
        for (int i = first; i < Math.max(expected.size(), actual.size()); i++) {
            if (i >= n || !expected.get(i).equals(actual.get(i))) {
                differing++;
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(what).append(": first difference at line ").append(first + 1).append(" (expected ")
                .append(expected.size()).append(" lines, actual ").append(actual.size()).append(", ")
                .append(differing).append(" differing line(s) from there)\n");
        if (first > 0) {
            sb.append("  line ").append(first).append(" (same):  ").append(expected.get(first - 1)).append('\n');
        }
        sb.append("  expected line ").append(first + 1).append(": ")
                .append(first < expected.size() ? expected.get(first) : "<end of file>").append('\n');
        sb.append("  actual   line ").append(first + 1).append(": ")
                .append(first < actual.size() ? actual.get(first) : "<end of file>").append('\n');
        sb.append("  (regenerate with -Ddebshrew.scenarios.update=true, then REVIEW the diff: docs/scenarios.md)");
        throw new AssertionFailedError(sb.toString(), String.join("\n", expected), String.join("\n", actual));
    }
}
