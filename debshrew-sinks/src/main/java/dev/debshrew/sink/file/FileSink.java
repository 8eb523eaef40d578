package dev.debshrew.sink.file;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.Sink;
import dev.debshrew.sink.SinkException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Appends CDC messages as JSON lines to a file, with exactly-once output across crashes.
 *
 * <p>Commit protocol per {@link #flush}: append the block's lines, {@code fsync} the data file,
 * then atomically replace the cursor file {@code <path>.cursor} (written to a temporary file,
 * fsynced, renamed, directory fsynced). The cursor records the height, hash and the data file's
 * length at that commit. On {@link #open} the data file is truncated to the cursor's length, so
 * lines of a block whose commit did not finish disappear, and the pipeline resumes after the
 * cursor's block.
 *
 * <p>With {@code append=false} the sink starts from an empty file and no cursor every time it is
 * opened (the original debshrew's meaning of the option).
 */
public final class FileSink implements Sink {

    private final CdcCodec codec = new CdcCodec();
    private final FileSinkConfig config;
    private final Path cursorPath;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream(64 * 1024);
    private FileChannel channel;
    private long committedLength;

    public FileSink(FileSinkConfig config) {
        this.config = config;
        this.cursorPath = config.path().resolveSibling(config.path().getFileName() + ".cursor");
    }

    @Override
    public String name() {
        return "file:" + config.path();
    }

    /** The cursor file next to the data file. */
    public Path cursorPath() {
        return cursorPath;
    }

    @Override
    public Optional<Cursor> open() throws SinkException {
        Path path = config.path();
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (!config.append()) {
                Files.deleteIfExists(cursorPath);
                Files.deleteIfExists(path);
            }
            channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
            Optional<StoredCursor> stored = readCursor();
            long size = channel.size();
            if (stored.isEmpty()) {
                if (size > 0) {
                    throw new SinkException("file sink " + path + ": the file has " + size
                            + " bytes but no cursor file " + cursorPath + "; refusing to append to output of"
                            + " unknown origin (move the file away or set append=false to start over)");
                }
                committedLength = 0;
                return Optional.empty();
            }
            StoredCursor c = stored.get();
            if (c.length > size) {
                throw new SinkException("file sink " + path + ": cursor " + cursorPath + " says " + c.length
                        + " bytes were committed but the file has only " + size + " bytes (was it truncated or replaced?)");
            }
            if (c.length < size) {
                channel.truncate(c.length);
                channel.force(true);
            }
            committedLength = c.length;
            channel.position(committedLength);
            return Optional.of(c.cursor);
        } catch (IOException e) {
            throw new SinkException("file sink " + path + ": cannot open: " + e.getMessage(), e);
        }
    }

    @Override
    public void send(CdcMessage message) {
        codec.writeTo(pending, message);
        pending.write('\n');
    }

    @Override
    public void flush(Cursor cursor) throws SinkException {
        if (channel == null) {
            throw new IllegalStateException("file sink not open");
        }
        try {
            if (pending.size() > 0) {
                ByteBuffer buf = ByteBuffer.wrap(pending.toByteArray());
                while (buf.hasRemaining()) {
                    channel.write(buf);
                }
                if (config.fsync()) {
                    channel.force(false);
                }
                committedLength = channel.position();
                pending.reset();
            }
            writeCursor(cursor, committedLength);
        } catch (IOException e) {
            throw new SinkException("file sink " + config.path() + ": cannot commit block " + cursor + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        pending.reset();
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing uncommitted is lost by failing to close
            }
            channel = null;
        }
    }

    // --------------------------------------------------------------- cursor file

    private record StoredCursor(Cursor cursor, long length) {
    }

    private Optional<StoredCursor> readCursor() throws IOException, SinkException {
        if (!Files.exists(cursorPath)) {
            return Optional.empty();
        }
        JsonNode n;
        try {
            n = CdcCodec.mapper().readTree(Files.readAllBytes(cursorPath));
        } catch (IOException e) {
            throw new SinkException("file sink: cursor file " + cursorPath + " is not valid JSON: " + e.getMessage(), e);
        }
        if (n == null || !n.path("height").canConvertToLong() || !n.path("hash").isTextual()
                || !n.path("length").canConvertToLong()) {
            throw new SinkException("file sink: cursor file " + cursorPath
                    + " must hold {\"height\":H,\"hash\":\"...\",\"length\":N}, found: " + n);
        }
        return Optional.of(new StoredCursor(new Cursor(n.get("height").longValue(), n.get("hash").textValue()),
                n.get("length").longValue()));
    }

    private void writeCursor(Cursor cursor, long length) throws IOException {
        ObjectNode n = CdcCodec.mapper().createObjectNode();
        n.put("height", cursor.height());
        n.put("hash", cursor.hash());
        n.put("length", length);
        byte[] bytes = CdcCodec.mapper().writeValueAsBytes(n);
        Path tmp = cursorPath.resolveSibling(cursorPath.getFileName() + ".tmp");
        try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                c.write(buf);
            }
            if (config.fsync()) {
                c.force(true);
            }
        }
        try {
            Files.move(tmp, cursorPath, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + cursorPath + " does not support atomic rename", e);
        }
        if (config.fsync()) {
            fsyncDirectory(cursorPath.toAbsolutePath().getParent());
        }
    }

    private static void fsyncDirectory(Path dir) {
        if (dir == null) {
            return;
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // some platforms cannot open directories; the rename is still atomic
        }
    }
}
