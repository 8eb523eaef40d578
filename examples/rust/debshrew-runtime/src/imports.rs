//! Raw host imports (module `env`, ABI v1). Every pointer argument is an LP buffer
//! (`[u32 LE length][bytes]`, pointer at the length prefix); results are staged by the host and
//! copied into guest memory with [`__load`]. Prefer the safe wrappers at the crate root.
//!
//! Only present on `wasm32` targets; native builds use the mock host in [`crate::test_utils`].

#[link(wasm_import_module = "env")]
extern "C" {
    /// Copies the staged buffer to `output` (no length prefix is written).
    pub fn __load(output: i32);
    /// Calls a metashrew view at the current height; stages the result and returns its length,
    /// or -1 on failure.
    pub fn __view(view_name: i32, input: i32) -> i32;
    /// Logs UTF-8 text at INFO: one log line per line of text, and the text after the last newline as a line of its own.
    pub fn __stdout(s: i32);
    /// Logs UTF-8 text at WARN.
    pub fn __stderr(s: i32);
    /// Height of the block being processed.
    pub fn __height() -> i32;
    /// Stages the 32-byte block hash (display order) and returns 32.
    pub fn __block_hash() -> i32;
    /// Stages the value of a key and returns its length, or -1 if absent.
    pub fn __get_state(key: i32) -> i32;
    /// Writes key -> value; 0 on success, negative on failure.
    pub fn __set_state(key: i32, value: i32) -> i32;
    /// Deletes a key; 1 if it existed, 0 otherwise.
    pub fn __delete_state(key: i32) -> i32;
}
