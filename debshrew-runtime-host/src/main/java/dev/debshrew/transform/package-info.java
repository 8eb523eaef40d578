/**
 * Runs debshrew transform modules (WebAssembly, {@code wasm32-unknown-unknown}) in Chicory.
 *
 * <p>Entry point: {@link dev.debshrew.transform.Transform#load(java.nio.file.Path, TransformLimits)}
 * once per module, then {@link dev.debshrew.transform.Transform#process(BlockContext, ViewSource, StateReader)}
 * once per block, in height order. Each block runs in a fresh instance on the transform's worker
 * thread under {@link dev.debshrew.transform.TransformLimits}; the result is a
 * {@link dev.debshrew.transform.BlockOutput} (validated CDC messages + the block's
 * {@link dev.debshrew.transform.StateChanges}), or a
 * {@link dev.debshrew.transform.TransformExecutionException} and nothing else.
 *
 * <h2>Host imports (module {@code env}), as implemented</h2>
 * <ul>
 *   <li>{@code __height() -> i32}: the block height.</li>
 *   <li>{@code __block_hash() -> i32}: stages the 32 hash bytes (display order) and returns 32.</li>
 *   <li>{@code __view(name_ptr, input_ptr) -> i32}: calls {@link dev.debshrew.transform.ViewSource};
 *       stages the result and returns its length. Never -1: a failing view aborts the block
 *       ({@code VIEW_FAILED}, the view's exception as cause). Counted against
 *       {@code maxViewCallsPerBlock}; the time spent in it does not count against {@code blockTimeout}.</li>
 *   <li>{@code __load(dst_ptr)}: copies the staged bytes to {@code dst_ptr} (no length prefix).</li>
 *   <li>{@code __stdout(ptr)}, {@code __stderr(ptr)}: UTF-8 text, buffered to whole lines, logged
 *       at INFO / WARN on logger {@code dev.debshrew.transform.guest} as {@code [name@height] line}.</li>
 *   <li>{@code __get_state(key_ptr) -> i32}: stages the value and returns its length; returns
 *       <b>-1 when the key is absent</b> (0 means a present, empty value). Reads see the block's own
 *       writes first, then the committed {@link dev.debshrew.transform.StateReader}.</li>
 *   <li>{@code __set_state(key_ptr, val_ptr) -> i32}: records the write, returns 0. The block's
 *       writes are capped by {@code maxStateBytes} ({@code STATE_LIMIT}).</li>
 *   <li>{@code __delete_state(key_ptr) -> i32}: records a delete; returns 1 if the key existed
 *       (in this block's writes or, failing that, in committed state), else 0.</li>
 *   <li>{@code __push_cdc_message(ptr) -> i32} (legacy ABI only): one JSON message, validated on
 *       the spot; returns 0.</li>
 * </ul>
 * All pointers point at the u32 little-endian length prefix of an "LP buffer" and are
 * bounds-checked; a bad one fails the block with {@code BAD_POINTER}.
 */
package dev.debshrew.transform;
