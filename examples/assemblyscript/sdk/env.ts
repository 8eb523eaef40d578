// Raw host imports of the debshrew transform ABI v1 (module "env").
// See shared/spec/transform-abi.md. Every pointer argument points AT the
// u32 little-endian length prefix of an "LP buffer" ([u32 len][len bytes]).
// Prefer the typed wrappers in host.ts.

/** Height of the block being processed. */
@external("env", "__height")
export declare function __height(): i32;

/** Stages the 32 block-hash bytes (display order) for __load; returns 32. */
@external("env", "__block_hash")
export declare function __block_hash(): i32;

/** Calls a metashrew view; stages the result; returns its length or -1. */
@external("env", "__view")
export declare function __view(namePtr: usize, inputPtr: usize): i32;

/** Copies the whole staged buffer to dst (no length prefix written). */
@external("env", "__load")
export declare function __load(dst: usize): void;

/** Writes an LP buffer of UTF-8 text to the host log (INFO). */
@external("env", "__stdout")
export declare function __stdout(ptr: usize): void;

/** Writes an LP buffer of UTF-8 text to the host log (WARN). */
@external("env", "__stderr")
export declare function __stderr(ptr: usize): void;

/** Stages the value of an LP key; returns its length, or -1 when absent. */
@external("env", "__get_state")
export declare function __get_state(keyPtr: usize): i32;

/** Writes key -> value (both LP); returns 0 on success, negative on failure. */
@external("env", "__set_state")
export declare function __set_state(keyPtr: usize, valuePtr: usize): i32;

/** Deletes an LP key; returns 1 if it existed, 0 otherwise. */
@external("env", "__delete_state")
export declare function __delete_state(keyPtr: usize): i32;
