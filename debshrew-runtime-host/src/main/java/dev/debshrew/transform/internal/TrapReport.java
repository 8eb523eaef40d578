package dev.debshrew.transform.internal;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.AnnotatedInstruction;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExportSection;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.NameCustomSection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a trap happened and what it probably means, for the error of the block: the wasm functions
 * on the stack (innermost first) named from the module's name section (or its exports), with the
 * code offset of the trapping instruction when the interpreter ran it (the compiled machine does
 * not know offsets), and hints for the usual Rust failures: a panic (compiled with
 * {@code panic = "abort"} to the {@code unreachable} instruction) and {@code SystemTime::now()},
 * which panics on {@code wasm32-unknown-unknown}.
 */
final class TrapReport {

    /** Methods of Chicory's generated classes are named {@code func_<index>}. */
    private static final Pattern COMPILED_FRAME = Pattern.compile("func_(\\d+)");
    private static final String GENERATED = "com.dylibso.chicory.$gen.";
    /** Frames read from the trap (the panic runtime alone takes about 8 in a Rust module). */
    private static final int MAX_FRAMES = 64;
    /** Frames shown, from the first one outside the panic runtime. */
    private static final int SHOWN_FRAMES = 8;
    private static final java.util.Set<String> RUNTIME_CRATES = java.util.Set.of("core", "std", "alloc", "__rustc",
            "panic_abort", "panic_unwind");

    private final WasmModule module;
    private final int importedFunctions;

    TrapReport(WasmModule module) {
        this.module = module;
        int n = 0;
        for (int i = 0; i < module.importSection().importCount(); i++) {
            if (module.importSection().getImport(i) instanceof FunctionImport) {
                n++;
            }
        }
        this.importedFunctions = n;
    }

    /**
     * The location of the trap {@code t} and hints, to append to the error's detail ("" when
     * nothing is known).
     *
     * @param logTail the guest's last log lines (a panic hook writes the panic message there)
     */
    String describe(Throwable t, String logTail) {
        List<String> frames = frames(t);
        boolean panicPath = frames.stream().anyMatch(TrapReport::isPanicRuntime);
        int first = 0;
        while (panicPath && first < frames.size() && isRuntime(frames.get(first))) {
            first++;
        }
        if (first == frames.size()) {
            first = 0;
        }
        StringBuilder sb = new StringBuilder();
        int shownEnd = Math.min(frames.size(), first + SHOWN_FRAMES);
        for (int i = first; i < shownEnd; i++) {
            sb.append(i == first ? " in " : i == first + 1 ? ", called from " : " <- ").append(frames.get(i));
        }
        if (shownEnd < frames.size()) {
            sb.append(" <- ...");
        }
        if (first == 1) {
            sb.append(" (where it panicked; the frame above it, ").append(frames.get(0))
                    .append(", is the panic runtime)");
        } else if (first > 1) {
            sb.append(" (where it panicked; the ").append(first).append(" frames above it, from ")
                    .append(frames.get(first - 1)).append(" to ").append(frames.get(0))
                    .append(", are the panic runtime)");
        }
        String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
        String names = String.join(" ", frames).toLowerCase(Locale.ROOT);
        String log = logTail == null ? "" : logTail;
        if (log.contains("time not implemented on this platform") || names.contains("systemtime")
                || names.contains("std::time") || names.contains("::time::")) {
            sb.append("\nhint: std::time::SystemTime::now() (or Instant::now()) panics on wasm32-unknown-unknown"
                    + " (\"time not implemented on this platform\"): a transform has no clock. Use the block's own"
                    + " time (its header, e.g. through the getblock view), so that every run of a block gives"
                    + " the same messages.");
        }
        if (message.contains("unreachable")) {
            if (log.contains("panicked") || panicPath) {
                sb.append("\nhint: this looks like a Rust panic (with panic = \"abort\" a panic ends in the"
                        + " 'unreachable' instruction; so does an AssemblyScript abort). Its message is in the guest"
                        + " output below when the module writes it to __stderr first (the panic hook of"
                        + " debshrew-runtime's declare_transform! and the AssemblyScript SDK's abort do).");
            } else if (importedFunctions == 0) {
                sb.append("\nhint: the module imports no host function, so it cannot log anything; a Rust panic"
                        + " (panic = \"abort\") ends like this. Import __stderr (e.g. use debshrew-runtime) to see"
                        + " the panic message.");
            } else if (frames.isEmpty() || module.nameSection() == null) {
                sb.append("\nhint: keep the function names (the wasm 'name' section) to see where: Rust"
                        + " [profile.release] strip = false, AssemblyScript --debug; docs/transforms.md.");
            }
        }
        return sb.toString();
    }

    private List<String> frames(Throwable t) {
        List<String> out = new ArrayList<>();
        TracingInterpreter.Frames interpreted = TracingInterpreter.Frames.of(t);
        if (interpreted != null) {
            for (int[] f : interpreted.frames()) {
                if (out.size() == MAX_FRAMES) {
                    break;
                }
                out.add(function(f[0]) + offset(f[0], f[1]));
            }
            return out;
        }
        for (StackTraceElement e : t.getStackTrace()) {
            if (out.size() == MAX_FRAMES) {
                break;
            }
            Matcher m = COMPILED_FRAME.matcher(e.getMethodName());
            if (e.getClassName().startsWith(GENERATED) && m.matches()) {
                out.add(function(Integer.parseInt(m.group(1))));
            }
        }
        return out;
    }

    /** Whether {@code frame} is in the language's runtime: Rust's core/std, or AssemblyScript's ~lib. */
    private static boolean isRuntime(String frame) {
        int open = frame.indexOf('\'');
        int close = frame.indexOf('\'', open + 1);
        if (open < 0 || close < 0) {
            return false;
        }
        String name = frame.substring(open + 1, close);
        int sep = name.indexOf("::");
        String crate = sep < 0 ? "" : name.substring(0, sep);
        return name.startsWith("~lib/") || RUNTIME_CRATES.contains(crate) || name.startsWith("__rust")
                || name.startsWith("rust_") || name.contains("rust_begin_unwind");
    }

    /** Whether {@code frame} is the runtime's panic or abort path. */
    private static boolean isPanicRuntime(String frame) {
        String f = frame.toLowerCase(Locale.ROOT);
        return isRuntime(frame) && (f.contains("panic") || f.contains("abort"));
    }

    /** {@code 'name' (func[7])} (Rust names demangled), or {@code func[7]} when the module names it nowhere. */
    private String function(int index) {
        String name = null;
        NameCustomSection names = module.nameSection();
        if (names != null) {
            name = names.nameOfFunction(index);
        }
        if (name == null) {
            name = exportName(index);
        }
        return name == null ? "func[" + index + "]" : "'" + RustNames.demangle(name) + "' (func[" + index + "])";
    }

    private String exportName(int index) {
        ExportSection exports = module.exportSection();
        for (int i = 0; i < exports.exportCount(); i++) {
            Export e = exports.getExport(i);
            if (e.exportType() == ExternalType.FUNCTION && e.index() == index) {
                return e.name();
            }
        }
        return null;
    }

    /** The code offset of the instruction before position {@code pc} of function {@code index}, or "". */
    private String offset(int index, int pc) {
        int body = index - importedFunctions;
        try {
            List<AnnotatedInstruction> code = module.codeSection().getFunctionBody(body).instructions();
            if (pc < 1 || pc > code.size()) {
                return "";
            }
            return " at code offset 0x" + Integer.toHexString(code.get(pc - 1).address());
        } catch (RuntimeException e) {
            return "";
        }
    }
}
