package dev.debshrew.sink.file;

import dev.debshrew.sink.SinkException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An OS file lock ({@link FileChannel#tryLock()}) on {@code <path>.lock} beside a file sink's output,
 * held from {@link FileSink#open} to {@link FileSink#close}: two processes never write one output,
 * even with different {@code data_dir}s (docs/operations.md, "Standby pair"). The operating system
 * releases it when the process ends, {@code kill -9} included.
 *
 * <p>POSIX locks belong to the process, and closing any descriptor of the file drops them: within
 * one JVM a file already locked here is refused from memory, without opening it.
 */
final class OutputLock implements AutoCloseable {

    private static final Set<Path> HELD_HERE = ConcurrentHashMap.newKeySet();

    private final FileChannel channel;
    private final Path key;

    private OutputLock(FileChannel channel, Path key) {
        this.channel = channel;
        this.key = key;
    }

    /**
     * Locks {@code lockFile} (created if missing, with its directory: the output's, which the sink
     * creates anyway).
     *
     * @throws SinkException (not retriable) when another process, or another sink of this one, holds it, or
     *                       the file cannot be created
     */
    static OutputLock take(Path lockFile, Path output) throws SinkException {
        Path key = lockFile.toAbsolutePath().normalize();
        if (!HELD_HERE.add(key)) {
            throw held(lockFile, output);
        }
        FileChannel channel = null;
        FileLock lock = null;
        try {
            Path dir = key.getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = channel.tryLock();
        } catch (IOException | OverlappingFileLockException e) {
            release(channel, key);
            throw new SinkException("file sink " + output + ": cannot lock " + lockFile + ": " + e, e);
        }
        if (lock == null) {
            release(channel, key);
            throw held(lockFile, output);
        }
        return new OutputLock(channel, key);
    }

    private static SinkException held(Path lockFile, Path output) {
        return new SinkException("file sink " + output + ": its lock file " + lockFile + " is held by another"
                + " process: another debshrew writes this output (two pipelines must not share a file sink path)");
    }

    private static void release(FileChannel channel, Path key) {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // the descriptor is gone either way
        } finally {
            HELD_HERE.remove(key);
        }
    }

    /** Releases the lock. Idempotent. */
    @Override
    public void close() {
        if (channel.isOpen()) {
            release(channel, key);
        }
    }
}
