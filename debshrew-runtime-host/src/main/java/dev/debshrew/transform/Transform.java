package dev.debshrew.transform;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.InterpreterMachine;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.transform.TransformExecutionException.Kind;
import dev.debshrew.transform.internal.Abi;
import dev.debshrew.transform.internal.BlockRunner;
import dev.debshrew.transform.internal.BlockSession;
import dev.debshrew.transform.internal.FileCompileCache;
import dev.debshrew.transform.internal.ModuleShape;
import dev.debshrew.transform.internal.Worker;
import dev.debshrew.util.Hex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loaded transform module, ready to process blocks.
 *
 * <p>{@link #load} parses, validates and compiles the module ONCE (Chicory's runtime compiler, or
 * its interpreter when {@link TransformLimits#useInterpreter()}); an optional on-disk compile cache
 * keyed by the module's SHA-256 skips compilation on later loads. {@link #process} then runs each
 * block in a FRESH instance (guest globals and heap never carry over between blocks; persistent
 * state goes through the state imports), on a worker thread, under the configured
 * {@link TransformLimits}. The block deadline counts only the host's own work for the block, not
 * the time the guest waits for the node in {@code __view}; a failing view aborts the block
 * ({@link TransformExecutionException.Kind#VIEW_FAILED}), and no thread is left running a block
 * after {@link #process} returns.
 *
 * <p>Both guest ABIs are supported and detected from the imports: {@link AbiVersion#V1} and
 * {@link AbiVersion#LEGACY} (see {@code docs/spec/transform-abi.md}).
 *
 * <p>Thread-safe: concurrent {@link #process} calls run side by side, each on a worker thread of
 * its own (workers are created on demand and reused; the caller bounds the concurrency, e.g. the
 * engine's speculative execution). Close it to stop every worker thread.
 */
public final class Transform implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Transform.class);

    private final String name;
    private final String sha256;
    private final ModuleShape shape;
    private final TransformLimits limits;
    private final BlockRunner runner;
    /** Workers not running a block; more are created when every one is busy. */
    private final java.util.concurrent.ConcurrentLinkedDeque<Worker> idleWorkers = new java.util.concurrent.ConcurrentLinkedDeque<>();
    private final java.util.Set<Worker> workers = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final boolean loadedFromCompileCache;
    private volatile boolean closed;

    private Transform(String name, String sha256, ModuleShape shape, TransformLimits limits, BlockRunner runner,
            boolean loadedFromCompileCache) {
        this.name = name;
        this.sha256 = sha256;
        this.shape = shape;
        this.limits = limits;
        this.runner = runner;
        this.loadedFromCompileCache = loadedFromCompileCache;
    }

    /**
     * Loads the module in {@code wasmFile}; the transform is named after the file.
     *
     * @throws TransformLoadException if the file cannot be read or the module cannot be used
     *     (the message names the file and the problem)
     */
    public static Transform load(Path wasmFile, TransformLimits limits) throws TransformLoadException {
        String name = wasmFile.getFileName() == null ? wasmFile.toString() : wasmFile.getFileName().toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(wasmFile);
        } catch (IOException e) {
            throw new TransformLoadException(name, "transform '" + name + "': cannot read " + wasmFile + ": " + e, e);
        }
        return load(name, wasmFile.toString(), bytes, limits);
    }

    /**
     * Loads a module from bytes.
     *
     * @param name the transform's name, used in logs and errors
     * @throws TransformLoadException if the module cannot be used (the message names the problem)
     */
    public static Transform load(String name, byte[] wasm, TransformLimits limits) throws TransformLoadException {
        return load(name, null, wasm, limits);
    }

    private static Transform load(String name, String file, byte[] wasm, TransformLimits limits)
            throws TransformLoadException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(wasm, "wasm");
        Objects.requireNonNull(limits, "limits");
        String what = "transform '" + name + "'" + (file == null ? "" : " (" + file + ")");
        String sha256 = sha256(wasm);
        WasmModule module;
        try {
            module = Parser.parse(wasm);
        } catch (RuntimeException | StackOverflowError e) {
            throw new TransformLoadException(name, what + ": not a valid WebAssembly module: " + e.getMessage(), e);
        }
        ModuleShape shape;
        try {
            shape = ModuleShape.inspect(module);
        } catch (IllegalArgumentException e) {
            throw new TransformLoadException(name, what + ": " + e.getMessage(), e);
        }
        int cap = BlockRunner.effectiveMemoryCap(shape, limits);
        if (cap > limits.maxMemoryPages()) {
            LOG.warn("{} declares {} initial memory pages, more than maxMemoryPages = {}; using {} pages as its cap",
                    what, shape.initialPages(), limits.maxMemoryPages(), cap);
        }

        boolean fromCache = false;
        Function<Instance, Machine> machineFactory;
        long start = System.nanoTime();
        CdcCodec codec = new CdcCodec();
        BlockRunner runner;
        if (limits.useInterpreter()) {
            machineFactory = InterpreterMachine::new;
            runner = new BlockRunner(name, module, shape, machineFactory, limits, codec);
        } else {
            Path cacheDir = limits.compileCacheDir();
            if (cacheDir != null && ("unknown".equals(FileCompileCache.CHICORY_VERSION) || module.digest() == null)) {
                LOG.warn("{}: Chicory version or module digest unknown; compile cache disabled", what);
                cacheDir = null;
            }
            Compiled compiled = compile(module, cacheDir, what, name);
            machineFactory = compiled.factory();
            fromCache = compiled.fromCache();
            runner = new BlockRunner(name, module, shape, machineFactory, limits, codec);
            if (fromCache) {
                try {
                    runner.smokeTest();
                } catch (RuntimeException | LinkageError e) {
                    FileCompileCache cache = new FileCompileCache(cacheDir);
                    LOG.warn("{}: compiled code from cache entry {} does not load ({}); recompiling", what,
                            cache.file(module.digest()), e.toString());
                    cache.invalidate(module.digest());
                    compiled = compile(module, cacheDir, what, name);
                    machineFactory = compiled.factory();
                    runner = new BlockRunner(name, module, shape, machineFactory, limits, codec);
                    fromCache = false;
                }
            }
        }
        LOG.info("{} loaded: abi={}, sha256={}, imports={}, memory={}..{} pages (cap {}), {} in {} ms{}",
                what, shape.abi(), sha256, shape.imports(), shape.initialPages(), shape.declaredMaxPages(), cap,
                limits.useInterpreter() ? "interpreter" : "compiled",
                (System.nanoTime() - start) / 1_000_000, fromCache ? " (compile cache hit)" : "");
        return new Transform(name, sha256, shape, limits, runner, fromCache);
    }

    private record Compiled(Function<Instance, Machine> factory, boolean fromCache) {
    }

    private static Compiled compile(WasmModule module, Path cacheDir, String what, String name)
            throws TransformLoadException {
        if (cacheDir != null) {
            FileCompileCache cache = new FileCompileCache(cacheDir);
            try {
                Function<Instance, Machine> factory = MachineFactoryCompiler.builder(module).withCache(cache).compile();
                return new Compiled(factory, cache.hits() > 0);
            } catch (RuntimeException | LinkageError e) {
                // A corrupt or incompatible cache entry: drop it and compile from scratch.
                LOG.warn("{}: compile cache entry {} unusable ({}); recompiling", what,
                        cache.file(module.digest()), e.toString());
                cache.invalidate(module.digest());
            }
        }
        try {
            MachineFactoryCompiler.Builder builder = MachineFactoryCompiler.builder(module);
            if (cacheDir != null) {
                builder.withCache(new FileCompileCache(cacheDir));
            }
            return new Compiled(builder.compile(), false);
        } catch (RuntimeException | LinkageError e) {
            throw new TransformLoadException(name, what + ": compilation failed: " + e, e);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return Hex.encode(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The transform's name (the file name, or the name given at load). */
    public String name() {
        return name;
    }

    /** The ABI detected from the module's imports. */
    public AbiVersion abi() {
        return shape.abi();
    }

    /** Lowercase hex SHA-256 of the module bytes. */
    public String sha256() {
        return sha256;
    }

    /** The limits this transform runs under. */
    public TransformLimits limits() {
        return limits;
    }

    /** Whether the module exports {@code rollback: () -> i32} (the host never calls it unless asked). */
    public boolean hasRollbackExport() {
        return shape.hasRollback();
    }

    /** Whether compilation was skipped because {@link TransformLimits#compileCacheDir()} held this module. */
    public boolean loadedFromCompileCache() {
        return loadedFromCompileCache;
    }

    /** The memory cap in pages actually applied (the configured cap, or the module's larger declared initial size). */
    public int effectiveMaxMemoryPages() {
        return runner.memoryCap();
    }

    /**
     * Runs {@code process_block} for one block in a fresh instance.
     *
     * @param block the block (height and hash seen by the guest)
     * @param views answers {@code __view}
     * @param state committed state, read by {@code __get_state} / {@code __delete_state} after this block's own writes
     * @return the validated messages and the state changes; nothing is returned on failure
     * @throws TransformExecutionException on any guest failure or limit violation; the transform
     *     stays usable for the next block
     * @throws IllegalStateException if the transform is closed
     */
    public BlockOutput process(BlockContext block, ViewSource views, StateReader state) throws TransformExecutionException {
        return execute(Abi.EXPORT_PROCESS_BLOCK, block, views, state, GuestLogListener.NONE);
    }

    /**
     * {@link #process(BlockContext, ViewSource, StateReader)}, handing every guest log line of the
     * block to {@code logLines} as well (e.g. {@code debshrew test} prints them with the messages).
     */
    public BlockOutput process(BlockContext block, ViewSource views, StateReader state, GuestLogListener logLines)
            throws TransformExecutionException {
        return execute(Abi.EXPORT_PROCESS_BLOCK, block, views, state, Objects.requireNonNull(logLines, "logLines"));
    }

    /**
     * Module-driven rollback (optional; the host's own inversion of journaled messages remains the
     * source of truth, so only call this when configured to). Runs the module's {@code rollback}
     * export in a fresh instance for {@code block} (the block being undone), with the same imports
     * and limits as {@link #process}, and interprets its return value like {@code process_block}'s
     * (ABI v1: negative = error, 0 = no messages, positive = pointer to an LP buffer of a JSON
     * message array; legacy ABI: pushed messages).
     *
     * @throws IllegalStateException if the module does not export {@code rollback: () -> i32}, or the transform is closed
     * @throws TransformExecutionException on any guest failure or limit violation
     */
    public BlockOutput rollback(BlockContext block, ViewSource views, StateReader state) throws TransformExecutionException {
        if (!shape.hasRollback()) {
            throw new IllegalStateException("transform '" + name + "' does not export rollback: () -> i32");
        }
        return execute(Abi.EXPORT_ROLLBACK, block, views, state, GuestLogListener.NONE);
    }

    private BlockOutput execute(String export, BlockContext block, ViewSource views, StateReader state,
            GuestLogListener logLines) throws TransformExecutionException {
        Objects.requireNonNull(block, "block");
        Objects.requireNonNull(views, "views");
        Objects.requireNonNull(state, "state");
        if (closed) {
            throw new IllegalStateException("transform '" + name + "' is closed");
        }
        BlockSession session = new BlockSession(name, block, views, state, limits, runner.codec(), logLines);
        Worker worker = acquireWorker();
        Worker.Outcome<BlockOutput> outcome;
        try {
            outcome = worker.run(() -> {
                session.clock().start();
                return runner.run(session, export);
            }, limits.blockTimeout(), session.clock()::guestNanos, session::cancel);
        } finally {
            releaseWorker(worker);
        }
        if (outcome instanceof Worker.Completed<BlockOutput> c) {
            if (c.failure() == null) {
                return c.value();
            }
            if (c.failure() instanceof TransformExecutionException e) {
                throw e;
            }
            throw runner.failure(session, c.failure(), Kind.HOST_ERROR, export + " failed");
        }
        if (outcome instanceof Worker.TimedOut<BlockOutput>) {
            throw runner.error(session, Kind.TIMEOUT, export + " exceeded blockTimeout = " + limits.blockTimeout()
                    + " of guest time (" + session.clock().nodeNanos() / 1_000_000 + " ms waiting for the node"
                    + " not counted); guest interrupted and its instance discarded", null);
        }
        throw runner.error(session, Kind.HOST_ERROR, "interrupted while waiting for " + export + " to finish", null);
    }

    private Worker acquireWorker() {
        Worker w = idleWorkers.pollFirst();
        if (w == null) {
            w = new Worker(name);
            workers.add(w);
        }
        return w;
    }

    private void releaseWorker(Worker w) {
        if (closed) {
            workers.remove(w);
            w.close();
        } else {
            idleWorkers.addFirst(w);
        }
    }

    /** Number of worker threads created so far (one per block run at the same time). */
    public int workerCount() {
        return workers.size();
    }

    /** Stops every worker thread and waits (bounded) for them to end. Idempotent. */
    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) {
            w.close();
        }
    }

    @Override
    public String toString() {
        return "Transform[" + name + ", abi=" + shape.abi() + ", sha256=" + sha256 + "]";
    }
}
