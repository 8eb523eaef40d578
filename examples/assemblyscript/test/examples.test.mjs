// Dev check of the example transforms against examples/README.md, run on a
// tiny in-JS host with three hand-built blocks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host, loadModule, ENV_IMPORTS } from "./host.mjs";
import { buildChain, views, H0, SH } from "./chain.mjs";
import { expectedBlocks, expectedTxindex } from "./reference.mjs";
import { txidHex } from "./bitcoin.mjs";

const BLOCKS = new URL("../build/blocks.wasm", import.meta.url).pathname;
const TXINDEX = new URL("../build/txindex.wasm", import.meta.url).pathname;

const BENCH = ["bench_messages", "bench_views"].map((n) => new URL(`../build/${n}.wasm`, import.meta.url).pathname);
const TALLY = ["tally", "tally_v2"].map((n) => new URL(`../build/${n}.wasm`, import.meta.url).pathname);

for (const path of [BLOCKS, TXINDEX, ...BENCH, ...TALLY]) {
  test(`module shape: ${path.split("/").pop()}`, () => {
    const m = loadModule(path);
    for (const i of WebAssembly.Module.imports(m)) {
      assert.equal(i.module, "env", `import ${i.module}.${i.name}`);
      assert.ok(ENV_IMPORTS.includes(i.name), `unexpected import ${i.name}`);
      assert.equal(i.kind, "function");
    }
    const exports = Object.fromEntries(WebAssembly.Module.exports(m).map((e) => [e.name, e.kind]));
    assert.equal(exports.memory, "memory");
    assert.equal(exports.process_block, "function");
  });
}

test("blocks: one create per block, exact bytes", () => {
  const chain = buildChain();
  const host = new Host({ views: views(chain) });
  const m = loadModule(BLOCKS);
  chain.blocks.forEach((b, i) => {
    const h = H0 + i;
    const { text, messages } = host.runBlock(m, h, b.displayHash);
    assert.equal(text, JSON.stringify(expectedBlocks(b, h)));
    assert.equal(messages.length, 1);
    assert.equal(messages[0].payload.after.tx_count, b.txs.length);
    if (i > 0) assert.equal(messages[0].payload.after.prev_hash, chain.blocks[i - 1].hashHex);
  });
  assert.deepEqual(host.viewCalls.map((c) => [c.name, c.input.length]), [["getblock", 0], ["getblock", 0], ["getblock", 0]]);
  assert.equal(host.state.size, 0);
});

