package dev.debshrew.transform.internal;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.TrapException;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcFormatException;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.transform.AbiVersion;
import dev.debshrew.transform.BlockOutput;
import dev.debshrew.transform.TransformExecutionException;
import dev.debshrew.transform.TransformExecutionException.Kind;
import dev.debshrew.transform.TransformLimits;
import java.util.List;
import java.util.function.Function;

/**
 * Runs one block in a fresh instance: instantiate, call {@code process_block}, read and validate
 * the output. Runs on the {@link Worker} thread; every failure becomes a
 * {@link TransformExecutionException}.
 */
public final class BlockRunner {

    private final String name;
    private final WasmModule module;
    private final ModuleShape shape;
    private final Function<Instance, Machine> machineFactory;
    private final TransformLimits limits;
    private final CdcCodec codec;
    private final int memoryCap;
    private final TrapReport trapReport;

    public BlockRunner(String name, WasmModule module, ModuleShape shape, Function<Instance, Machine> machineFactory,
            TransformLimits limits, CdcCodec codec) {
        this.name = name;
        this.module = module;
        this.shape = shape;
        this.machineFactory = machineFactory;
        this.limits = limits;
        this.codec = codec;
        this.memoryCap = effectiveMemoryCap(shape, limits);
        this.trapReport = new TrapReport(module);
    }

    /** The host cap in pages actually applied: the configured cap, never below the declared initial size. */
    public static int effectiveMemoryCap(ModuleShape shape, TransformLimits limits) {
        return Math.max(limits.maxMemoryPages(), shape.initialPages());
    }

    public CdcCodec codec() {
        return codec;
    }

    public int memoryCap() {
        return memoryCap;
    }

    /** Instantiates the module for {@code session}'s block (memory capped, imports bound to the session). */
    public Instance instantiate(BlockSession session) throws TransformExecutionException {
        try {
            return Instance.builder(module)
                    .withImportValues(session.imports(shape.imports()))
                    .withMemoryFactory(this::newMemory)
                    .withMachineFactory(machineFactory)
                    .build();
        } catch (Throwable t) {
            throw failure(session, t, Kind.INSTANTIATION, "instantiation failed");
        }
    }

    /**
     * Builds one instance without running the start function or data initialisation, to check
     * that the machine factory works (used after loading compiled code from the disk cache).
     */
    public void smokeTest() {
        BlockSession session = new BlockSession(name, new dev.debshrew.transform.BlockContext(0, new byte[32]),
                (n, i, h) -> null, dev.debshrew.transform.StateReader.EMPTY, limits, codec);
        Instance.builder(module)
                .withImportValues(session.imports(shape.imports()))
                .withMemoryFactory(this::newMemory)
                .withMachineFactory(machineFactory)
                .withInitialize(false)
                .withStart(false)
                .build();
    }

    /** Calls an export {@code () -> i32} of {@code instance}. */
    public int call(BlockSession session, Instance instance, String export) throws TransformExecutionException {
        try {
            long[] result = instance.export(export).apply();
            return (int) result[0];
        } catch (Throwable t) {
            throw failure(session, t, Kind.TRAP, "'" + export + "' trapped");
        }
    }

    /** Processes one block: runs {@code process_block}. */
    public BlockOutput run(BlockSession session) throws TransformExecutionException {
        return run(session, Abi.EXPORT_PROCESS_BLOCK);
    }

    /**
     * Runs {@code export} ({@code process_block} or {@code rollback}, both {@code () -> i32}) in a
     * fresh instance and interprets its result per the module's ABI.
     */
    public BlockOutput run(BlockSession session, String export) throws TransformExecutionException {
        Instance instance = instantiate(session);
        int ret = call(session, instance, export);
        List<CdcMessage> messages;
        if (shape.abi() == AbiVersion.LEGACY) {
            if (ret < 0) {
                throw error(session, Kind.NEGATIVE_RETURN, export + " returned " + ret + " (legacy ABI error)", null);
            }
            if (ret > 0) {
                throw error(session, Kind.INVALID_OUTPUT,
                        export + " returned " + ret + "; the legacy push ABI expects 0 (success) or -1 (error)", null);
            }
            messages = session.pushed();
        } else if (ret < 0) {
            throw error(session, Kind.NEGATIVE_RETURN, export + " returned " + ret, null);
        } else if (ret == 0) {
            messages = List.of();
        } else {
            messages = readOutput(session, instance.memory(), GuestMemory.u32(ret), export + " result");
        }
        return new BlockOutput(messages, session.changes());
    }

    private List<CdcMessage> readOutput(BlockSession session, Memory memory, long ptr, String what)
            throws TransformExecutionException {
        byte[] json;
        try {
            long len = GuestMemory.lpLength(memory, ptr, what);
            if (len > limits.maxOutputBytes()) {
                throw new HostAbort(Kind.OUTPUT_TOO_LARGE, "output of " + len + " bytes exceeds maxOutputBytes = "
                        + limits.maxOutputBytes());
            }
            json = GuestMemory.readLpData(memory, ptr, len, what);
        } catch (HostAbort a) {
            throw error(session, a.kind(), a.getMessage(), null);
        }
        try {
            return codec.decodeArray(json);
        } catch (CdcFormatException e) {
            throw error(session, Kind.INVALID_OUTPUT, "invalid output: " + e.getMessage(), e);
        }
    }

    private Memory newMemory(MemoryLimits declared) {
        int max = Math.min(declared.maximumPages(), Math.max(memoryCap, declared.initialPages()));
        MemoryLimits effective = new MemoryLimits(declared.initialPages(), max, declared.shared());
        return new CappedMemory(new ByteArrayMemory(effective), memoryCap, declared.maximumPages());
    }

    /** Builds the exception for a failure thrown by Chicory or a host function. */
    public TransformExecutionException failure(BlockSession session, Throwable t, Kind defaultKind, String what) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof HostAbort a) {
                return error(session, a.kind(), a.getMessage(), a.getCause());
            }
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ChicoryInterruptedException || c instanceof InterruptedException) {
                return error(session, Kind.TIMEOUT, "interrupted at the block deadline ("
                        + limits.blockTimeout() + ", blockTimeout)", t);
            }
            if (c instanceof StackOverflowError) {
                return error(session, Kind.TRAP, what + ": call stack exhausted"
                        + trapReport.describe(c, session.log().tail()), t);
            }
            if (c instanceof OutOfMemoryError) {
                return error(session, Kind.MEMORY_LIMIT, what + ": host Java heap exhausted (" + c.getMessage() + ")", t);
            }
        }
        if (t instanceof TrapException) {
            return error(session, defaultKind, what + ": " + t.getMessage() + trapReport.describe(t, session.log().tail()), t);
        }
        if (t instanceof ChicoryException) {
            return error(session, defaultKind, what + ": " + t.getMessage(), t);
        }
        return error(session, Kind.HOST_ERROR, what + ": unexpected host error: " + t, t);
    }

    public TransformExecutionException error(BlockSession session, Kind kind, String detail, Throwable cause) {
        return new TransformExecutionException(name, session.height(), kind, detail, session.log().stderrTail(),
                session.log().tail(), cause);
    }
}
