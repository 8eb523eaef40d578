//! `txindex` example transform: a UTXO / balance indexer keeping its data in the host state.
//! Output contract: examples/README.md (shared with the AssemblyScript version).

use debshrew_runtime::{self, anyhow, CdcHeader, CdcMessage, CdcOperation, CdcPayload, DebTransform};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

const SOURCE: &str = "txindex";

#[derive(Default, Clone, Debug)]
pub struct TxIndexTransform;

/// One parsed transaction (only what the index needs).
#[derive(Debug, Clone, PartialEq)]
pub struct Tx {
    /// Display-order hex txid.
    pub txid: String,
    pub segwit: bool,
    /// (display-order prev txid, prev vout, is the null coinbase prevout)
    pub inputs: Vec<(String, u32, bool)>,
    /// (value in sats, scriptPubKey)
    pub outputs: Vec<(u64, Vec<u8>)>,
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> anyhow::Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.b.len()).ok_or_else(|| {
            anyhow::anyhow!("block truncated: need {n} bytes at offset {} of {}", self.pos, self.b.len())
        })?;
        let s = &self.b[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self) -> anyhow::Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> anyhow::Result<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }
    fn u64(&mut self) -> anyhow::Result<u64> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().unwrap()))
    }
    fn varint(&mut self) -> anyhow::Result<u64> {
        Ok(match self.u8()? {
            0xfd => u16::from_le_bytes(self.take(2)?.try_into().unwrap()) as u64,
            0xfe => self.u32()? as u64,
            0xff => self.u64()?,
            n => n as u64,
        })
    }
    fn len(&mut self) -> anyhow::Result<usize> {
        let n = self.varint()?;
        usize::try_from(n)
            .ok()
            .filter(|&n| n <= self.b.len())
            .ok_or_else(|| anyhow::anyhow!("implausible length {n} at offset {}", self.pos))
    }
}

fn display_hex(hash_le: &[u8]) -> String {
    let mut v = hash_le.to_vec();
    v.reverse();
    hex::encode(v)
}

fn parse_tx(r: &mut Reader) -> anyhow::Result<Tx> {
    let start = r.pos;
    r.take(4)?; // version
    let segwit = r.b.get(r.pos) == Some(&0) && r.b.get(r.pos + 1) == Some(&1);
    if segwit {
        r.take(2)?;
    }
    let body_start = r.pos;
    let n_in = r.len()?;
    let mut inputs = Vec::with_capacity(n_in.min(4096));
    for _ in 0..n_in {
        let prev = r.take(32)?;
        let vout = r.u32()?;
        let script_len = r.len()?;
        r.take(script_len)?;
        r.take(4)?; // sequence
        let coinbase = vout == u32::MAX && prev.iter().all(|&x| x == 0);
        inputs.push((display_hex(prev), vout, coinbase));
    }
    let n_out = r.len()?;
    let mut outputs = Vec::with_capacity(n_out.min(4096));
    for _ in 0..n_out {
        let value = r.u64()?;
        let script_len = r.len()?;
        outputs.push((value, r.take(script_len)?.to_vec()));
    }
    let body_end = r.pos;
    if segwit {
        for _ in 0..n_in {
            let items = r.len()?;
            for _ in 0..items {
                let n = r.len()?;
                r.take(n)?;
            }
        }
    }
    let locktime = r.take(4)?;
    // txid = dSHA256(version | inputs | outputs | locktime), without marker, flag and witnesses.
    let mut h = Sha256::new();
    h.update(&r.b[start..start + 4]);
    h.update(&r.b[body_start..body_end]);
    h.update(locktime);
    let txid = display_hex(&Sha256::digest(h.finalize()));
    Ok(Tx { txid, segwit, inputs, outputs })
}

/// Parses a block in Bitcoin's serialisation: header time and the transactions.
pub fn parse_block(b: &[u8]) -> anyhow::Result<(u32, Vec<Tx>)> {
    let mut r = Reader { b, pos: 0 };
    let header = r.take(80)?;
    let time = u32::from_le_bytes(header[68..72].try_into().unwrap());
    let n = r.len()?;
    let mut txs = Vec::with_capacity(n.min(65536));
    for i in 0..n {
        txs.push(parse_tx(&mut r).map_err(|e| e.context(format!("transaction {i}")))?);
    }
    if r.pos != b.len() {
        anyhow::bail!("{} trailing bytes after {n} transactions", b.len() - r.pos);
    }
    Ok((time, txs))
}

/// Per-block balance bookkeeping, in order of first touch.
#[derive(Default)]
struct Balances {
    order: Vec<(String, Option<u64>, i128)>, // script hex, balance before the block, running balance
    index: HashMap<String, usize>,
}

