//! Helpers for handing buffers to the host.

use crate::wasm;

/// `v` with its u32 little-endian length in front (LP buffer).
pub fn to_arraybuffer_layout<T: AsRef<[u8]>>(v: T) -> Vec<u8> {
    wasm::to_arraybuffer_layout(v.as_ref())
}

/// Leaks `v` as an LP buffer and returns the pointer to its length prefix. The memory is never
/// freed: the host reads it and then discards the instance.
pub fn export_bytes(v: Vec<u8>) -> i32 {
    let buf = Box::leak(to_arraybuffer_layout(&v).into_boxed_slice());
    buf.as_ptr() as usize as i32
}
