// Three hand-built blocks exercising the txindex contract:
// legacy and segwit transactions, an unknown prevout, spends of earlier
// blocks' coinbase outputs, an in-block spend, a balance that goes to zero,
// one that goes absent -> 0 within a block, one unchanged, zero-value
// outputs, and 0xfd varints (253 outputs, a 300-byte script).
import { buildBlock, coinbase, txidOf, rev } from "./bitcoin.mjs";

const fill = (n, b) => Buffer.alloc(n, b);
export const S = {
  A: Buffer.concat([Buffer.from("0014", "hex"), fill(20, 0xaa)]), // P2WPKH
  B: Buffer.concat([Buffer.from("0014", "hex"), fill(20, 0xbb)]),
  C: Buffer.concat([Buffer.from("6a24aa21a9ed", "hex"), fill(32, 0xcc)]), // witness commitment
  D: Buffer.concat([Buffer.from("76a914", "hex"), fill(20, 0xdd), Buffer.from("88ac", "hex")]), // P2PKH
  E: Buffer.concat([Buffer.from("0020", "hex"), fill(32, 0xee)]), // P2WSH
  F: Buffer.concat([Buffer.from("5120", "hex"), fill(32, 0xff)]), // P2TR
  G: Buffer.concat([Buffer.from("6a4d2c01", "hex"), fill(300, 0x47)]), // 304-byte OP_RETURN
};
const hex = (b) => b.toString("hex");
export const SH = Object.fromEntries(Object.entries(S).map(([k, v]) => [k, hex(v)]));

const sig = fill(72, 0x30);
const pub = Buffer.concat([Buffer.from([0x02]), fill(32, 0x11)]);
const spend = (tx, vout, witness) => ({
  prevTxid: txidOf(tx), vout, script: witness ? Buffer.alloc(0) : Buffer.concat([Buffer.from([72]), sig, Buffer.from([33]), pub]),
  sequence: 0xfffffffd, witness: witness ? [sig, pub] : [],
});

export const H0 = 840000;

export function buildChain() {
  // block 0 (height 840000)
  const cb1 = coinbase(H0, [{ value: 5000000000n, script: S.A }, { value: 0n, script: S.C }]);
  const unknownParent = { prevTxid: fill(32, 0x42), vout: 7, script: Buffer.from([0x51]), sequence: 0xffffffff, witness: [] };
  const tx1b = { version: 1, segwit: false, locktime: 0, inputs: [unknownParent], outputs: [{ value: 1000n, script: S.B }] };
  const b0 = buildBlock({ prevHash: fill(32, 0x01), time: 1700000000, txs: [cb1, tx1b] });

  // block 1 (height 840001)
  const cb2 = coinbase(H0 + 1, [{ value: 3125000000n, script: S.A }, { value: 0n, script: S.C }], { segwit: true });
  const tx2 = { version: 2, segwit: true, locktime: H0, inputs: [spend(cb1, 0, true)],
    outputs: [{ value: 3000000000n, script: S.B }, { value: 1999990000n, script: S.A }] };
  const b1 = buildBlock({ prevHash: b0.hash, time: 1700000600, txs: [cb2, tx2] });

  // block 2 (height 840002)
  const cb3 = coinbase(H0 + 2, [{ value: 625000000n, script: S.D }, { value: 0n, script: S.C }], { segwit: true, tag: "/debshrew/" });
  const tx3a = { version: 1, segwit: false, locktime: 0, inputs: [spend(tx1b, 0, false), spend(tx2, 0, false)],
    outputs: [{ value: 3000001000n, script: S.E }] };
  const tx3b = { version: 2, segwit: true, locktime: 0, inputs: [spend(tx3a, 0, true)],
    outputs: [{ value: 3000001000n, script: S.F }] };
  const tx3c = { version: 2, segwit: true, locktime: 0, inputs: [spend(tx2, 1, true), spend(cb1, 1, true)],
    outputs: [{ value: 1999990000n, script: S.A }, { value: 0n, script: S.G }] };
  const tx3d = { version: 2, segwit: false, locktime: 0,
    inputs: [{ prevTxid: fill(32, 0x43), vout: 0, script: Buffer.from([0x51]), sequence: 0, witness: [] }],
    outputs: Array.from({ length: 253 }, () => ({ value: 1n, script: S.D })) };
  const b2 = buildBlock({ prevHash: b1.hash, time: 1700001200, txs: [cb3, tx3a, tx3b, tx3c, tx3d] });

  return { blocks: [b0, b1, b2], tx: { cb1, tx1b, cb2, tx2, cb3, tx3a, tx3b, tx3c, tx3d } };
}

export function views(chain) {
  return {
    getblock: (input, height) => {
      if (input.length !== 0) return null;
      const b = chain.blocks[height - H0];
      return b ? b.raw : null;
    },
  };
}
