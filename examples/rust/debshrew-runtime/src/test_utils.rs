//! In-process mock host for native (non-wasm) unit tests of transforms.
//!
//! On a native target the SDK's host calls go to a thread-local [`MockHost`] instead of the
//! wasm imports. Set it up, run the transform, inspect output, state and logs:
//!
//! ```ignore
//! use debshrew_runtime::test_utils::{self, MockHost};
//! test_utils::reset(MockHost { height: 1, block_hash: vec![0; 32], ..Default::default() });
//! test_utils::with_host(|h| h.set_view("getblock", raw_block));
//! let msgs = test_utils::run_process_block::<MyTransform>()?;
//! ```

use crate::types::CdcMessage;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

/// A view implementation: input bytes -> result bytes, `None` for failure.
pub type ViewFn = Box<dyn Fn(&[u8]) -> Option<Vec<u8>>>;

/// The mock host's whole state.
#[derive(Default)]
pub struct MockHost {
    /// Value of `get_height()`.
    pub height: u32,
    /// Value of `get_block_hash()`.
    pub block_hash: Vec<u8>,
    /// Views by name.
    pub views: HashMap<String, ViewFn>,
    /// The durable key/value state.
    pub state: BTreeMap<Vec<u8>, Vec<u8>>,
    /// Everything written to stdout.
    pub stdout: String,
    /// Everything written to stderr.
    pub stderr: String,
    /// LP buffer returned by the last export call (if it returned messages).
    pub output: Option<Vec<u8>>,
}

impl MockHost {
    /// Serves `result` for every call of view `name`.
    pub fn set_view(&mut self, name: &str, result: Vec<u8>) {
        self.views.insert(name.to_string(), Box::new(move |_| Some(result.clone())));
    }

    /// Calls view `name`.
    pub fn call_view(&self, name: &str, input: &[u8]) -> Option<Vec<u8>> {
        self.views.get(name).and_then(|f| f(input))
    }
}

thread_local! {
    static HOST: RefCell<MockHost> = RefCell::new(MockHost::default());
}

/// Runs `f` with the current thread's mock host.
pub fn with_host<R>(f: impl FnOnce(&mut MockHost) -> R) -> R {
    HOST.with(|h| f(&mut h.borrow_mut()))
}

/// Replaces the current thread's mock host.
pub fn reset(host: MockHost) {
    HOST.with(|h| *h.borrow_mut() = host);
}

fn decode_output(code: i32) -> crate::Result<Vec<CdcMessage>> {
    if code < 0 {
        let err = with_host(|h| h.stderr.clone());
        anyhow::bail!("transform failed ({code}): {err}");
    }
    match with_host(|h| h.output.take()) {
        None => Ok(Vec::new()),
        Some(lp) => Ok(serde_json::from_slice(&lp[4..])?),
    }
}

/// Runs `T`'s `process_block` export exactly as the wasm export would (fresh `T::default()`,
/// JSON encoding) and decodes its output.
pub fn run_process_block<T: crate::DebTransform>() -> crate::Result<Vec<CdcMessage>> {
    decode_output(crate::__private::process_block::<T>())
}

/// Same for `rollback`.
pub fn run_rollback<T: crate::DebTransform>() -> crate::Result<Vec<CdcMessage>> {
    decode_output(crate::__private::rollback::<T>())
}

/// The raw JSON text the last export call returned, if any.
pub fn last_output_json() -> Option<String> {
    with_host(|h| h.output.as_ref().map(|lp| String::from_utf8_lossy(&lp[4..]).into_owned()))
}
