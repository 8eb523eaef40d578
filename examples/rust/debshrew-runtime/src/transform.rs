//! The transform trait.

use crate::error::Result;
use crate::types::{CdcMessage, TransformState};
use std::fmt::Debug;

/// A transform module: turns one block (read through [`crate::view`] and the other host calls)
/// into CDC messages. Register the implementing type with [`crate::declare_transform!`].
///
/// A fresh value (`Default::default()`) is created for every call: the host instantiates the
/// module anew for each block, so fields never carry over. Keep durable data in the host state
/// ([`crate::get_state`], [`crate::set_state`], [`crate::delete_state`]).
pub trait DebTransform: Default + Debug + Clone {
    /// Processes the current block ([`crate::get_height`]) and returns its CDC messages, in
    /// order. An `Err` fails the block: the host stops and reports the error (printed to stderr).
    fn process_block(&mut self) -> Result<Vec<CdcMessage>>;

    /// Messages undoing the current block during a reorg. The host computes inverse messages
    /// itself and calls this export only when configured for module-driven rollback; the default
    /// returns no messages.
    fn rollback(&mut self) -> Result<Vec<CdcMessage>> {
        Ok(Vec::new())
    }
}

/// Messages plus a state snapshot (kept for API compatibility with the original SDK).
#[derive(Debug, Clone)]
pub struct TransformResult {
    /// Messages produced.
    pub cdc_messages: Vec<CdcMessage>,
    /// State after the operation.
    pub state_snapshot: TransformState,
}

impl TransformResult {
    /// Bundles messages and state.
    pub fn new(cdc_messages: Vec<CdcMessage>, state_snapshot: TransformState) -> Self {
        Self { cdc_messages, state_snapshot }
    }
}
