package dev.debshrew.transform.internal;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.InterpreterMachine;
import com.dylibso.chicory.runtime.MStack;
import com.dylibso.chicory.runtime.StackFrame;
import com.dylibso.chicory.runtime.TrapException;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Chicory's interpreter, recording where a trap happened: when a {@link TrapException} leaves the
 * innermost function, the wasm call stack at that moment (function index and instruction position
 * of each frame) is attached to it as a suppressed {@link Frames}, for {@link TrapReport}. The
 * compiled machine needs no such help: its Java stack trace names the functions.
 */
public final class TracingInterpreter extends InterpreterMachine {

    /** {@code StackFrame.toString()}: {@code name[index]\n\tpc=N locals=[..]}. */
    private static final Pattern FRAME = Pattern.compile("\\[(\\d+)]\\s*pc=(\\d+)");
    private static final int MAX_FRAMES = 64;

    /** The machine of {@code instance} (a {@code Function<Instance, Machine>} for Chicory). */
    public TracingInterpreter(Instance instance) {
        super(instance);
    }

    @Override
    protected void eval(MStack stack, Instance instance, Deque<StackFrame> callStack) {
        try {
            super.eval(stack, instance, callStack);
        } catch (TrapException e) {
            if (Frames.of(e) == null) {
                e.addSuppressed(new Frames(frames(callStack)));
            }
            throw e;
        }
    }

    private static List<int[]> frames(Deque<StackFrame> callStack) {
        List<int[]> frames = new ArrayList<>();
        for (StackFrame f : callStack) {
            if (frames.size() == MAX_FRAMES) {
                break;
            }
            Matcher m = FRAME.matcher(f.toString());
            if (m.find()) {
                frames.add(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))});
            }
        }
        return frames;
    }

    /** The wasm call stack of a trap, innermost first: {function index, position after the current instruction}. */
    static final class Frames extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient List<int[]> frames;

        Frames(List<int[]> frames) {
            super("wasm call stack of the trap", null, false, false);
            this.frames = List.copyOf(frames);
        }

        List<int[]> frames() {
            return frames;
        }

        /** The frames attached to {@code t}, or null. */
        static Frames of(Throwable t) {
            for (Throwable s : t.getSuppressed()) {
                if (s instanceof Frames f) {
                    return f;
                }
            }
            return null;
        }
    }
}
