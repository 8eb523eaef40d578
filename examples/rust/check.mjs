#!/usr/bin/env node
// Sanity check of the example transforms against examples/README.md, outside the Java host.
//
//   node examples/rust/check.mjs [DIR]     (DIR holds blocks.wasm and txindex.wasm; default:
//                                           examples/rust/target/wasm32-unknown-unknown/release)
//
// A tiny JS host (ABI v1: LP buffers, staged __load, state functions, fresh instance per block)
// runs each module over hand-built blocks, and the output is compared byte for byte with an
// independent JS implementation of the contract. Works for any implementation of the examples
// (e.g. `node examples/rust/check.mjs examples/assemblyscript/build`).
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dir = process.argv[2] ?? join(here, 'target/wasm32-unknown-unknown/release');

// ---------------------------------------------------------------- bitcoin serialisation helpers
const sha256 = (b) => createHash('sha256').update(b).digest();
const dsha = (b) => sha256(sha256(b));
const rev = (b) => Buffer.from(b).reverse();
const u32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; };
const u64 = (n) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; };
function varint(n) {
  if (n < 0xfd) return Buffer.from([n]);
  if (n <= 0xffff) { const b = Buffer.alloc(3); b[0] = 0xfd; b.writeUInt16LE(n, 1); return b; }
  const b = Buffer.alloc(5); b[0] = 0xfe; b.writeUInt32LE(n, 1); return b;
}
const withLen = (b) => Buffer.concat([varint(b.length), b]);

// tx = {segwit, inputs:[{txid(display hex), vout, script, witness:[Buffer]}], outputs:[{value, script}]}
function serTx(tx, withWitness) {
  const parts = [u32(2)];
  const sw = withWitness && tx.segwit;
  if (sw) parts.push(Buffer.from([0, 1]));
  parts.push(varint(tx.inputs.length));
  for (const i of tx.inputs) {
    parts.push(rev(Buffer.from(i.txid, 'hex')), u32(i.vout), withLen(i.script ?? Buffer.alloc(0)), u32(0xffffffff));
  }
  parts.push(varint(tx.outputs.length));
  for (const o of tx.outputs) parts.push(u64(o.value), withLen(o.script));
  if (sw) {
    for (const i of tx.inputs) {
      const w = i.witness ?? [];
      parts.push(varint(w.length), ...w.map(withLen));
    }
  }
  parts.push(u32(0));
  return Buffer.concat(parts);
}
const txid = (tx) => rev(dsha(serTx(tx, false))).toString('hex');

function serBlock(prevHashDisplay, time, txs) {
  const header = Buffer.concat([
    u32(0x20000000), rev(Buffer.from(prevHashDisplay, 'hex')), sha256(Buffer.from('merkle')),
    u32(time), u32(0x1d00ffff), u32(42),
  ]);
  const raw = Buffer.concat([header, varint(txs.length), ...txs.map((t) => serTx(t, true))]);
  return { raw, hash: rev(dsha(header)).toString('hex'), time };
}

// ---------------------------------------------------------------- the chain under test
const script = (s) => Buffer.from(s, 'hex');
const A = script('76a914' + '11'.repeat(20) + '88ac');
const B = script('6a04deadbeef');
const C = script('0014' + '22'.repeat(20));
const D = script('5120' + '33'.repeat(32));
const E = script('a914' + '44'.repeat(20) + '87');
const BIG = Buffer.alloc(300, 0x51); // script longer than 0xfc: 3-byte varint
const NULL = '00'.repeat(32);
const coinbase = (h, outs, segwit = false) => ({
  segwit, inputs: [{ txid: NULL, vout: 0xffffffff, script: u32(h), witness: segwit ? [Buffer.alloc(32)] : [] }], outputs: outs,
});

const cb1 = coinbase(100, [{ value: 5000000000, script: A }, { value: 0, script: B }]);
const cb2 = coinbase(101, [{ value: 5000000000, script: C }], true);
const t2 = { segwit: true, inputs: [{ txid: txid(cb1), vout: 0, witness: [Buffer.alloc(71, 1), Buffer.alloc(33, 2)] }],
  outputs: [{ value: 3000000000, script: D }, { value: 1999990000, script: A }] };
const t3 = { segwit: false, inputs: [{ txid: txid(t2), vout: 0, script: Buffer.alloc(107, 3) },
  { txid: 'ab'.repeat(32), vout: 7, script: Buffer.alloc(5, 4) }], outputs: [{ value: 3000000000, script: E }] };
