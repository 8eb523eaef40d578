package dev.debshrew.transform.internal;

import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Names and signatures of the host imports (module {@code env}) and required exports. */
public final class Abi {

    public static final String MODULE = "env";

    public static final String HEIGHT = "__height";
    public static final String BLOCK_HASH = "__block_hash";
    public static final String VIEW = "__view";
    public static final String LOAD = "__load";
    public static final String STDOUT = "__stdout";
    public static final String STDERR = "__stderr";
    public static final String GET_STATE = "__get_state";
    public static final String SET_STATE = "__set_state";
    public static final String DELETE_STATE = "__delete_state";
    public static final String PUSH_CDC_MESSAGE = "__push_cdc_message";

    public static final String EXPORT_MEMORY = "memory";
    public static final String EXPORT_PROCESS_BLOCK = "process_block";
    public static final String EXPORT_ROLLBACK = "rollback";

    private static final List<ValType> NONE = List.of();
    private static final List<ValType> I32 = List.of(ValType.I32);
    private static final List<ValType> I32_I32 = List.of(ValType.I32, ValType.I32);

    /** {@code () -> i32}, the type of {@code process_block} and {@code rollback}. */
    public static final FunctionType VOID_TO_I32 = FunctionType.of(NONE, I32);

    /** Every import the host provides, in documentation order, with its signature. */
    public static final Map<String, FunctionType> IMPORTS = imports();

    private Abi() {
    }

    private static Map<String, FunctionType> imports() {
        Map<String, FunctionType> m = new LinkedHashMap<>();
        m.put(HEIGHT, FunctionType.of(NONE, I32));
        m.put(BLOCK_HASH, FunctionType.of(NONE, I32));
        m.put(VIEW, FunctionType.of(I32_I32, I32));
        m.put(LOAD, FunctionType.of(I32, NONE));
        m.put(STDOUT, FunctionType.of(I32, NONE));
        m.put(STDERR, FunctionType.of(I32, NONE));
        m.put(GET_STATE, FunctionType.of(I32, I32));
        m.put(SET_STATE, FunctionType.of(I32_I32, I32));
        m.put(DELETE_STATE, FunctionType.of(I32, I32));
        m.put(PUSH_CDC_MESSAGE, FunctionType.of(I32, I32));
        return java.util.Collections.unmodifiableMap(m);
    }

    /** Human-readable signature, e.g. {@code (i32, i32) -> i32}. */
    public static String signature(FunctionType t) {
        String params = t.params().stream().map(Abi::valType).collect(Collectors.joining(", ", "(", ")"));
        String returns = t.returns().isEmpty() ? "()"
                : t.returns().size() == 1 ? valType(t.returns().get(0))
                : t.returns().stream().map(Abi::valType).collect(Collectors.joining(", ", "(", ")"));
        return params + " -> " + returns;
    }

    private static String valType(ValType v) {
        return v.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The supported imports, one per line, for error messages. */
    public static String supportedImports() {
        return IMPORTS.entrySet().stream()
                .map(e -> "  " + MODULE + "." + e.getKey() + ": " + signature(e.getValue()))
                .collect(Collectors.joining("\n"));
    }
}
