package dev.debshrew.transform.internal;

import dev.debshrew.transform.GuestLogListener;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guest's stdout and stderr for one block. Fragments are buffered until a newline (the Rust
 * SDK emits one call per format fragment) and logged line by line: stdout at INFO, stderr at WARN,
 * on logger {@code dev.debshrew.transform.guest}, prefixed with the transform's name and height.
 *
 * <p>Volume cap: once the block has written more than {@code maxBytes}, further output is dropped
 * and ONE warning says so (logging must never fail a block). The last {@value #TAIL_BYTES} bytes
 * of stderr are always kept, for error messages.
 *
 * <p>Written by the block's worker thread; {@link #stderrTail()} may be read from another thread.
 */
public final class GuestLog {

    /** Logger receiving guest output. */
    public static final Logger GUEST = LoggerFactory.getLogger("dev.debshrew.transform.guest");

    static final int TAIL_BYTES = 4096;
    static final int TAIL_LINES = 20;
    static final int MAX_LINE = 64 * 1024;

    private final String name;
    private final long height;
    private final long maxBytes;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final byte[] tail = new byte[TAIL_BYTES];
    private long tailWritten;
    private long written;
    private boolean capped;
    private final GuestLogListener listener;

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

    /** Handles one {@code __stdout} fragment. */
    public void stdout(byte[] fragment) {
        write(false, fragment);
    }

    /** Handles one {@code __stderr} fragment. */
    public void stderr(byte[] fragment) {
        synchronized (tail) {
            for (byte b : fragment) {
                tail[(int) (tailWritten++ % TAIL_BYTES)] = b;
            }
        }
        write(true, fragment);
    }

    private void write(boolean isErr, byte[] fragment) {
        if (capped) {
            return;
        }
        written += fragment.length;
        if (written > maxBytes) {
            capped = true;
            flush();
            GUEST.warn("[{}@{}] guest log output exceeded maxLogBytesPerBlock ({} bytes); "
                    + "further stdout/stderr of this block is dropped", name, height, maxBytes);
            return;
        }
        ByteArrayOutputStream buf = isErr ? err : out;
        int start = 0;
        for (int i = 0; i < fragment.length; i++) {
            if (fragment[i] == '\n') {
                buf.write(fragment, start, i - start);
                emit(isErr, buf);
                start = i + 1;
            }
        }
        buf.write(fragment, start, fragment.length - start);
        if (buf.size() > MAX_LINE) {
            emit(isErr, buf);
        }
    }

    /** Logs any unterminated line (end of block). */
    public void flush() {
        if (out.size() > 0) {
            emit(false, out);
        }
        if (err.size() > 0) {
            emit(true, err);
        }
    }

    private void emit(boolean isErr, ByteArrayOutputStream buf) {
        String line = buf.toString(StandardCharsets.UTF_8);
        buf.reset();
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        listener.line(height, isErr ? GuestLogListener.Stream.STDERR : GuestLogListener.Stream.STDOUT, line);
        if (isErr) {
            GUEST.warn("[{}@{}] {}", name, height, line);
        } else {
            GUEST.info("[{}@{}] {}", name, height, line);
        }
    }

    /** Whether the volume cap was hit in this block. */
    public boolean capped() {
        return capped;
    }

    /** The last lines (at most {@value #TAIL_LINES}, {@value #TAIL_BYTES} bytes) the guest wrote to stderr. */
    public String stderrTail() {
        byte[] bytes;
        boolean truncated;
        synchronized (tail) {
            int n = (int) Math.min(tailWritten, TAIL_BYTES);
            truncated = tailWritten > TAIL_BYTES;
            bytes = new byte[n];
            long from = tailWritten - n;
            for (int i = 0; i < n; i++) {
                bytes[i] = tail[(int) ((from + i) % TAIL_BYTES)];
            }
        }
        String s = new String(bytes, StandardCharsets.UTF_8);
        while (s.endsWith("\n") || s.endsWith("\r")) {
            s = s.substring(0, s.length() - 1);
        }
        String[] lines = s.split("\n", -1);
        if (lines.length > TAIL_LINES) {
            truncated = true;
            s = String.join("\n", java.util.Arrays.copyOfRange(lines, lines.length - TAIL_LINES, lines.length));
        }
        return truncated && !s.isEmpty() ? "...\n" + s : s;
    }
}
