//! CDC message types (wire-compatible with the original debshrew and `cdc-format.md`).
//!
//! Serialised with serde in declaration order:
//! `{"header":{"source","timestamp","block_height","block_hash","transaction_id"?},
//!   "payload":{"operation","table","key","before"?,"after"?}}`; optional fields are omitted when
//! `None`, never written as `null`.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;

/// Metadata of a CDC message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CdcHeader {
    /// Name of the producing transform (e.g. `"txindex"`).
    pub source: String,
    /// Milliseconds since the UNIX epoch.
    pub timestamp: u64,
    /// Height of the block the change belongs to.
    pub block_height: u32,
    /// Hash of that block (lowercase hex by convention).
    pub block_hash: String,
    /// Transaction the change comes from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
}

/// The change itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CdcPayload {
    /// create / update / delete.
    pub operation: CdcOperation,
    /// Table (topic) name.
    pub table: String,
    /// Primary key of the row.
    pub key: String,
    /// Row before the change (update, delete).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<serde_json::Value>,
    /// Row after the change (create, update).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<serde_json::Value>,
}

/// One CDC message: header + payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CdcMessage {
    /// Metadata.
    pub header: CdcHeader,
    /// The change.
    pub payload: CdcPayload,
}

/// Kind of change; serialised lowercase (`"create"`, `"update"`, `"delete"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CdcOperation {
    /// A new row (`after` set).
    Create,
    /// A changed row (`before` and `after` set).
    Update,
    /// A removed row (`before` set).
    Delete,
}

impl CdcOperation {
    /// The wire name.
    pub fn as_str(&self) -> &'static str {
        match self {
            CdcOperation::Create => "create",
            CdcOperation::Update => "update",
            CdcOperation::Delete => "delete",
        }
    }
}

impl fmt::Display for CdcOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An in-memory key/value map, kept for API compatibility with the original SDK.
///
/// Note: guest memory does not survive between blocks (the host instantiates the module afresh
/// for every block); durable state goes through [`crate::get_state`] / [`crate::set_state`].
#[derive(Debug, Clone, Default)]
pub struct TransformState {
    inner: HashMap<Vec<u8>, Vec<u8>>,
    dirty: bool,
}

impl TransformState {
    /// An empty state.
    pub fn new() -> Self {
        Self::default()
    }
    /// Value of `key`.
    pub fn get(&self, key: &[u8]) -> Option<&Vec<u8>> {
        self.inner.get(key)
    }
    /// Sets `key` to `value`.
    pub fn set(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.inner.insert(key, value);
        self.dirty = true;
    }
    /// Removes `key`; true if it existed.
    pub fn delete(&mut self, key: &[u8]) -> bool {
        let existed = self.inner.remove(key).is_some();
        self.dirty |= existed;
        existed
    }
    /// True if changed since creation or the last [`TransformState::mark_clean`].
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }
    /// Clears the dirty flag.
    pub fn mark_clean(&mut self) {
        self.dirty = false;
    }
    /// All keys.
    pub fn keys(&self) -> impl Iterator<Item = &Vec<u8>> {
        self.inner.keys()
    }
    /// Keys starting with `prefix`.
    pub fn keys_with_prefix<'a>(&'a self, prefix: &'a [u8]) -> impl Iterator<Item = &'a Vec<u8>> + 'a {
        self.inner.keys().filter(move |k| k.starts_with(prefix))
    }
    /// All entries.
    pub fn iter(&self) -> impl Iterator<Item = (&Vec<u8>, &Vec<u8>)> {
        self.inner.iter()
    }
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.inner.len()
    }
    /// True if there are no entries.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }
    /// Removes everything.
    pub fn clear(&mut self) {
        if !self.inner.is_empty() {
            self.inner.clear();
            self.dirty = true;
        }
    }
}
