package dev.debshrew.transform;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Resource limits and execution options for a {@link Transform}. Immutable; build with
 * {@link #builder()}, or use {@link #defaults()}.
 *
 * <table>
 *   <caption>Limits and defaults</caption>
 *   <tr><th>Setting</th><th>Default</th><th>On violation</th></tr>
 *   <tr><td>{@link #maxMemoryPages()}</td><td>1024 pages (64 MiB)</td>
 *       <td>a {@code memory.grow} past the cap fails the block ({@code MEMORY_LIMIT}); a grow
 *       refused by the module's own declared maximum just returns -1 to the guest, as in
 *       WebAssembly. If the module declares a larger INITIAL size, that size is used as the cap
 *       (the host never shrinks a module below its declared initial memory; a warning is logged at
 *       load).</td></tr>
 *   <tr><td>{@link #blockTimeout()}</td><td>30 s</td><td>{@code TIMEOUT}; the guest is interrupted
 *       and its instance discarded. Time spent waiting for the node inside {@code __view} calls does
 *       not count: only the host's own work for the block does (wall time minus node time)</td></tr>
 *   <tr><td>{@link #maxStateBytes()}</td><td>64 MiB</td><td>{@code STATE_LIMIT}: the block's state
 *       writes (bytes of every written key plus every put value) exceed it; checked on every write, so
 *       a module writing state in a loop fails the block instead of exhausting the heap</td></tr>
 *   <tr><td>{@link #maxOutputBytes()}</td><td>64 MiB</td><td>{@code OUTPUT_TOO_LARGE} (checked on the
 *       LP length before copying; for the legacy ABI, on the total of pushed messages)</td></tr>
 *   <tr><td>{@link #maxViewCallsPerBlock()}</td><td>10 000</td><td>{@code VIEW_LIMIT}</td></tr>
 *   <tr><td>{@link #maxLogBytesPerBlock()}</td><td>1 MiB</td><td>NOT an error: further guest
 *       stdout/stderr output of the block is dropped after ONE warning (logging must never change
 *       the data stream); the last lines of both streams used in error messages are still kept</td></tr>
 *   <tr><td>{@link #useInterpreter()}</td><td>false</td><td>run in Chicory's interpreter instead of
 *       compiling to JVM bytecode (17-100x slower; for debugging)</td></tr>
 *   <tr><td>{@link #compileCacheDir()}</td><td>{@code null} (no disk cache)</td><td>directory where
 *       compiled modules are cached, keyed by the module's SHA-256</td></tr>
 * </table>
 */
public final class TransformLimits {

    /** Default memory cap in 64 KiB pages (64 MiB). */
    public static final int DEFAULT_MAX_MEMORY_PAGES = 1024;
    /** Default per-block wall-clock deadline. */
    public static final Duration DEFAULT_BLOCK_TIMEOUT = Duration.ofSeconds(30);
    /** Default cap on the state bytes (keys + values) one block may write (64 MiB). */
    public static final long DEFAULT_MAX_STATE_BYTES = 64L * 1024 * 1024;
    /** Default output cap (64 MiB). */
    public static final int DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;
    /** Default cap on {@code __view} calls per block. */
    public static final int DEFAULT_MAX_VIEW_CALLS_PER_BLOCK = 10_000;
    /** Default cap on logged guest output per block (1 MiB). */
    public static final int DEFAULT_MAX_LOG_BYTES_PER_BLOCK = 1024 * 1024;
    /**
     * Largest accepted memory cap, in pages (32767 pages, just under 2 GiB): the limit of Chicory's
     * {@code ByteArrayMemory}, which the host uses for guest memory.
     */
    public static final int MAX_MEMORY_PAGES_LIMIT = 32767;
    /** Largest accepted output cap (Java arrays are int-indexed). */
    public static final int MAX_OUTPUT_BYTES_LIMIT = Integer.MAX_VALUE - 16;

    private static final TransformLimits DEFAULTS = builder().build();

    private final int maxMemoryPages;
    private final Duration blockTimeout;
    private final int maxOutputBytes;
    private final long maxStateBytes;
    private final int maxViewCallsPerBlock;
    private final int maxLogBytesPerBlock;
    private final boolean useInterpreter;
    private final Path compileCacheDir;

    private TransformLimits(Builder b) {
        this.maxMemoryPages = b.maxMemoryPages;
        this.blockTimeout = b.blockTimeout;
        this.maxOutputBytes = b.maxOutputBytes;
        this.maxStateBytes = b.maxStateBytes;
        this.maxViewCallsPerBlock = b.maxViewCallsPerBlock;
        this.maxLogBytesPerBlock = b.maxLogBytesPerBlock;
        this.useInterpreter = b.useInterpreter;
        this.compileCacheDir = b.compileCacheDir;
    }

    /** The default limits. */
    public static TransformLimits defaults() {
        return DEFAULTS;
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these limits. */
    public Builder toBuilder() {
        return new Builder()
                .maxMemoryPages(maxMemoryPages)
                .blockTimeout(blockTimeout)
                .maxOutputBytes(maxOutputBytes)
                .maxStateBytes(maxStateBytes)
                .maxViewCallsPerBlock(maxViewCallsPerBlock)
                .maxLogBytesPerBlock(maxLogBytesPerBlock)
                .useInterpreter(useInterpreter)
                .compileCacheDir(compileCacheDir);
    }

    /** Memory cap in 64 KiB pages (never applied below a module's declared initial size). */
    public int maxMemoryPages() {
        return maxMemoryPages;
    }

    /**
     * Deadline for one block (instantiation, {@code process_block} and output decoding), measured in
     * wall time minus the time spent waiting for the node inside {@code __view} calls.
     */
    public Duration blockTimeout() {
        return blockTimeout;
    }

    /** Largest accepted output of one block, in bytes. */
    public int maxOutputBytes() {
        return maxOutputBytes;
    }

    /** Largest total of state bytes (written keys + put values) one block may write. */
    public long maxStateBytes() {
        return maxStateBytes;
    }

    /** Largest number of {@code __view} calls in one block. */
    public int maxViewCallsPerBlock() {
        return maxViewCallsPerBlock;
    }

    /** Largest amount of guest stdout/stderr logged for one block; beyond it output is dropped with one warning. */
    public int maxLogBytesPerBlock() {
        return maxLogBytesPerBlock;
    }

    /** Whether to use Chicory's interpreter instead of its runtime compiler. */
    public boolean useInterpreter() {
        return useInterpreter;
    }

    /** Directory for the on-disk compile cache, or {@code null} for none. */
    public Path compileCacheDir() {
        return compileCacheDir;
    }

    @Override
    public String toString() {
        return "TransformLimits[maxMemoryPages=" + maxMemoryPages + ", blockTimeout=" + blockTimeout
                + ", maxOutputBytes=" + maxOutputBytes + ", maxStateBytes=" + maxStateBytes + ", maxViewCallsPerBlock=" + maxViewCallsPerBlock
                + ", maxLogBytesPerBlock=" + maxLogBytesPerBlock + ", useInterpreter=" + useInterpreter
                + ", compileCacheDir=" + compileCacheDir + "]";
    }

    /** Builds {@link TransformLimits}; every setter validates its argument immediately. */
    public static final class Builder {
        private int maxMemoryPages = DEFAULT_MAX_MEMORY_PAGES;
        private Duration blockTimeout = DEFAULT_BLOCK_TIMEOUT;
        private int maxOutputBytes = DEFAULT_MAX_OUTPUT_BYTES;
        private long maxStateBytes = DEFAULT_MAX_STATE_BYTES;
        private int maxViewCallsPerBlock = DEFAULT_MAX_VIEW_CALLS_PER_BLOCK;
        private int maxLogBytesPerBlock = DEFAULT_MAX_LOG_BYTES_PER_BLOCK;
        private boolean useInterpreter;
        private Path compileCacheDir;

        private Builder() {
        }

        /**
         * Memory cap in 64 KiB pages.
         *
         * @throws IllegalArgumentException unless 1 .. {@link #MAX_MEMORY_PAGES_LIMIT}
         */
        public Builder maxMemoryPages(int pages) {
            if (pages < 1 || pages > MAX_MEMORY_PAGES_LIMIT) {
                throw new IllegalArgumentException("maxMemoryPages must be in 1.." + MAX_MEMORY_PAGES_LIMIT + ", got " + pages);
            }
            this.maxMemoryPages = pages;
            return this;
        }

        /**
         * Per-block deadline (node time inside {@code __view} excluded).
         *
         * @throws IllegalArgumentException unless positive
         */
        public Builder blockTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "blockTimeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("blockTimeout must be positive, got " + timeout);
            }
            this.blockTimeout = timeout;
            return this;
        }

        /**
         * Output cap in bytes.
         *
         * @throws IllegalArgumentException unless 1 .. {@link #MAX_OUTPUT_BYTES_LIMIT}
         */
        public Builder maxOutputBytes(int bytes) {
            if (bytes < 1 || bytes > MAX_OUTPUT_BYTES_LIMIT) {
                throw new IllegalArgumentException("maxOutputBytes must be in 1.." + MAX_OUTPUT_BYTES_LIMIT + ", got " + bytes);
            }
            this.maxOutputBytes = bytes;
            return this;
        }

        /**
         * Cap on the state bytes (written keys + put values) of one block.
         *
         * @throws IllegalArgumentException unless positive
         */
        public Builder maxStateBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxStateBytes must be >= 1, got " + bytes);
            }
            this.maxStateBytes = bytes;
            return this;
        }

        /**
         * Cap on {@code __view} calls per block (0 forbids views).
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder maxViewCallsPerBlock(int calls) {
            if (calls < 0) {
                throw new IllegalArgumentException("maxViewCallsPerBlock must be >= 0, got " + calls);
            }
            this.maxViewCallsPerBlock = calls;
            return this;
        }

        /**
         * Cap on logged guest output per block (0 silences the guest).
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder maxLogBytesPerBlock(int bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("maxLogBytesPerBlock must be >= 0, got " + bytes);
            }
            this.maxLogBytesPerBlock = bytes;
            return this;
        }

        /** Use Chicory's interpreter instead of its runtime compiler. */
        public Builder useInterpreter(boolean interpreter) {
            this.useInterpreter = interpreter;
            return this;
        }

        /** Directory for the compile cache (created when needed), or {@code null} for none. */
        public Builder compileCacheDir(Path dir) {
            this.compileCacheDir = dir;
            return this;
        }

        /** The limits. */
        public TransformLimits build() {
            return new TransformLimits(this);
        }
    }
}
