package dev.debshrew.transform.internal;

import dev.debshrew.transform.GuestLogListener;
import dev.debshrew.transform.GuestLogListener.Stream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guest's stdout and stderr for one block, as one sequence in the order of the writes. Every
 * write ({@code __stdout} / {@code __stderr} call) is logged at once: one line per newline-ended
 * line it holds, and its unterminated rest as a line of its own (a write is never glued to the
 * next one, and nothing waits for a newline that may never come). stdout is logged at INFO, stderr
 * at WARN, on logger {@code dev.debshrew.transform.guest}, prefixed with the transform's name and
 * height; each line also goes to the block's {@link GuestLogListener}.
 *
 * <p>Volume cap: once the block has written more than {@code maxBytes}, further output is not
 * logged and ONE warning says so (logging must never fail a block). The last
 * {@value #TAIL_LINES} lines of both streams (at most {@value #TAIL_BYTES} bytes) are always kept,
 * for the error of a failed block ({@link #tail()}).
 *
 * <p>Written by the block's worker thread; {@link #tail()} may be read from another thread.
 */
public final class GuestLog {

    /** Logger receiving guest output. */
    public static final Logger GUEST = LoggerFactory.getLogger("dev.debshrew.transform.guest");

    static final int TAIL_BYTES = 4096;
    static final int TAIL_LINES = 20;

    private final String name;
    private final long height;
    private final long maxBytes;
    private final GuestLogListener listener;
    /** The last lines, tagged with their stream; guarded by itself. */
    private final Deque<String> tail = new ArrayDeque<>();
    private int tailBytes;
    private boolean tailTruncated;
    private long written;
    private boolean capped;

    public GuestLog(String name, long height, long maxBytes) {
        this(name, height, maxBytes, GuestLogListener.NONE);
    }

    /** A log that also hands every line to {@code listener}. */
    public GuestLog(String name, long height, long maxBytes, GuestLogListener listener) {
        this.name = name;
        this.height = height;
        this.maxBytes = maxBytes;
        this.listener = listener;
    }

    /** Handles one {@code __stdout} write. */
    public void stdout(byte[] fragment) {
        write(Stream.STDOUT, fragment);
    }

    /** Handles one {@code __stderr} write. */
    public void stderr(byte[] fragment) {
        write(Stream.STDERR, fragment);
    }

    private void write(Stream stream, byte[] fragment) {
        boolean log = !capped;
        if (log) {
            written += fragment.length;
            if (written > maxBytes) {
                capped = true;
                log = false;
                GUEST.warn("[{}@{}] guest log output exceeded maxLogBytesPerBlock ({} bytes); "
                        + "further stdout/stderr of this block is not logged", name, height, maxBytes);
            }
        }
        int start = 0;
        for (int i = 0; i <= fragment.length; i++) {
            if (i == fragment.length ? i > start : fragment[i] == '\n') {
                int end = i > start && fragment[i - 1] == '\r' ? i - 1 : i;
                emit(stream, new String(fragment, start, end - start, StandardCharsets.UTF_8), log);
                start = i + 1;
            }
        }
    }

    private void emit(Stream stream, String line, boolean log) {
        remember(stream, line);
        if (!log) {
            return;
        }
        listener.line(height, stream, line);
        if (stream == Stream.STDERR) {
            GUEST.warn("[{}@{}] {}", name, height, line);
        } else {
            GUEST.info("[{}@{}] {}", name, height, line);
        }
    }

    private void remember(Stream stream, String line) {
        String text = line.length() > TAIL_BYTES / 2 ? "..." + line.substring(line.length() - TAIL_BYTES / 2) : line;
        String tagged = (stream == Stream.STDERR ? "[stderr] " : "[stdout] ") + text;
        synchronized (tail) {
            tail.addLast(tagged);
            tailBytes += tagged.length() + 1;
            while (tail.size() > TAIL_LINES || tailBytes > TAIL_BYTES) {
                tailBytes -= tail.removeFirst().length() + 1;
                tailTruncated = true;
            }
        }
    }

    /** Whether the volume cap was hit in this block. */
    public boolean capped() {
        return capped;
    }

    /**
     * The last lines (at most {@value #TAIL_LINES}, about {@value #TAIL_BYTES} characters) the guest
     * wrote to either stream, in order, each prefixed with {@code [stdout] } or {@code [stderr] };
     * {@code ...} first when earlier lines were dropped. Empty when the guest wrote nothing.
     */
    public String tail() {
        synchronized (tail) {
            if (tail.isEmpty()) {
                return "";
            }
            return (tailTruncated ? "...\n" : "") + String.join("\n", tail);
        }
    }

    /** The lines of {@link #tail()} written to stderr, without their prefix. */
    public String stderrTail() {
        synchronized (tail) {
            StringBuilder sb = new StringBuilder();
            for (String l : tail) {
                if (l.startsWith("[stderr] ")) {
                    sb.append(sb.length() == 0 ? "" : "\n").append(l, "[stderr] ".length(), l.length());
                }
            }
            return sb.toString();
        }
    }
}
