//! `blocks` example transform: one `create` in table `blocks` per block.
//! Output contract: examples/README.md (shared with the AssemblyScript version).

use debshrew_runtime::{self, anyhow, CdcHeader, CdcMessage, CdcOperation, CdcPayload, DebTransform};
use serde_json::json;

#[derive(Default, Clone, Debug)]
pub struct BlocksTransform;

/// Reads a Bitcoin CompactSize integer at `pos`.
fn read_varint(b: &[u8], pos: usize) -> anyhow::Result<u64> {
    let first = *b.get(pos).ok_or_else(|| anyhow::anyhow!("block truncated at tx count"))?;
    let width = match first {
        0xfd => 2,
        0xfe => 4,
        0xff => 8,
        n => return Ok(n as u64),
    };
    let bytes = b
        .get(pos + 1..pos + 1 + width)
        .ok_or_else(|| anyhow::anyhow!("block truncated at tx count"))?;
    Ok(bytes.iter().rev().fold(0u64, |acc, &x| (acc << 8) | x as u64))
}

impl DebTransform for BlocksTransform {
    fn process_block(&mut self) -> debshrew_runtime::Result<Vec<CdcMessage>> {
        let height = debshrew_runtime::get_height();
        let hash = hex::encode(debshrew_runtime::get_block_hash());
        let block = debshrew_runtime::view("getblock", [])?;
        if block.len() < 81 {
            anyhow::bail!("getblock at height {height} returned {} bytes, expected a block", block.len());
        }
        let time = u32::from_le_bytes(block[68..72].try_into().unwrap());
        let mut prev = block[4..36].to_vec();
        prev.reverse();
        let tx_count = read_varint(&block, 80)?;

        Ok(vec![CdcMessage {
            header: CdcHeader {
                source: "blocks".to_string(),
                timestamp: time as u64 * 1000,
                block_height: height,
                block_hash: hash.clone(),
                transaction_id: None,
            },
            payload: CdcPayload {
                operation: CdcOperation::Create,
                table: "blocks".to_string(),
                key: height.to_string(),
                before: None,
                after: Some(json!({
                    "hash": hash,
                    "height": height,
                    "prev_hash": hex::encode(prev),
                    "time": time,
                    "tx_count": tx_count,
                })),
            },
        }])
    }
}

debshrew_runtime::declare_transform!(BlocksTransform);