const cb3 = coinbase(102, [{ value: 625000000, script: C }, { value: 1, script: BIG }], true);
const t4 = { segwit: true, inputs: [{ txid: txid(t2), vout: 1, witness: [] }, { txid: txid(cb1), vout: 1, witness: [Buffer.alloc(2)] }],
  outputs: [{ value: 1999980000, script: E }] };

const b100 = serBlock('00'.repeat(32), 1700000000, [cb1]);
const b101 = serBlock(b100.hash, 1700000600, [cb2, t2, t3]);
const b102 = serBlock(b101.hash, 1700001200, [cb3, t4]);
const chain = [[100, b100, [cb1]], [101, b101, [cb2, t2, t3]], [102, b102, [cb3, t4]]];

// ---------------------------------------------------------------- expected output (the contract)
const header = (src, h, blk, tx) => ({
  source: src, timestamp: blk.time * 1000, block_height: h, block_hash: blk.hash, ...(tx ? { transaction_id: tx } : {}),
});
const msg = (src, h, blk, tx, operation, table, key, before, after) => ({
  header: header(src, h, blk, tx),
  payload: { operation, table, key, ...(before ? { before } : {}), ...(after ? { after } : {}) },
});

function expectBlocks(h, blk, txs) {
  const prev = rev(blk.raw.subarray(4, 36)).toString('hex');
  return [msg('blocks', h, blk, null, 'create', 'blocks', String(h), null,
    { hash: blk.hash, height: h, prev_hash: prev, time: blk.time, tx_count: txs.length })];
}

function expectTxindex(h, blk, txs, state) {
  const out = []; const touched = new Map();
  const touch = (s, d) => {
    if (!touched.has(s)) { const old = state.get('balance:' + s); touched.set(s, { old, cur: old === undefined ? 0 : Number(old) }); }
    touched.get(s).cur += d;
  };
  txs.forEach((tx, index) => {
    const id = txid(tx);
    out.push(msg('txindex', h, blk, id, 'create', 'transactions', id, null,
      { height: h, index, inputs: tx.inputs.length, outputs: tx.outputs.length, segwit: tx.segwit, txid: id }));
    for (const i of tx.inputs) {
      if (i.txid === NULL && i.vout === 0xffffffff) continue;
      const k = `${i.txid}:${i.vout}`; const row = state.get('utxo:' + k);
      if (row === undefined) continue;
      const r = JSON.parse(row); state.delete('utxo:' + k); touch(r.script, -r.value);
      out.push(msg('txindex', h, blk, id, 'delete', 'utxos', k, r, null));
    }
    tx.outputs.forEach((o, vout) => {
      const row = { height: h, script: o.script.toString('hex'), txid: id, value: o.value, vout };
      state.set(`utxo:${id}:${vout}`, JSON.stringify(row)); touch(row.script, o.value);
      out.push(msg('txindex', h, blk, id, 'create', 'utxos', `${id}:${vout}`, null, row));
    });
  });
  for (const [s, { old, cur }] of touched) {
    const row = (b) => ({ balance: b, script: s });
    if (old === undefined) {
      if (cur !== 0) { state.set('balance:' + s, String(cur)); out.push(msg('txindex', h, blk, null, 'create', 'balances', s, null, row(cur))); }
    } else if (cur === 0) {
      state.delete('balance:' + s); out.push(msg('txindex', h, blk, null, 'delete', 'balances', s, row(Number(old)), null));
    } else if (cur !== Number(old)) {
      state.set('balance:' + s, String(cur)); out.push(msg('txindex', h, blk, null, 'update', 'balances', s, row(Number(old)), row(cur)));
    }
  }
  return out;
}

