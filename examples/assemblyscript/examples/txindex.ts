// Example transform "txindex": transactions, UTXOs and per-script balances,
// with persistent state (see examples/README.md, the contract shared with the
// Rust version).
import {
  getHeight, getBlockHash, view, getState, getStateString, setState, deleteState,
  toHex, BlockReader, CdcHeader, CdcOutput, JsonObject, jsonGetString, jsonGetU64,
  parseU64, fail,
} from "../sdk/index";

const SOURCE = "txindex";

/** Balance of one script, as touched within this block. */
class Balance {
  script: string;
  existed: bool;
  old: u64;
  current: u64;

  constructor(script: string, existed: bool, old: u64) {
    this.script = script;
    this.existed = existed;
    this.old = old;
    this.current = old;
  }
}

/** Balances touched in this block, in order of first touch. */
class Balances {
  byScript: Map<string, Balance> = new Map();
  order: Balance[] = [];

  get(script: string): Balance {
    if (this.byScript.has(script)) return this.byScript.get(script);
    const stored = getStateString("balance:" + script);
    const b = stored !== null
      ? new Balance(script, true, parseU64(stored))
      : new Balance(script, false, 0);
    this.byScript.set(script, b);
    this.order.push(b);
    return b;
  }
}

function balanceRow(script: string, balance: u64): JsonObject {
  return new JsonObject().u64("balance", balance).str("script", script);
}

export function process_block(): i32 {
  const raw = view("getblock", new Uint8Array(0));
  if (raw === null) return fail("txindex: view getblock failed");
  if (raw.length < 81) return fail("txindex: block too short (" + raw.length.toString() + " bytes)");

  const block = new BlockReader(raw);
  const height = getHeight();
  const header = new CdcHeader(SOURCE, <u64>block.header.time * 1000, height, toHex(getBlockHash()));
  const out = new CdcOutput(raw.length * 4 + 65536);
  const balances = new Balances();

  while (block.hasNext()) {
    const i = block.index;
    const tx = block.next();
    const txid = tx.txidHex();
    const txHeader = header.withTransaction(txid);

    out.create(txHeader, "transactions", txid, new JsonObject()
      .u64("height", height)
      .u64("index", <u64>i)
      .u64("inputs", <u64>tx.inputs.length)
      .u64("outputs", <u64>tx.outputs.length)
      .bool("segwit", tx.segwit)
      .str("txid", txid));

    // spent outputs known to the index
    for (let j = 0; j < tx.inputs.length; j++) {
      const input = unchecked(tx.inputs[j]);
      if (input.isCoinbase()) continue;
      const key = input.prevTxidHex() + ":" + input.prevVout.toString();
      const stateKey = "utxo:" + key;
      const stored = getState(stateKey);
      if (stored === null) continue; // unknown prevout
      out.delete(txHeader, "utxos", key, stored);
      deleteState(stateKey);
      const row = String.UTF8.decode(stored.buffer, false);
      const script = jsonGetString(row, "script");
      if (script === null) return fail("txindex: stored utxo " + key + " has no script");
      const value = jsonGetU64(row, "value");
      const b = balances.get(script);
      if (b.current < value) return fail("txindex: balance of " + script + " would go negative");
      b.current -= value;
    }

    // new outputs
    for (let v = 0; v < tx.outputs.length; v++) {
      const output = unchecked(tx.outputs[v]);
      const script = toHex(output.script);
      const key = txid + ":" + v.toString();
      const row = new JsonObject()
        .u64("height", height)
        .str("script", script)
        .str("txid", txid)
        .u64("value", output.value)
        .u64("vout", <u64>v)
        .toBytes();
      out.create(txHeader, "utxos", key, row);
      setState("utxo:" + key, row);
      balances.get(script).current += output.value;
    }
  }

  // one message per touched script, in order of first touch
  const touched = balances.order;
  for (let i = 0; i < touched.length; i++) {
    const b = unchecked(touched[i]);
    const stateKey = "balance:" + b.script;
    if (!b.existed) {
      if (b.current == 0) continue; // absent -> 0 within the block: nothing
      out.create(header, "balances", b.script, balanceRow(b.script, b.current));
      setState(stateKey, b.current.toString());
    } else if (b.current == 0) {
      out.delete(header, "balances", b.script, balanceRow(b.script, b.old));
      deleteState(stateKey);
    } else if (b.current != b.old) {
      out.update(header, "balances", b.script, balanceRow(b.script, b.old), balanceRow(b.script, b.current));
      setState(stateKey, b.current.toString());
    }
  }

  return out.finish();
}
