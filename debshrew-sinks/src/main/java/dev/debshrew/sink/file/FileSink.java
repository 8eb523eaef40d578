package dev.debshrew.sink.file;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.sink.BlockChange;
import dev.debshrew.sink.Cursor;
import dev.debshrew.sink.Sink;
import dev.debshrew.sink.SinkBatch;
import dev.debshrew.sink.SinkException;
import dev.debshrew.sink.format.OutputFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends CDC messages as lines to a file (native JSON or the Debezium envelope), with
 * exactly-once output across crashes.
 *
 * <p>Commit protocol per {@link #commit} (one batch of blocks): append the batch's lines in one
 * write, {@code fsync} the data file once, then atomically replace the cursor file
 * {@code <path>.cursor} (written to a temporary file, fsynced, renamed, directory fsynced). The cursor records the height, hash, the number of the
 * data file ({@code file}: how many rotations happened before it) and its length at that commit.
 * On {@link #open} the current data file is truncated to the cursor's length, so lines of a batch
 * whose commit did not finish disappear, and the pipeline resumes after the cursor's block.
 *
 * <p>Rotation ({@code rotate_bytes}): after a commit that leaves the file at least that long, the
 * file is renamed {@code <path>.<n>} (n = its number + 1), a new empty {@code <path>} is created
 * and the cursor is rewritten as {@code file: n, length: 0}. A crash between the rename and the
 * new cursor leaves a cursor {@code file: n-1} with {@code <path>.<n>} present: {@link #open}
 * recognises it (the renamed file has exactly the committed length) and completes the rotation.
 * Recovery only ever truncates the current file; rotated files are never touched again.
 *
 * <p>From {@link #open} to {@link #close} the sink holds an OS file lock on {@code <path>.lock}
 * ({@link OutputLock}): a second process opening the same output fails instead of interleaving.
 *
 * <p>With {@code append=false}, a start without a cursor file (nothing committed yet: a fresh
 * pipeline) deletes an existing data file and its rotated files instead of refusing them; a start
 * with a cursor resumes exactly like {@code append=true}, so a restart keeps the committed output
 * and agrees with the daemon's durable state store.
 */
public final class FileSink implements Sink {

    private static final Logger log = LoggerFactory.getLogger(FileSink.class);

    private final FileSinkConfig config;
    private final OutputFormat format;
    private final Path cursorPath;
    private LineBuffer pending = new LineBuffer();
    private FileChannel channel;
    private OutputLock lock; // held from open() to close()
    /** Number of the current data file: rotations done so far. */
    private long fileNumber;
    private long committedLength;

    public FileSink(FileSinkConfig config) {
        this.config = config;
        this.format = config.format();
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

    /** The name the data file gets in its {@code n}-th rotation: {@code <path>.<n>}. */
    public Path rotatedPath(long n) {
        return config.path().resolveSibling(config.path().getFileName() + "." + n);
    }

    @Override
    public Optional<Cursor> open() throws SinkException {
        Path path = config.path();
        boolean took = lock == null;
        if (took) {
            lock = OutputLock.take(path.resolveSibling(path.getFileName() + ".lock"), path);
        }
        try {
            return openOutput();
        } catch (SinkException | RuntimeException e) {
            if (took) { // a failed open holds nothing
                lock.close();
                lock = null;
            }
            throw e;
        }
    }

    private Optional<Cursor> openOutput() throws SinkException {
        Path path = config.path();
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Optional<StoredCursor> stored = readCursor();
            if (stored.isEmpty() && !config.append()) {
                // A fresh start (nothing committed): replace whatever output is there. With a cursor the
                // pipeline is resuming, and its output must survive the restart like with append=true.
                Files.deleteIfExists(path);
                for (long n = 1; Files.deleteIfExists(rotatedPath(n)); n++) {
                    // rotated files of an earlier run
                }
            }
            if (stored.isEmpty()) {
                long size = Files.exists(path) ? Files.size(path) : 0;
                if (size > 0 || Files.exists(rotatedPath(1))) {
                    throw new SinkException("file sink " + path + ": " + (size > 0 ? "the file has " + size + " bytes"
                            : "rotated file " + rotatedPath(1) + " exists") + " but there is no cursor file "
                            + cursorPath + "; refusing to append to output of unknown origin (move the file(s) away"
                            + " or set append=false to start over)");
                }
                channel = openData();
                fileNumber = 0;
                committedLength = 0;
                return Optional.empty();
            }
            StoredCursor c = stored.get();
            fileNumber = c.file;
            Path next = rotatedPath(c.file + 1);
            if (Files.exists(next)) {
                completeInterruptedRotation(c, next);
                return Optional.of(c.cursor);
            }
            channel = openData();
            long size = channel.size();
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
            if (rotationDue()) {
                rotate(c.cursor); // the crash came after the commit, before the rotation began
            }
            return Optional.of(c.cursor);
        } catch (IOException e) {
            throw new SinkException("file sink " + path + ": cannot open: " + e.getMessage(), e);
        }
    }

    private FileChannel openData() throws IOException {
        return FileChannel.open(config.path(), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ);
    }

    /** A crash after the data file was renamed to {@code next} and before the cursor named the new file. */
    private void completeInterruptedRotation(StoredCursor c, Path next) throws IOException, SinkException {
        Path path = config.path();
        long renamed = Files.size(next);
        long current = Files.exists(path) ? Files.size(path) : 0;
        if (renamed != c.length || current != 0) {
            throw new SinkException("file sink " + path + ": cursor " + cursorPath + " refers to file number " + c.file
                    + " with " + c.length + " bytes, but " + next + " (" + renamed + " bytes) and " + path + " ("
                    + current + " bytes) exist; this is not an interrupted rotation. Move the extra file(s) away");
        }
        log.info("file sink {}: completing a rotation interrupted by a crash ({} is complete)", path, next);
        channel = openData();
        fileNumber = c.file + 1;
        committedLength = 0;
        syncDirectory();
        writeCursor(c.cursor);
    }

    /**
     * Commits the batch: its lines in one write, one {@code fsync} of the data file, then the
     * cursor file. A message's line is encoded with its index within its block.
     */
    @Override
    public void commit(SinkBatch batch) throws SinkException {
        if (channel == null) {
            throw new IllegalStateException("file sink not open");
        }
        Cursor cursor = batch.cursor();
        pending.reset();
        try {
            encode(batch);
            if (pending.size() > 0) {
                ByteBuffer buf = pending.view();
                while (buf.hasRemaining()) {
                    channel.write(buf);
                }
                if (config.fsync()) {
                    channel.force(false);
                }
            }
            long length = channel.position();
            long previous = committedLength;
            committedLength = length;
            try {
                writeCursor(cursor);
            } catch (IOException e) {
                committedLength = previous;
                throw e;
            }
        } catch (IOException e) {
            discardUncommitted();
            throw new SinkException("file sink " + config.path() + ": cannot commit " + batch + ": "
                    + e.getMessage(), e);
        } finally {
            pending = pending.size() > LineBuffer.KEEP ? new LineBuffer() : pending; // do not hold on to a huge batch
            pending.reset();
        }
        if (rotationDue()) {
            try {
                rotate(cursor);
            } catch (IOException e) {
                throw new SinkException("file sink " + config.path() + ": block " + cursor + " is committed, but"
                        + " rotating the file failed: " + e.getMessage() + "; the rotation completes at the next start",
                        e);
            }
        }
    }

    /** Encodes the batch's lines into {@link #pending}. */
    private void encode(SinkBatch batch) throws SinkException {
        for (BlockChange block : batch.blocks()) {
            List<CdcMessage> messages = block.messages();
            for (int i = 0; i < messages.size(); i++) {
                CdcMessage message = messages.get(i);
                byte[] line;
                try {
                    line = format.encode(message, i);
                } catch (RuntimeException e) {
                    throw new SinkException("file sink " + config.path() + ": cannot serialise the message of table '"
                            + message.payload().table() + "' key '" + message.payload().key() + "': " + e.getMessage(),
                            e);
                }
                pending.write(line, 0, line.length);
                pending.write('\n');
            }
        }
    }

    /** Cuts bytes written after the last commit (a failed commit), so that a retry does not append twice. */
    private void discardUncommitted() {
        try {
            if (channel != null && channel.size() > committedLength) {
                channel.truncate(committedLength);
            }
            if (channel != null) {
                channel.position(committedLength);
            }
        } catch (IOException ignored) {
            // open() truncates to the cursor anyway
        }
    }

    private boolean rotationDue() {
        return config.rotateBytes() > 0 && committedLength >= config.rotateBytes();
    }

    /** Renames the (fully committed) data file to {@code <path>.<n+1>} and starts a new one. */
    private void rotate(Cursor cursor) throws IOException {
        Path path = config.path();
        Path target = rotatedPath(fileNumber + 1);
        if (Files.exists(target)) {
            throw new IOException("cannot rotate: " + target + " already exists (refusing to overwrite it)");
        }
        channel.close();
        channel = null;
        try {
            Files.move(path, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + path + " does not support atomic rename", e);
        }
        channel = openData();
        syncDirectory();
        fileNumber++;
        committedLength = 0;
        writeCursor(cursor);
        log.info("file sink: rotated {} to {} after block {}", path, target, cursor.height());
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
        if (lock != null) {
            lock.close();
            lock = null;
        }
    }

    // --------------------------------------------------------------- cursor file

    /** A committed cursor: block, number of the data file it refers to, and that file's committed length. */
    private record StoredCursor(Cursor cursor, long file, long length) {
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
                || !n.path("length").canConvertToLong() || (n.has("file") && !n.get("file").canConvertToLong())) {
            throw new SinkException("file sink: cursor file " + cursorPath
                    + " must hold {\"height\":H,\"hash\":\"...\",\"file\":N,\"length\":N}, found: " + n);
        }
        return Optional.of(new StoredCursor(new Cursor(n.get("height").longValue(), n.get("hash").textValue()),
                n.path("file").asLong(0), n.get("length").longValue()));
    }

    /** Atomically replaces the cursor file with {@code cursor}, the current file number and committed length. */
    private void writeCursor(Cursor cursor) throws IOException {
        ObjectNode n = CdcCodec.mapper().createObjectNode();
        n.put("height", cursor.height());
        n.put("hash", cursor.hash());
        n.put("file", fileNumber);
        n.put("length", committedLength);
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
        syncDirectory();
    }

    private void syncDirectory() {
        if (!config.fsync()) {
            return;
        }
        Path dir = cursorPath.toAbsolutePath().getParent();
        if (dir == null) {
            return;
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // some platforms cannot open directories; the rename is still atomic
        }
    }

    /** The lines of the batch being committed, written out without copying them again. */
    private static final class LineBuffer extends ByteArrayOutputStream {

        /** Largest buffer kept between commits (a group of blocks may need more, once). */
        static final int KEEP = 4 * 1024 * 1024;

        LineBuffer() {
            super(64 * 1024);
        }

        ByteBuffer view() {
            return ByteBuffer.wrap(buf, 0, count);
        }
    }
}
