//! Low-level helpers for the LP buffer convention (`[u32 LE length][bytes]`).

use std::alloc::{alloc, Layout};

/// Allocates `size` bytes (never freed; the instance is discarded after the call).
pub fn alloc_memory(size: usize) -> *mut u8 {
    let layout = Layout::array::<u8>(size.max(1)).expect("allocation too large");
    // SAFETY: layout has a non-zero size.
    unsafe { alloc(layout) }
}

/// `data` with its u32 little-endian length in front.
pub fn to_arraybuffer_layout(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + data.len());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(data);
    out
}

/// Reads the LP buffer at `ptr` (pointer at the length prefix).
///
/// # Safety
/// `ptr` must point to a valid LP buffer in this module's memory (wasm32 only).
pub unsafe fn ptr_to_vec(ptr: i32) -> Vec<u8> {
    let p = ptr as usize as *const u8;
    let mut len = [0u8; 4];
    std::ptr::copy_nonoverlapping(p, len.as_mut_ptr(), 4);
    let len = u32::from_le_bytes(len) as usize;
    std::slice::from_raw_parts(p.add(4), len).to_vec()
}

/// Copies `data` to `ptr`.
///
/// # Safety
/// `ptr` must be valid for `data.len()` bytes of writes (wasm32 only).
pub unsafe fn vec_to_ptr(data: &[u8], ptr: i32) {
    std::ptr::copy_nonoverlapping(data.as_ptr(), ptr as usize as *mut u8, data.len());
}
