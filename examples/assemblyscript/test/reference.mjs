// Independent JS rendition of the examples contract (examples/README.md),
// used to compute the expected output byte for byte.
import { txidHex, rev } from "./bitcoin.mjs";

/** Row object with keys in alphabetical order. */
export function row(obj) {
  const out = {};
  for (const k of Object.keys(obj).sort()) out[k] = obj[k];
  return out;
}

function header(source, block, height, txid) {
  const h = { source, timestamp: block.time * 1000, block_height: height, block_hash: block.hashHex };
  if (txid !== undefined) h.transaction_id = txid;
  return h;
}

const msg = (hdr, operation, table, key, before, after) => {
  const payload = { operation, table, key };
  if (before !== undefined) payload.before = before;
  if (after !== undefined) payload.after = after;
  return { header: hdr, payload };
};

export function expectedBlocks(block, height) {
  const after = row({
    hash: block.hashHex,
    height,
    prev_hash: rev(block.header.subarray(4, 36)).toString("hex"),
    time: block.time,
    tx_count: block.txs.length,
  });
  return [msg(header("blocks", block, height), "create", "blocks", String(height), undefined, after)];
}

/** state: Map of utf8 key -> utf8 value (mutated). */
export function expectedTxindex(block, height, state) {
  const out = [];
  const touched = new Map(); // script -> { existed, old, cur }
  const touch = (script) => {
    if (!touched.has(script)) {
      const k = `balance:${script}`;
      const existed = state.has(k);
      const old = existed ? Number(state.get(k)) : 0;
      touched.set(script, { existed, old, cur: old });
    }
    return touched.get(script);
  };
  block.txs.forEach((tx, index) => {
    const txid = txidHex(tx);
    const hdr = header("txindex", block, height, txid);
    out.push(msg(hdr, "create", "transactions", txid, undefined, row({
      height, index, inputs: tx.inputs.length, outputs: tx.outputs.length, segwit: !!tx.segwit, txid,
    })));
    for (const input of tx.inputs) {
      const key = `${rev(input.prevTxid).toString("hex")}:${input.vout}`;
      const stored = state.get(`utxo:${key}`);
      if (stored === undefined) continue;
      const before = JSON.parse(stored);
      out.push(msg(hdr, "delete", "utxos", key, before, undefined));
      state.delete(`utxo:${key}`);
      touch(before.script).cur -= before.value;
    }
    tx.outputs.forEach((o, vout) => {
      const script = o.script.toString("hex");
      const after = row({ height, script, txid, value: Number(o.value), vout });
      out.push(msg(hdr, "create", "utxos", `${txid}:${vout}`, undefined, after));
      state.set(`utxo:${txid}:${vout}`, JSON.stringify(after));
      touch(script).cur += Number(o.value);
    });
  });
  const hdr = header("txindex", block, height);
  for (const [script, b] of touched) {
    const k = `balance:${script}`;
    if (!b.existed) {
      if (b.cur === 0) continue;
      out.push(msg(hdr, "create", "balances", script, undefined, row({ balance: b.cur, script })));
      state.set(k, String(b.cur));
    } else if (b.cur === 0) {
      out.push(msg(hdr, "delete", "balances", script, row({ balance: b.old, script }), undefined));
      state.delete(k);
    } else if (b.cur !== b.old) {
      out.push(msg(hdr, "update", "balances", script, row({ balance: b.old, script }), row({ balance: b.cur, script })));
      state.set(k, String(b.cur));
    }
  }
  return out;
}
