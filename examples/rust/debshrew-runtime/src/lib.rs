//! Guest SDK for debshrew transform modules (host ABI v1).
//!
//! A debshrew transform is a `wasm32-unknown-unknown` module that the debshrew daemon runs once per
//! block; it reads the block through metashrew views, keeps durable state, and returns CDC
//! messages (create / update / delete of table rows), which debshrew inverts on a reorg.
//!
//! API-compatible with the original `debshrew-runtime` crate: implement [`DebTransform`], register
//! the type with [`declare_transform!`], and read the chain with [`view`], [`get_height`],
//! [`get_block_hash`] and the state functions ([`get_state`], [`set_state`], [`delete_state`]).
//!
//! ```ignore
//! use debshrew_runtime::{self, CdcHeader, CdcMessage, CdcOperation, CdcPayload, DebTransform};
//!
//! #[derive(Default, Clone, Debug)]
//! pub struct Sizes;
//!
//! impl DebTransform for Sizes {
//!     fn process_block(&mut self) -> debshrew_runtime::Result<Vec<CdcMessage>> {
//!         let height = debshrew_runtime::get_height();
//!         let block = debshrew_runtime::view("getblock", [])?; // raw block at this height
//!         Ok(vec![CdcMessage {
//!             header: CdcHeader { source: "sizes".into(), timestamp: 0, block_height: height,
//!                                 block_hash: hex::encode(debshrew_runtime::get_block_hash()),
//!                                 transaction_id: None },
//!             payload: CdcPayload { operation: CdcOperation::Create, table: "sizes".into(),
//!                                   key: height.to_string(), before: None,
//!                                   after: Some(debshrew_runtime::serde_json::json!({ "size": block.len() })) },
//!         }])
//!     }
//! }
//!
//! debshrew_runtime::declare_transform!(Sizes);
//! ```
//!
//! Build with stable Rust: `cargo build --target wasm32-unknown-unknown --release` (crate type
//! `cdylib`, `panic = "abort"` in the release profile). On native targets the host calls go to a
//! mock host ([`test_utils`]) so transforms can be unit-tested with plain `cargo test`. The host
//! ABI and the CDC message format are described in the debshrew repository's
//! `docs/transform-abi.md` and `docs/cdc-format.md`; the crate's README covers installation.

pub mod error;
pub mod exports;
#[cfg(target_arch = "wasm32")]
pub mod imports;
pub mod stdio;
mod sys;
#[cfg(not(target_arch = "wasm32"))]
pub mod test_utils;
pub mod transform;
pub mod types;
pub mod wasm;

pub use crate::error::{Error, Result};
pub use crate::stdio::{stderr, stdout, write_stderr, write_stdout};
pub use crate::transform::{DebTransform, TransformResult};
pub use crate::types::{CdcHeader, CdcMessage, CdcOperation, CdcPayload, TransformState};
pub use anyhow;
pub use serde::{Deserialize, Serialize};
pub use serde_json;

/// Calls the metashrew view `view_name` with raw `input` at the height of the block being
/// processed, and returns the raw result (possibly empty).
///
/// Accepts `String`/`&str` and `Vec<u8>`/`&[u8]` (the original took `String, Vec<u8>`).
pub fn view(view_name: impl AsRef<str>, input: impl AsRef<[u8]>) -> Result<Vec<u8>> {
    let name = view_name.as_ref();
    sys::view(name.as_bytes(), input.as_ref())
        .map_err(|code| anyhow::anyhow!("view {name:?} failed (host returned {code})"))
}

/// Height of the block being processed.
pub fn get_height() -> u32 {
    sys::height()
}

/// Hash of the block being processed: 32 bytes in display order (hex-encode it as is).
pub fn get_block_hash() -> Vec<u8> {
    sys::block_hash()
}

/// Value of `key` in the transform's durable state, `None` if absent (an existing empty value
/// is `Some(vec![])`).
pub fn get_state(key: impl AsRef<[u8]>) -> Option<Vec<u8>> {
    sys::get_state(key.as_ref())
}

/// Sets `key` to `value` in the durable state (rolled back with the block on a reorg).
///
/// Panics (failing the block loudly) if the host refuses the write; use [`try_set_state`] to
/// handle that yourself.
pub fn set_state(key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) {
    if let Err(e) = try_set_state(key, value) {
        panic!("{e}");
    }
}

