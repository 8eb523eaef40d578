//! The single place that talks to the host. On wasm32 it encodes LP buffers and calls the
//! imports; elsewhere it uses the in-process mock host of `test_utils`.

#[cfg(target_arch = "wasm32")]
mod imp {
    use crate::imports;
    use crate::wasm::to_arraybuffer_layout;

    /// Copies `len` staged bytes out of the host.
    fn load(len: i32) -> Vec<u8> {
        let mut buf = vec![0u8; len as usize];
        if len > 0 {
            // SAFETY: buf has room for exactly the staged length.
            unsafe { imports::__load(buf.as_mut_ptr() as usize as i32) };
        }
        buf
    }

    fn ptr(lp: &[u8]) -> i32 {
        lp.as_ptr() as usize as i32
    }

    pub fn height() -> u32 {
        unsafe { imports::__height() as u32 }
    }

    pub fn block_hash() -> Vec<u8> {
        let len = unsafe { imports::__block_hash() };
        if len <= 0 {
            return Vec::new();
        }
        load(len)
    }

    pub fn view(name: &[u8], input: &[u8]) -> Result<Vec<u8>, i32> {
        let name = to_arraybuffer_layout(name);
        let input = to_arraybuffer_layout(input);
        let len = unsafe { imports::__view(ptr(&name), ptr(&input)) };
        if len < 0 {
            return Err(len);
        }
        Ok(load(len))
    }

    pub fn get_state(key: &[u8]) -> Option<Vec<u8>> {
        let key = to_arraybuffer_layout(key);
        let len = unsafe { imports::__get_state(ptr(&key)) };
        if len < 0 {
            return None;
        }
        Some(load(len))
    }

    pub fn set_state(key: &[u8], value: &[u8]) -> i32 {
        let key = to_arraybuffer_layout(key);
        let value = to_arraybuffer_layout(value);
        unsafe { imports::__set_state(ptr(&key), ptr(&value)) }
    }

    pub fn delete_state(key: &[u8]) -> bool {
        let key = to_arraybuffer_layout(key);
        unsafe { imports::__delete_state(ptr(&key)) > 0 }
    }

    pub fn stdout(s: &str) {
        let lp = to_arraybuffer_layout(s.as_bytes());
        unsafe { imports::__stdout(ptr(&lp)) }
    }

    pub fn stderr(s: &str) {
        let lp = to_arraybuffer_layout(s.as_bytes());
        unsafe { imports::__stderr(ptr(&lp)) }
    }

    /// Leaks the LP-framed output and returns the pointer to its prefix.
    pub fn return_output(lp: Vec<u8>) -> i32 {
        Box::leak(lp.into_boxed_slice()).as_ptr() as usize as i32
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use crate::test_utils::with_host;

    pub fn height() -> u32 {
        with_host(|h| h.height)
    }
    pub fn block_hash() -> Vec<u8> {
        with_host(|h| h.block_hash.clone())
    }
    pub fn view(name: &[u8], input: &[u8]) -> Result<Vec<u8>, i32> {
        let name = String::from_utf8_lossy(name).into_owned();
        with_host(|h| h.call_view(&name, input)).ok_or(-1)
    }
    pub fn get_state(key: &[u8]) -> Option<Vec<u8>> {
        with_host(|h| h.state.get(key).cloned())
    }
    pub fn set_state(key: &[u8], value: &[u8]) -> i32 {
        with_host(|h| h.state.insert(key.to_vec(), value.to_vec()));
        0
    }
    pub fn delete_state(key: &[u8]) -> bool {
        with_host(|h| h.state.remove(key).is_some())
    }
    pub fn stdout(s: &str) {
        with_host(|h| h.stdout.push_str(s))
    }
    pub fn stderr(s: &str) {
        with_host(|h| h.stderr.push_str(s))
    }
    /// Keeps the output in the mock host; returns its total length (non-zero).
    pub fn return_output(lp: Vec<u8>) -> i32 {
        let n = lp.len() as i32;
        with_host(|h| h.output = Some(lp));
        n
    }
}

pub use imp::*;