test("txindex: messages and state match the contract, exact bytes", () => {
  const chain = buildChain();
  const host = new Host({ views: views(chain) });
  const expectedState = new Map();
  const m = loadModule(TXINDEX);
  const outputs = chain.blocks.map((b, i) => {
    const out = host.runBlock(m, H0 + i, b.displayHash);
    assert.equal(out.text, JSON.stringify(expectedTxindex(b, H0 + i, expectedState)), `block ${H0 + i}`);
    assert.deepEqual(host.stateObject(), Object.fromEntries([...expectedState.entries()].sort()));
    return out.messages;
  });

  // Spot checks written out by hand, independent of reference.mjs.
  const { tx } = chain;
  const [m0, m1, m2] = outputs;
  const ops = (ms, table) => ms.filter((x) => x.payload.table === table).map((x) => `${x.payload.operation} ${x.payload.key}`);
  const id = (t) => txidHex(t);

  // block 0: legacy coinbase, unknown prevout skipped, zero-value C emits no balance
  assert.deepEqual(ops(m0, "balances"), [`create ${SH.A}`, `create ${SH.B}`]);
  assert.equal(m0[0].header.timestamp, 1700000000000);
  assert.equal(m0[0].header.transaction_id, id(tx.cb1));
  assert.equal(m0[0].payload.after.segwit, false);
  assert.equal(m0.at(-1).header.transaction_id, undefined);

  // block 1: segwit coinbase and spend of block 0's coinbase output
  assert.equal(m1[0].payload.after.segwit, true);
  assert.deepEqual(ops(m1, "utxos"), [`create ${id(tx.cb2)}:0`, `create ${id(tx.cb2)}:1`,
    `delete ${id(tx.cb1)}:0`, `create ${id(tx.tx2)}:0`, `create ${id(tx.tx2)}:1`]);
  const del = m1.find((x) => x.payload.operation === "delete");
  assert.deepEqual(del.payload.before, { height: H0, script: SH.A, txid: id(tx.cb1), value: 5000000000, vout: 0 });
  assert.equal(del.header.transaction_id, id(tx.tx2));
  const bal1 = m1.filter((x) => x.payload.table === "balances");
  assert.deepEqual(bal1.map((x) => [x.payload.operation, x.payload.key, x.payload.before.balance, x.payload.after.balance]),
    [["update", SH.A, 5000000000, 5124990000], ["update", SH.B, 1000, 3000001000]]);

  // block 2: B drained (delete), E created and spent in-block (nothing), A unchanged (nothing),
  // F and D created, 253-output tx, 304-byte script
  assert.deepEqual(m2.filter((x) => x.payload.table === "balances").map((x) => [x.payload.operation, x.payload.key,
    x.payload.before?.balance, x.payload.after?.balance]),
    [["create", SH.D, undefined, 625000253], ["delete", SH.B, 3000001000, undefined], ["create", SH.F, undefined, 3000001000]]);
  assert.ok(ops(m2, "utxos").includes(`delete ${id(tx.tx3a)}:0`));
  assert.ok(ops(m2, "utxos").includes(`delete ${id(tx.cb1)}:1`));
  assert.equal(m2.filter((x) => x.payload.table === "transactions").length, 5);
  assert.equal(m2.filter((x) => x.header.transaction_id === id(tx.tx3d)).length, 254);
  assert.equal(m2.find((x) => x.payload.key === `${id(tx.tx3c)}:1`).payload.after.script, SH.G);

  const st = host.stateObject();
  assert.equal(st[`balance:${SH.A}`], "5124990000");
  assert.equal(st[`balance:${SH.B}`], undefined);
  assert.equal(st[`balance:${SH.C}`], undefined);
  assert.equal(st[`balance:${SH.E}`], undefined);
  assert.equal(st[`utxo:${id(tx.tx2)}:0`], undefined);
  assert.equal(st[`utxo:${id(tx.tx3b)}:0`],
    `{"height":${H0 + 2},"script":"${SH.F}","txid":"${id(tx.tx3b)}","value":3000001000,"vout":0}`);
  // unspent: cb2:0-1, cb3:0-1, tx3b:0, tx3c:0-1, tx3d:0-252
  assert.equal(Object.keys(st).filter((k) => k.startsWith("utxo:")).length, 2 + 2 + 1 + 2 + 253);
});

test("txindex: the stub-runtime build gives byte-identical output and state", () => {
  const chain = buildChain();
  const run = (path) => {
    const host = new Host({ views: views(chain) });
    const texts = chain.blocks.map((b, i) => host.runBlock(loadModule(path), H0 + i, b.displayHash).text);
    return { texts, state: host.stateObject() };
  };
  assert.deepEqual(run(new URL("../build/test/txindex_stub.wasm", import.meta.url).pathname), run(TXINDEX));
});

test("txindex: replaying on a fresh state is deterministic", () => {
  const chain = buildChain();
  const m = loadModule(TXINDEX);
  const run = () => {
    const host = new Host({ views: views(chain) });
    return chain.blocks.map((b, i) => host.runBlock(m, H0 + i, b.displayHash).text).join("\n");
  };
  assert.equal(run(), run());
});

test("view failure returns -1 with a message on stderr", () => {
  for (const path of [BLOCKS, TXINDEX]) {
    const host = new Host({ views: {} });
    assert.throws(() => host.runBlock(loadModule(path), H0, Buffer.alloc(32)), (e) => e.code === -1);
    assert.match(host.stderr, /getblock failed/);
  }
});

test("truncated block traps through the abort handler", () => {
  const chain = buildChain();
  const raw = chain.blocks[1].raw;
  const host = new Host({ views: { getblock: () => raw.subarray(0, raw.length - 10) } });
  assert.throws(() => host.runBlock(loadModule(TXINDEX), H0 + 1, chain.blocks[1].displayHash), WebAssembly.RuntimeError);
  assert.match(host.stderr, /transform aborted: Reader: unexpected end of data/);
});
