package dev.debshrew.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.debshrew.cdc.CdcCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A golden file of {@code debshrew test}: the CDC messages of a run as JSON lines (compact native
 * format, one message per line, in order). Lines are compared as JSON values (key order and
 * spacing do not matter); blank lines are ignored.
 */
final class GoldenFile {

    /** One message of a run: the block it came from and its compact JSON. */
    record Line(long height, String json) {
    }

    private final Path file;
    private final List<String> lines;
    private final List<Integer> lineNumbers;

    private GoldenFile(Path file, List<String> lines, List<Integer> lineNumbers) {
        this.file = file;
        this.lines = lines;
        this.lineNumbers = lineNumbers;
    }

    /**
     * Reads {@code file}.
     *
     * @throws IllegalArgumentException if it cannot be read or a line is not JSON (naming the file and line)
     */
    static GoldenFile read(Path file) {
        List<String> all;
        try {
            all = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the golden file " + file + ": " + e, e);
        }
        List<String> lines = new ArrayList<>();
        List<Integer> numbers = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            String s = all.get(i).strip();
            if (s.isEmpty()) {
                continue;
            }
            try {
                CdcCodec.mapper().readTree(s);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": not a JSON value: "
                        + e.getOriginalMessage(), e);
            }
            lines.add(s);
            numbers.add(i + 1);
        }
        return new GoldenFile(file, lines, numbers);
    }

    /** Writes {@code actual} to {@code file} as a golden file. */
    static void write(Path file, List<Line> actual) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (Line l : actual) {
            sb.append(l.json()).append('\n');
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, sb, StandardCharsets.UTF_8);
    }

    /** The number of messages the file holds. */
    int size() {
        return lines.size();
    }

    /**
     * Compares {@code actual} with the file, line by line.
     *
     * @return null when they match, otherwise a description of the first difference: the line of
     *     the file, the block height, the expected and the actual message
     */
    String firstDifference(List<Line> actual) {
        int n = Math.min(lines.size(), actual.size());
        for (int i = 0; i < n; i++) {
            Line a = actual.get(i);
            if (!json(lines.get(i)).equals(json(a.json()))) {
                return "first difference at line " + lineNumbers.get(i) + " of " + file + " (message " + (i + 1)
                        + ", block " + a.height() + "):\n  expected: " + lines.get(i) + "\n  actual:   " + a.json();
            }
        }
        if (actual.size() > n) {
            Line a = actual.get(n);
            return "the run produced " + actual.size() + " messages, " + file + " holds " + lines.size()
                    + "; first extra message (message " + (n + 1) + ", block " + a.height() + "):\n  expected: <end of file>"
                    + "\n  actual:   " + a.json();
        }
        if (lines.size() > n) {
            return "the run produced " + actual.size() + " messages, " + file + " holds " + lines.size()
                    + "; first missing message at line " + lineNumbers.get(n) + ":\n  expected: " + lines.get(n)
                    + "\n  actual:   <end of run>";
        }
        return null;
    }

    private static JsonNode json(String s) {
        try {
            return CdcCodec.mapper().readTree(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("checked when read: " + e.getOriginalMessage(), e);
        }
    }
}
