//! A debshrew transform: one `blocks` row per block, with a running count kept in state.
//! Build: ./build.sh   Golden test: ./test.sh   (see README.md)

use debshrew_runtime::serde_json::json;
use debshrew_runtime::{self, CdcHeader, CdcMessage, CdcOperation, CdcPayload, DebTransform};

#[derive(Default, Clone, Debug)]
pub struct Transform;

impl DebTransform for Transform {
    fn process_block(&mut self) -> debshrew_runtime::Result<Vec<CdcMessage>> {
        let height = debshrew_runtime::get_height();
        let hash: String = debshrew_runtime::get_block_hash().iter().map(|b| format!("{b:02x}")).collect();
        // The raw block in Bitcoin's serialisation (empty input: the host passes the height).
        let block = debshrew_runtime::view("getblock", [])?;
        if block.len() < 81 {
            debshrew_runtime::anyhow::bail!("block {height} is too short ({} bytes)", block.len());
        }
        let time = u32::from_le_bytes([block[68], block[69], block[70], block[71]]);
        let tx_count = compact_size(&block[80..]);

        // State lasts across blocks (and is rolled back with them on a reorg).
        let seen = debshrew_runtime::get_state("blocks_seen")
            .and_then(|v| String::from_utf8(v).ok()?.parse::<u64>().ok())
            .unwrap_or(0)
            + 1;
        debshrew_runtime::set_state("blocks_seen", seen.to_string());
        debshrew_runtime::println!("block {height}: {tx_count} transactions, {} bytes", block.len());

        Ok(vec![CdcMessage {
            header: CdcHeader {
                source: "transform".into(),
                timestamp: u64::from(time) * 1000,
                block_height: height,
                block_hash: hash.clone(),
                transaction_id: None,
            },
            payload: CdcPayload {
                operation: CdcOperation::Create,
                table: "blocks".into(),
                key: height.to_string(),
                before: None,
                // serde_json writes object keys in sorted order.
                after: Some(json!({ "hash": hash, "height": height, "seen": seen,
                                    "size": block.len(), "tx_count": tx_count })),
            },
        }])
    }
}

/// Bitcoin's CompactSize integer at the start of `b` (the transaction count after the header).
fn compact_size(b: &[u8]) -> u64 {
    let le = |n: usize| b[1..=n].iter().rev().fold(0u64, |acc, &x| (acc << 8) | u64::from(x));
    match b[0] {
        0xfd => le(2),
        0xfe => le(4),
        0xff => le(8),
        n => u64::from(n),
    }
}

debshrew_runtime::declare_transform!(Transform);
