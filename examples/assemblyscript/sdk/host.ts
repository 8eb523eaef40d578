// Typed wrappers over the host imports: the same surface as the Rust
// `debshrew-runtime` crate (get_height, get_block_hash, view, get_state,
// set_state, delete_state, println, eprintln).
import {
  __height, __block_hash, __view, __load, __stdout, __stderr,
  __get_state, __set_state, __delete_state,
} from "./env";
import { lpFromBytes, lpFromString, lpPtr } from "./lp";

/** Copies `len` staged bytes from the host into a new array. */
function loadStaged(len: i32): Uint8Array {
  const out = new Uint8Array(len);
  if (len > 0) __load(out.dataStart);
  return out;
}

/** Makes an LP buffer from a string (UTF-8) or a Uint8Array. */
function toLP<T>(value: T): ArrayBuffer {
  if (isString<T>()) {
    return lpFromString(changetype<string>(value));
  } else if (idof<T>() == idof<Uint8Array>()) {
    return lpFromBytes(changetype<Uint8Array>(value));
  } else {
    ERROR("expected a string or a Uint8Array");
    return unreachable();
  }
}

/** Height of the block being processed (get_height). */
export function getHeight(): u32 {
  return <u32>__height();
}

/** The 32 bytes of the block hash, in display order as staged by the host (get_block_hash). */
export function getBlockHash(): Uint8Array {
  const len = __block_hash();
  return loadStaged(len > 0 ? len : 0);
}

/**
 * Calls the metashrew view `name` with raw `input` at the height of the block
 * being processed. Returns the raw result, or null when the host reports failure.
 */
export function view(name: string, input: Uint8Array): Uint8Array | null {
  const n = lpFromString(name);
  const i = lpFromBytes(input);
  const len = __view(lpPtr(n), lpPtr(i));
  if (len < 0) return null;
  return loadStaged(len);
}

/** Value stored under `key` (string = UTF-8, or Uint8Array), or null when absent. */
export function getState<K>(key: K): Uint8Array | null {
  const k = toLP<K>(key);
  const len = __get_state(lpPtr(k));
  if (len < 0) return null;
  return loadStaged(len);
}

/** getState decoded as UTF-8, or null when absent. */
export function getStateString<K>(key: K): string | null {
  const v = getState<K>(key);
  if (v === null) return null;
  return String.UTF8.decode(v.buffer, false);
}

/** Stores `value` (string = UTF-8, or Uint8Array) under `key`; returns false if the host refused. */
export function setState<K, V>(key: K, value: V): bool {
  const k = toLP<K>(key);
  const v = toLP<V>(value);
  return __set_state(lpPtr(k), lpPtr(v)) >= 0;
}

/** Deletes `key`; returns true if it existed. */
export function deleteState<K>(key: K): bool {
  const k = toLP<K>(key);
  return __delete_state(lpPtr(k)) == 1;
}

/** Writes text to the host log at INFO (no newline added). */
export function print(s: string): void {
  __stdout(lpPtr(lpFromString(s)));
}

/** Writes a line to the host log at INFO. */
export function println(s: string): void {
  print(s + "\n");
}

/** Writes text to the host log at WARN (no newline added). */
export function eprint(s: string): void {
  __stderr(lpPtr(lpFromString(s)));
}

/** Writes a line to the host log at WARN. */
export function eprintln(s: string): void {
  eprint(s + "\n");
}