// ---------------------------------------------------------------- the JS host (ABI v1)
function runBlock(module, { height, hash, views, state }) {
  let staged = Buffer.alloc(0); let mem;
  const bytes = () => new Uint8Array(mem.buffer);
  const readLP = (p) => {
    const b = bytes(); if (p < 0 || p + 4 > b.length) throw new Error(`bad LP pointer ${p}`);
    const n = new DataView(mem.buffer).getUint32(p, true); if (p + 4 + n > b.length) throw new Error(`bad LP length ${n} at ${p}`);
    return Buffer.from(b.slice(p + 4, p + 4 + n));
  };
  const stage = (b) => { staged = b; return b.length; };
  const logs = { stdout: '', stderr: '' };
  const env = {
    __height: () => height,
    __block_hash: () => stage(Buffer.from(hash, 'hex')),
    __load: (p) => { bytes().set(staged, p); },
    __view: (n, i) => { const name = readLP(n).toString(); const f = views[name]; const r = f && f(readLP(i)); return r ? stage(r) : -1; },
    __stdout: (p) => { logs.stdout += readLP(p).toString(); },
    __stderr: (p) => { logs.stderr += readLP(p).toString(); },
    __get_state: (k) => { const v = state.get(readLP(k).toString()); return v === undefined ? -1 : stage(Buffer.from(v)); },
    __set_state: (k, v) => { state.set(readLP(k).toString(), readLP(v).toString()); return 0; },
    __delete_state: (k) => (state.delete(readLP(k).toString()) ? 1 : 0),
  };
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module !== 'env' || !(imp.name in env)) throw new Error(`unexpected import ${imp.module}.${imp.name}`);
  }
  const inst = new WebAssembly.Instance(module, { env });
  mem = inst.exports.memory;
  const r = inst.exports.process_block();
  const out = r > 0 ? readLP(r).toString() : null;
  return { code: r, out, ...logs };
}

// ---------------------------------------------------------------- run
let passed = 0; let failed = 0;
const check = (name, ok, detail) => {
  if (ok) { passed++; console.log(`ok   ${name}`); } else { failed++; console.log(`FAIL ${name}\n${detail ?? ''}`); }
};

for (const name of ['blocks', 'txindex']) {
  let module;
  try { module = new WebAssembly.Module(readFileSync(join(dir, `${name}.wasm`))); } catch (e) { check(`${name}: load`, false, String(e)); continue; }
  const exps = WebAssembly.Module.exports(module).map((e) => e.name);
  check(`${name}: exports memory + process_block`, exps.includes('memory') && exps.includes('process_block'), exps.join(','));
  const hostState = new Map(); const refState = new Map();
  for (const [height, blk, txs] of chain) {
    const res = runBlock(module, { height, hash: blk.hash, views: { getblock: (i) => (i.length === 0 ? blk.raw : null) }, state: hostState });
    const want = JSON.stringify(name === 'blocks' ? expectBlocks(height, blk, txs) : expectTxindex(height, blk, txs, refState));
    if (process.env.SHOW) console.log(res.out);
    check(`${name}: block ${height} output`, res.out === want, `got:  ${res.out}\nwant: ${want}\nstderr: ${res.stderr}`);
  }
  const sortedEntries = (m) => JSON.stringify([...m.entries()].sort());
  if (name === 'txindex') check('txindex: state after 3 blocks', sortedEntries(hostState) === sortedEntries(refState),
    `got:  ${sortedEntries(hostState)}\nwant: ${sortedEntries(refState)}`);
  const bad = runBlock(module, { height: 103, hash: '00'.repeat(32), views: {}, state: new Map() });
  check(`${name}: failing view -> negative return + stderr`, bad.code < 0 && bad.stderr.length > 0, JSON.stringify(bad));
}
// Real-world vector: the genesis block (rebuilt from its well-known fields; hashes are hard-coded).
const GENESIS = Buffer.from('01000000' + '00'.repeat(32) + '3ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a'
  + '29ab5f49ffff001d1dac2b7c' + '01' + '01000000' + '01' + '00'.repeat(32) + 'ffffffff' + '4d'
  + '04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73'
  + 'ffffffff' + '01' + '00f2052a01000000' + '43'
  + '4104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac'
  + '00000000', 'hex');
const GENESIS_HASH = '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f';
const GENESIS_TXID = '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b';
try {
  const g = { height: 0, hash: GENESIS_HASH, views: { getblock: () => GENESIS } };
  const bl = JSON.parse(runBlock(new WebAssembly.Module(readFileSync(join(dir, 'blocks.wasm'))), { ...g, state: new Map() }).out);
  check('blocks: genesis', JSON.stringify(bl[0].payload.after) === JSON.stringify(
    { hash: GENESIS_HASH, height: 0, prev_hash: '00'.repeat(32), time: 1231006505, tx_count: 1 }) && bl[0].header.timestamp === 1231006505000,
  JSON.stringify(bl));
  const tx = JSON.parse(runBlock(new WebAssembly.Module(readFileSync(join(dir, 'txindex.wasm'))), { ...g, state: new Map() }).out);
  check('txindex: genesis txid', tx.length === 3 && tx[0].payload.key === GENESIS_TXID && tx[1].payload.key === GENESIS_TXID + ':0'
    && tx[1].payload.after.value === 5000000000 && tx[2].payload.after.balance === 5000000000, JSON.stringify(tx));
} catch (e) { check('genesis', false, String(e)); }

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
