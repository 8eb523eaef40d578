package dev.debshrew.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pipeline lock: an OS file lock ({@link FileChannel#tryLock()}, POSIX {@code fcntl} on Linux) on
 * {@code <data_dir>/debshrew.lock}, held by the one daemon that writes the pipeline's state and sinks.
 * The operating system releases it when the holder's process ends, however it ends ({@code kill -9}
 * included), so a standby can take over (docs/operations.md, "Standby pair"). The holder writes its
 * pid into the file, for the messages of the others.
 *
 * <p>POSIX locks belong to the process: closing any descriptor of the file would drop the lock, so
 * within one JVM a second attempt on a held file is answered from memory without opening it.
 */
public final class DataDirLock implements AutoCloseable {

    /** The lock file's name in {@code data_dir}. */
    public static final String FILE_NAME = "debshrew.lock";

    private static final Set<Path> HELD_HERE = ConcurrentHashMap.newKeySet();

    private final Path file;
    private final Path key;
    private final FileChannel channel;

    private DataDirLock(Path file, Path key, FileChannel channel) {
        this.file = file;
        this.key = key;
        this.channel = channel;
    }

    /** The lock file of {@code dataDir}. */
    public static Path file(Path dataDir) {
        return dataDir.resolve(FILE_NAME);
    }

    /**
     * Takes the lock of {@code dataDir} (created if missing) if no process holds it; empty when one
     * does. Never waits.
     *
     * @throws IOException when the directory or the lock file cannot be created or locked
     */
    public static Optional<DataDirLock> tryAcquire(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        Path file = file(dataDir);
        Path key = dataDir.toRealPath().resolve(FILE_NAME);
        if (!HELD_HERE.add(key)) {
            return Optional.empty();
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                HELD_HERE.remove(key);
                return Optional.empty();
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(true);
            return Optional.of(new DataDirLock(file, key, channel));
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            HELD_HERE.remove(key);
            throw e;
        }
    }

    /**
     * The pid the holder of {@code dataDir}'s lock wrote into the lock file, or {@code "unknown"}
     * (not written yet, or unreadable). Only for messages: the lock itself is the truth.
     */
    public static String holderPid(Path dataDir) {
        Path file = file(dataDir);
        try {
            if (HELD_HERE.contains(dataDir.toRealPath().resolve(FILE_NAME))) {
                return Long.toString(ProcessHandle.current().pid()); // reading it would drop our own lock
            }
            String pid = Files.readString(file, StandardCharsets.UTF_8).trim();
            return pid.matches("[0-9]{1,10}") ? pid : "unknown";
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The lock file. */
    public Path path() {
        return file;
    }

    /** Releases the lock (the file stays). Idempotent. */
    @Override
    public void close() {
        if (channel.isOpen()) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing the descriptor releases the lock whatever the error
            }
            HELD_HERE.remove(key);
        }
    }

    @Override
    public String toString() {
        return "DataDirLock[" + file + "]";
    }
}
