package dev.debshrew.transform.internal;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import dev.debshrew.cdc.CdcCodec;
import dev.debshrew.cdc.CdcFormatException;
import dev.debshrew.cdc.CdcMessage;
import dev.debshrew.transform.BlockContext;
import dev.debshrew.transform.GuestLogListener;
import dev.debshrew.transform.StateChanges;
import dev.debshrew.transform.StateReader;
import dev.debshrew.transform.TransformExecutionException.Kind;
import dev.debshrew.transform.TransformLimits;
import dev.debshrew.transform.ViewSource;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Host-side state of one block's guest instance and the implementation of the {@code env}
 * imports. One session per block; discarded with the instance.
 *
 * <p>{@code __get_state} returns the value's length after staging it, or {@code -1} when the key
 * is absent (an empty value is a present key of length 0). Reads see this block's own writes
 * first ({@link StateChanges}), then the committed state ({@link StateReader}).
 *
 * <p>A failing {@code __view} (any exception from the {@link ViewSource}, or a {@code null} result)
 * aborts the guest at once with {@link Kind#VIEW_FAILED}, the view's exception as the cause: a node
 * failure is never handed to the guest as {@code -1}. Time spent inside {@code __view} stops the
 * block's {@link GuestClock}. State writes beyond {@link TransformLimits#maxStateBytes()} abort the
 * guest with {@link Kind#STATE_LIMIT}.
 */
public final class BlockSession {

    private static final byte[] EMPTY = new byte[0];
    private static final long[] NO_RESULT = null;

    private final String name;
    private final long height;
    private final byte[] blockHash;
    private final ViewSource views;
    private final StateReader state;
    private final TransformLimits limits;
    private final CdcCodec codec;
    private final StateChanges changes = new StateChanges();
    private final GuestLog log;
    private final GuestClock clock = new GuestClock();
    private final List<CdcMessage> pushed = new ArrayList<>();
    private long pushedBytes;
    private byte[] staged = EMPTY;
    private int viewCalls;
    private volatile boolean cancelled;

    public BlockSession(String name, BlockContext block, ViewSource views, StateReader state,
            TransformLimits limits, CdcCodec codec) {
        this(name, block, views, state, limits, codec, GuestLogListener.NONE);
    }

    /** A session whose guest log lines also go to {@code logLines}. */
    public BlockSession(String name, BlockContext block, ViewSource views, StateReader state,
            TransformLimits limits, CdcCodec codec, GuestLogListener logLines) {
        this.name = name;
        this.height = block.height();
        this.blockHash = block.blockHash();
        this.views = views;
        this.state = state;
        this.limits = limits;
        this.codec = codec;
        this.log = new GuestLog(name, height, limits.maxLogBytesPerBlock(), logLines);
    }

    public long height() {
        return height;
    }

    public GuestLog log() {
        return log;
    }

    public StateChanges changes() {
        return changes;
    }

    /** Messages pushed through {@code __push_cdc_message} (legacy ABI), validated, in order. */
    public List<CdcMessage> pushed() {
        return pushed;
    }

    /** The time this block is charged against the deadline (node time excluded). */
    public GuestClock clock() {
        return clock;
    }

    public int viewCalls() {
        return viewCalls;
    }

    /**
     * Marks the block as abandoned (deadline passed): every further host call throws
     * {@link ChicoryInterruptedException}, so a guest keeps stopping even if an interrupt was lost.
     */
    public void cancel() {
        cancelled = true;
    }

    /** Import values for exactly the {@code env} functions the module imports. */
    public ImportValues imports(Set<String> imported) {
        List<ImportFunction> fns = new ArrayList<>(imported.size());
        for (String fn : imported) {
            WasmFunctionHandle h = handle(fn);
            WasmFunctionHandle guarded = (inst, args) -> {
                if (cancelled) {
                    throw new ChicoryInterruptedException("block abandoned at its deadline");
                }
                return h.apply(inst, args);
            };
            fns.add(new HostFunction(Abi.MODULE, fn, Abi.IMPORTS.get(fn), guarded));
        }
        return ImportValues.builder().withFunctions(fns).build();
    }

    private WasmFunctionHandle handle(String fn) {
        return switch (fn) {
            case Abi.HEIGHT -> (inst, args) -> new long[] {height};
            case Abi.BLOCK_HASH -> (inst, args) -> {
                staged = blockHash;
                return new long[] {blockHash.length};
            };
            case Abi.VIEW -> (inst, args) -> new long[] {view(inst.memory(), args[0], args[1])};
            case Abi.LOAD -> (inst, args) -> {
                GuestMemory.write(inst.memory(), GuestMemory.u32(args[0]), staged, Abi.LOAD);
                return NO_RESULT;
            };
            case Abi.STDOUT -> (inst, args) -> {
                log.stdout(GuestMemory.readLp(inst.memory(), GuestMemory.u32(args[0]), Abi.STDOUT));
                return NO_RESULT;
            };
            case Abi.STDERR -> (inst, args) -> {
                log.stderr(GuestMemory.readLp(inst.memory(), GuestMemory.u32(args[0]), Abi.STDERR));
                return NO_RESULT;
            };
            case Abi.GET_STATE -> (inst, args) -> new long[] {getState(inst.memory(), args[0])};
            case Abi.SET_STATE -> (inst, args) -> {
                Memory m = inst.memory();
                byte[] key = GuestMemory.readLp(m, GuestMemory.u32(args[0]), Abi.SET_STATE + " key");
                byte[] value = GuestMemory.readLp(m, GuestMemory.u32(args[1]), Abi.SET_STATE + " value");
                changes.put(key, value);
                checkStateBytes();
                return new long[] {0};
            };
            case Abi.DELETE_STATE -> (inst, args) -> new long[] {deleteState(inst.memory(), args[0])};
            case Abi.PUSH_CDC_MESSAGE -> (inst, args) -> new long[] {push(inst.memory(), args[0])};
            default -> throw new IllegalArgumentException("unknown import " + fn);
        };
    }

    private int view(Memory m, long namePtr, long inputPtr) {
        byte[] nameBytes = GuestMemory.readLp(m, GuestMemory.u32(namePtr), Abi.VIEW + " name");
        byte[] input = GuestMemory.readLp(m, GuestMemory.u32(inputPtr), Abi.VIEW + " input");
        if (++viewCalls > limits.maxViewCallsPerBlock()) {
            throw new HostAbort(Kind.VIEW_LIMIT, "more than maxViewCallsPerBlock = "
                    + limits.maxViewCallsPerBlock() + " __view calls in one block");
        }
        String viewName = new String(nameBytes, StandardCharsets.UTF_8);
        byte[] result;
        clock.enterNode();
        try {
            result = views.view(viewName, input, height);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChicoryInterruptedException("interrupted during view '" + viewName + "'", e);
        } catch (Exception e) {
            if (cancelled || Thread.currentThread().isInterrupted() || e instanceof java.io.InterruptedIOException
                    || e instanceof java.nio.channels.ClosedByInterruptException) {
                throw new ChicoryInterruptedException("interrupted during view '" + viewName + "'", e);
            }
            throw new HostAbort(Kind.VIEW_FAILED, "view '" + viewName + "' failed: " + e.getMessage()
                    + "; the block was aborted (a node failure is never returned to the guest)", e);
        } finally {
            clock.leaveNode();
        }
        if (result == null) {
            throw new HostAbort(Kind.VIEW_FAILED, "view '" + viewName + "' returned no result (null)");
        }
        staged = result;
        return result.length;
    }

    private int getState(Memory m, long keyPtr) {
        byte[] key = GuestMemory.readLp(m, GuestMemory.u32(keyPtr), Abi.GET_STATE + " key");
        byte[] value = lookup(key);
        if (value == null) {
            staged = EMPTY;
            return -1;
        }
        staged = value;
        return value.length;
    }

    private int deleteState(Memory m, long keyPtr) {
        byte[] key = GuestMemory.readLp(m, GuestMemory.u32(keyPtr), Abi.DELETE_STATE + " key");
        boolean existed = lookup(key) != null;
        changes.delete(key);
        checkStateBytes();
        return existed ? 1 : 0;
    }

    private void checkStateBytes() {
        if (changes.bytes() > limits.maxStateBytes()) {
            throw new HostAbort(Kind.STATE_LIMIT, "the block wrote " + changes.bytes() + " bytes of state (keys +"
                    + " values of " + changes.size() + " keys), more than maxStateBytes = " + limits.maxStateBytes()
                    + " (option transform.max_state_bytes); the block's state changes were discarded");
        }
    }

    private byte[] lookup(byte[] key) {
        if (changes.contains(key)) {
            return changes.get(key);
        }
        try {
            return state.get(key);
        } catch (RuntimeException e) {
            throw new HostAbort(Kind.HOST_ERROR, "state store read failed: " + e, e);
        }
    }

    private int push(Memory m, long ptr) {
        long p = GuestMemory.u32(ptr);
        long len = GuestMemory.lpLength(m, p, Abi.PUSH_CDC_MESSAGE);
        if (pushedBytes + len > limits.maxOutputBytes()) {
            throw new HostAbort(Kind.OUTPUT_TOO_LARGE, "pushed messages total " + (pushedBytes + len)
                    + " bytes, more than maxOutputBytes = " + limits.maxOutputBytes());
        }
        byte[] json = GuestMemory.readLpData(m, p, len, Abi.PUSH_CDC_MESSAGE);
        pushedBytes += len;
        try {
            pushed.add(codec.decodeTransformMessage(json));
        } catch (CdcFormatException e) {
            throw new HostAbort(Kind.INVALID_OUTPUT, "pushed message #" + pushed.size() + " is invalid: "
                    + e.getMessage(), e);
        }
        return 0;
    }
}
