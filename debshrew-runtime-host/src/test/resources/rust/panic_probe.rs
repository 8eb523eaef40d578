//! Test transform (GuestDiagnosticsRustTest): panics the way real transforms do. It installs a panic
//! hook writing the message to __stderr, as debshrew-runtime's declare_transform! does.
//! Height 0: std::time::SystemTime::now() (not implemented on wasm32-unknown-unknown).
//! Height 1: an index out of bounds in `pick`.
use std::panic;

#[link(wasm_import_module = "env")]
extern "C" {
    fn __height() -> i32;
    fn __stderr(ptr: i32);
}

fn stderr(s: &str) {
    let mut buf = Vec::with_capacity(4 + s.len());
    buf.extend_from_slice(&(s.len() as u32).to_le_bytes());
    buf.extend_from_slice(s.as_bytes());
    unsafe { __stderr(buf.as_ptr() as i32) };
}

#[inline(never)]
fn pick(v: &[u32], i: usize) -> u32 {
    v[i]
}

#[no_mangle]
pub extern "C" fn process_block() -> i32 {
    panic::set_hook(Box::new(|info| stderr(&format!("transform panicked: {info}\n"))));
    let h = unsafe { __height() };
    if h == 0 {
        let now = std::time::SystemTime::now();
        return now.duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i32).unwrap_or(0);
    }
    pick(&[1, 2, 3], h as usize + 2) as i32
}
