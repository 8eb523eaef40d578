package dev.debshrew.transform.internal;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExportSection;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.ImportSection;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.MemoryImport;
import dev.debshrew.transform.AbiVersion;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the host needs to know about a transform module, checked once at load time: the imports
 * it uses (all from the supported set, with the right signatures), its ABI, its memory limits and
 * whether it exports {@code rollback}.
 *
 * @param abi detected ABI ({@link AbiVersion#LEGACY} iff it imports {@code __push_cdc_message})
 * @param imports the names of the {@code env} functions it imports
 * @param initialPages declared initial memory size
 * @param declaredMaxPages declared maximum memory size (65536 when absent)
 * @param hasRollback whether it exports {@code rollback: () -> i32}
 */
public record ModuleShape(AbiVersion abi, Set<String> imports, int initialPages, int declaredMaxPages,
        boolean hasRollback) {

    /**
     * Checks {@code module} and describes it.
     *
     * @throws IllegalArgumentException with a message meant for the user (without the module name)
     */
    public static ModuleShape inspect(WasmModule module) {
        ImportSection importSection = module.importSection();
        List<String> problems = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        List<FunctionType> importedFunctionTypes = new ArrayList<>();
        for (int i = 0; i < importSection.importCount(); i++) {
            Import imp = importSection.getImport(i);
            String full = imp.module() + "." + imp.name();
            if (imp instanceof FunctionImport fi) {
                FunctionType type = module.typeSection().getType(fi.typeIndex());
                importedFunctionTypes.add(type);
                FunctionType expected = Abi.MODULE.equals(imp.module()) ? Abi.IMPORTS.get(imp.name()) : null;
                if (expected == null) {
                    problems.add("unsupported import '" + full + "' (function " + Abi.signature(type) + ")"
                            + (imp.module().startsWith("wasi") ? ": WASI is not provided; build for wasm32-unknown-unknown" : ""));
                } else if (!expected.equals(type)) {
                    problems.add("import '" + full + "' has signature " + Abi.signature(type)
                            + ", expected " + Abi.signature(expected));
                } else {
                    names.add(imp.name());
                }
            } else {
                String kind = imp instanceof MemoryImport ? "memory (the module must define and export its own memory)"
                        : imp.importType().name().toLowerCase(java.util.Locale.ROOT);
                problems.add("unsupported import '" + full + "' of kind " + kind);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems)
                    + ". The host provides only these function imports (any subset may be imported):\n"
                    + Abi.supportedImports());
        }

        Export memory = export(module, Abi.EXPORT_MEMORY);
        if (memory == null || memory.exportType() != ExternalType.MEMORY) {
            throw new IllegalArgumentException(memory == null
                    ? "missing required export 'memory'"
                    : "export 'memory' must be a memory, found a " + memory.exportType().name().toLowerCase(java.util.Locale.ROOT));
        }
        if (module.memorySection().isEmpty() || module.memorySection().get().memoryCount() <= memory.index()) {
            throw new IllegalArgumentException("export 'memory' does not refer to a memory defined by the module");
        }
        MemoryLimits limits = module.memorySection().get().getMemory(memory.index()).limits();

        Export process = export(module, Abi.EXPORT_PROCESS_BLOCK);
        if (process == null || process.exportType() != ExternalType.FUNCTION) {
            throw new IllegalArgumentException(process == null
                    ? "missing required export 'process_block' (a function () -> i32)"
                    : "export 'process_block' must be a function () -> i32");
        }
        FunctionType processType = functionType(module, importedFunctionTypes, process.index());
        if (!Abi.VOID_TO_I32.equals(processType)) {
            throw new IllegalArgumentException("export 'process_block' has signature " + Abi.signature(processType)
                    + ", expected () -> i32");
        }
        Export rollback = export(module, Abi.EXPORT_ROLLBACK);
        boolean hasRollback = rollback != null && rollback.exportType() == ExternalType.FUNCTION
                && Abi.VOID_TO_I32.equals(functionType(module, importedFunctionTypes, rollback.index()));

        AbiVersion abi = names.contains(Abi.PUSH_CDC_MESSAGE) ? AbiVersion.LEGACY : AbiVersion.V1;
        return new ModuleShape(abi, Set.copyOf(names), limits.initialPages(), limits.maximumPages(), hasRollback);
    }

    private static Export export(WasmModule module, String name) {
        ExportSection exports = module.exportSection();
        for (int i = 0; i < exports.exportCount(); i++) {
            Export e = exports.getExport(i);
            if (e.name().equals(name)) {
                return e;
            }
        }
        return null;
    }

    private static FunctionType functionType(WasmModule module, List<FunctionType> imported, int index) {
        if (index < imported.size()) {
            return imported.get(index);
        }
        return module.functionSection().getFunctionType(index - imported.size(), module.typeSection());
    }
}