impl Balances {
    fn add(&mut self, script: &str, delta: i128) -> anyhow::Result<()> {
        let i = match self.index.get(script) {
            Some(&i) => i,
            None => {
                let old = match debshrew_runtime::get_state(format!("balance:{script}")) {
                    None => None,
                    Some(v) => Some(
                        std::str::from_utf8(&v)
                            .ok()
                            .and_then(|s| s.parse::<u64>().ok())
                            .ok_or_else(|| anyhow::anyhow!("corrupt balance state for script {script}"))?,
                    ),
                };
                self.order.push((script.to_string(), old, old.unwrap_or(0) as i128));
                self.index.insert(script.to_string(), self.order.len() - 1);
                self.order.len() - 1
            }
        };
        self.order[i].2 += delta;
        Ok(())
    }
}

impl DebTransform for TxIndexTransform {
    fn process_block(&mut self) -> debshrew_runtime::Result<Vec<CdcMessage>> {
        let height = debshrew_runtime::get_height();
        let block_hash = hex::encode(debshrew_runtime::get_block_hash());
        let raw = debshrew_runtime::view("getblock", [])?;
        let (time, txs) = parse_block(&raw).map_err(|e| e.context(format!("parsing block {height}")))?;

        let msg = |op: CdcOperation, table: &str, key: String, tx: Option<&str>, before: Option<Value>, after: Option<Value>| {
            CdcMessage {
                header: CdcHeader {
                    source: SOURCE.to_string(),
                    timestamp: time as u64 * 1000,
                    block_height: height,
                    block_hash: block_hash.clone(),
                    transaction_id: tx.map(str::to_string),
                },
                payload: CdcPayload { operation: op, table: table.to_string(), key, before, after },
            }
        };

        let mut out = Vec::new();
        let mut balances = Balances::default();
        for (index, tx) in txs.iter().enumerate() {
            let txid = tx.txid.as_str();
            out.push(msg(
                CdcOperation::Create,
                "transactions",
                txid.to_string(),
                Some(txid),
                None,
                Some(json!({
                    "height": height,
                    "index": index,
                    "inputs": tx.inputs.len(),
                    "outputs": tx.outputs.len(),
                    "segwit": tx.segwit,
                    "txid": txid,
                })),
            ));
            for (prev_txid, prev_vout, coinbase) in &tx.inputs {
                if *coinbase {
                    continue;
                }
                let key = format!("{prev_txid}:{prev_vout}");
                let state_key = format!("utxo:{key}");
                let Some(stored) = debshrew_runtime::get_state(&state_key) else { continue };
                let row: Value = serde_json::from_slice(&stored)
                    .map_err(|e| anyhow::anyhow!("corrupt state {state_key}: {e}"))?;
                let value = row["value"].as_u64().ok_or_else(|| anyhow::anyhow!("state {state_key} has no value"))?;
                let script = row["script"]
                    .as_str()
                    .ok_or_else(|| anyhow::anyhow!("state {state_key} has no script"))?
                    .to_string();
                debshrew_runtime::delete_state(&state_key);
                balances.add(&script, -(value as i128))?;
                out.push(msg(CdcOperation::Delete, "utxos", key, Some(txid), Some(row), None));
            }
            for (vout, (value, script)) in tx.outputs.iter().enumerate() {
                let script = hex::encode(script);
                let row = json!({
                    "height": height,
                    "script": script,
                    "txid": txid,
                    "value": value,
                    "vout": vout,
                });
                debshrew_runtime::set_state(format!("utxo:{txid}:{vout}"), serde_json::to_vec(&row)?);
                balances.add(&script, *value as i128)?;
                out.push(msg(CdcOperation::Create, "utxos", format!("{txid}:{vout}"), Some(txid), None, Some(row)));
            }
        }

        for (script, old, new) in balances.order {
            let new = u64::try_from(new)
                .map_err(|_| anyhow::anyhow!("balance of script {script} would become {new}"))?;
            let state_key = format!("balance:{script}");
            let row = |b: u64| json!({ "balance": b, "script": script });
            match old {
                None if new == 0 => {}
                None => {
                    debshrew_runtime::set_state(&state_key, new.to_string());
                    out.push(msg(CdcOperation::Create, "balances", script.clone(), None, None, Some(row(new))));
                }
                Some(old) if new == 0 => {
                    debshrew_runtime::delete_state(&state_key);
                    out.push(msg(CdcOperation::Delete, "balances", script.clone(), None, Some(row(old)), None));
                }
                Some(old) if new != old => {
                    debshrew_runtime::set_state(&state_key, new.to_string());
                    out.push(msg(CdcOperation::Update, "balances", script.clone(), None, Some(row(old)), Some(row(new))));
                }
                Some(_) => {}
            }
        }
        Ok(out)
    }
}

debshrew_runtime::declare_transform!(TxIndexTransform);