/// Like [`set_state`] but returns the host's refusal as an error.
pub fn try_set_state(key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Result<()> {
    let code = sys::set_state(key.as_ref(), value.as_ref());
    if code < 0 {
        anyhow::bail!(
            "set_state({:?}) failed (host returned {code})",
            String::from_utf8_lossy(key.as_ref())
        );
    }
    Ok(())
}

/// Deletes `key` from the durable state; true if it existed.
pub fn delete_state(key: impl AsRef<[u8]>) -> bool {
    sys::delete_state(key.as_ref())
}

/// JSON-encodes view parameters.
pub fn serialize_params<T: Serialize>(params: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(params).map_err(|e| anyhow::anyhow!("Failed to serialize parameters: {e}"))
}

/// JSON-decodes a view result.
pub fn deserialize_result<T: for<'de> Deserialize<'de>>(result: &[u8]) -> Result<T> {
    serde_json::from_slice(result).map_err(|e| anyhow::anyhow!("Failed to deserialize result: {e}"))
}

/// Registers a [`DebTransform`] type: emits the `process_block` and `rollback` exports.
///
/// ```ignore
/// #[derive(Default, Debug, Clone)]
/// struct MyTransform;
/// impl debshrew_runtime::DebTransform for MyTransform { /* ... */ }
/// debshrew_runtime::declare_transform!(MyTransform);
/// ```
///
/// Export contract: returns 0 for no messages, a pointer to an LP buffer holding the JSON array
/// of messages, or -1 on error (the error chain is written to stderr first). A panic traps; its
/// message is written to stderr first.
#[macro_export]
macro_rules! declare_transform {
    ($transform:ty) => {
        #[no_mangle]
        pub extern "C" fn process_block() -> i32 {
            $crate::__private::process_block::<$transform>()
        }

        #[no_mangle]
        pub extern "C" fn rollback() -> i32 {
            $crate::__private::rollback::<$transform>()
        }
    };
}

#[doc(hidden)]
pub mod __private {
    use crate::{CdcMessage, DebTransform, Result};

    fn install_panic_hook() {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            std::panic::set_hook(Box::new(|info| {
                crate::sys::stderr(&format!("transform panicked: {info}\n"));
            }));
        });
    }

    fn finish(what: &str, result: Result<Vec<CdcMessage>>) -> i32 {
        let messages = match result {
            Ok(m) => m,
            Err(e) => {
                crate::sys::stderr(&format!(
                    "{what} failed at height {}: {e:#}\n",
                    crate::sys::height()
                ));
                return -1;
            }
        };
        if messages.is_empty() {
            return 0;
        }
        // LP buffer: 4 placeholder bytes, the JSON, then the real length in front.
        let mut buf = Vec::with_capacity(256 * messages.len());
        buf.extend_from_slice(&[0u8; 4]);
        if let Err(e) = serde_json::to_writer(&mut buf, &messages) {
            crate::sys::stderr(&format!("failed to serialize CDC messages: {e}\n"));
            return -1;
        }
        let len = (buf.len() - 4) as u32;
        buf[..4].copy_from_slice(&len.to_le_bytes());
        crate::sys::return_output(buf)
    }

    pub fn process_block<T: DebTransform>() -> i32 {
        install_panic_hook();
        let mut t = T::default();
        let r = t.process_block();
        finish("process_block", r)
    }

    pub fn rollback<T: DebTransform>() -> i32 {
        install_panic_hook();
        let mut t = T::default();
        let r = t.rollback();
        finish("rollback", r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn msg(op: CdcOperation, before: Option<serde_json::Value>, after: Option<serde_json::Value>, tx: Option<&str>) -> CdcMessage {
        CdcMessage {
            header: CdcHeader {
                source: "s".into(),
                timestamp: 1623456789000,
                block_height: 840000,
                block_hash: "00ff".into(),
                transaction_id: tx.map(String::from),
            },
            payload: CdcPayload { operation: op, table: "t".into(), key: "k".into(), before, after },
        }
    }

    #[test]
    fn wire_format_matches_cdc_format_md() {
        let m = msg(CdcOperation::Create, None, Some(json!({"z": 1, "a": "x"})), None);
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"header":{"source":"s","timestamp":1623456789000,"block_height":840000,"block_hash":"00ff"},"payload":{"operation":"create","table":"t","key":"k","after":{"a":"x","z":1}}}"#
        );
        let m = msg(CdcOperation::Update, Some(json!(1)), Some(json!(2)), Some("tx"));
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"header":{"source":"s","timestamp":1623456789000,"block_height":840000,"block_hash":"00ff","transaction_id":"tx"},"payload":{"operation":"update","table":"t","key":"k","before":1,"after":2}}"#
        );
        let back: CdcMessage = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back, m);
    }

    #[derive(Default, Debug, Clone)]
    struct Echo;
    impl DebTransform for Echo {
        fn process_block(&mut self) -> Result<Vec<CdcMessage>> {
            let input = view("echo", b"abc")?;
            crate::println!("height {}", get_height());
            crate::eprintln!("warn");
            let n = get_state(b"n").map(|v| v[0]).unwrap_or(0);
            set_state("n", [n + 1]);
            if input.is_empty() {
                anyhow::bail!("empty");
            }
            Ok(vec![msg(CdcOperation::Delete, Some(json!(input)), None, None)])
        }
    }

    #[test]
    fn export_path_with_mock_host() {
        test_utils::reset(test_utils::MockHost { height: 7, ..Default::default() });
        test_utils::with_host(|h| {
            h.views.insert("echo".into(), Box::new(|i| Some(i.to_vec())));
        });
        let out = test_utils::run_process_block::<Echo>().unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].payload.before, Some(json!([97, 98, 99])));
        let _ = test_utils::run_process_block::<Echo>().unwrap();
        test_utils::with_host(|h| {
            assert_eq!(h.state.get(&b"n"[..]), Some(&vec![2u8]));
            assert_eq!(h.stdout, "height 7\nheight 7\n");
            assert_eq!(h.stderr, "warn\nwarn\n");
            h.views.insert("echo".into(), Box::new(|_| Some(Vec::new())));
        });
        let err = test_utils::run_process_block::<Echo>().unwrap_err().to_string();
        assert!(err.contains("process_block failed at height 7: empty"), "{err}");
        test_utils::with_host(|h| h.views.clear());
        let err = test_utils::run_process_block::<Echo>().unwrap_err().to_string();
        assert!(err.contains("view \"echo\" failed"), "{err}");
    }
}
