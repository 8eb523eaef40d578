// Builds valid serialised Bitcoin transactions and blocks for the dev checks.
import { createHash } from "node:crypto";

export const sha256 = (b) => createHash("sha256").update(b).digest();
export const dsha = (b) => sha256(sha256(b));
export const rev = (b) => Buffer.from(b).reverse();

export function varint(n) {
  if (n < 0xfd) return Buffer.from([n]);
  if (n <= 0xffff) { const b = Buffer.alloc(3); b[0] = 0xfd; b.writeUInt16LE(n, 1); return b; }
  if (n <= 0xffffffff) { const b = Buffer.alloc(5); b[0] = 0xfe; b.writeUInt32LE(n, 1); return b; }
  const b = Buffer.alloc(9); b[0] = 0xff; b.writeBigUInt64LE(BigInt(n), 1); return b;
}
const u32 = (n) => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; };
const u64 = (n) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; };
const varBytes = (b) => Buffer.concat([varint(b.length), b]);

/**
 * tx = { version, segwit, inputs: [{ prevTxid (internal order), vout, script, sequence, witness: [Buffer] }],
 *        outputs: [{ value, script }], locktime }
 */
export function serializeTx(tx, withWitness = true) {
  const parts = [u32(tx.version ?? 2)];
  const seg = withWitness && tx.segwit;
  if (seg) parts.push(Buffer.from([0, 1]));
  parts.push(varint(tx.inputs.length));
  for (const i of tx.inputs) {
    parts.push(i.prevTxid, u32(i.vout), varBytes(i.script ?? Buffer.alloc(0)), u32(i.sequence ?? 0xffffffff));
  }
  parts.push(varint(tx.outputs.length));
  for (const o of tx.outputs) parts.push(u64(o.value), varBytes(o.script));
  if (seg) {
    for (const i of tx.inputs) {
      const w = i.witness ?? [];
      parts.push(varint(w.length), ...w.map(varBytes));
    }
  }
  parts.push(u32(tx.locktime ?? 0));
  return Buffer.concat(parts);
}

/** txid in internal byte order. */
export const txidOf = (tx) => dsha(serializeTx(tx, false));
/** txid as displayed (reversed hex). */
export const txidHex = (tx) => rev(txidOf(tx)).toString("hex");

export function merkleRoot(hashes) {
  let level = hashes.map((h) => Buffer.from(h));
  if (level.length === 0) return Buffer.alloc(32);
  while (level.length > 1) {
    if (level.length % 2) level.push(level[level.length - 1]);
    const next = [];
    for (let i = 0; i < level.length; i += 2) next.push(dsha(Buffer.concat([level[i], level[i + 1]])));
    level = next;
  }
  return level[0];
}

export function coinbase(height, outputs, { segwit = false, tag = "" } = {}) {
  const h = Buffer.alloc(4); h.writeUInt32LE(height);
  const script = Buffer.concat([Buffer.from([3]), h.subarray(0, 3), Buffer.from(tag, "utf8")]);
  return {
    version: 2, segwit, locktime: 0, outputs,
    inputs: [{ prevTxid: Buffer.alloc(32), vout: 0xffffffff, script, sequence: 0xffffffff,
               witness: segwit ? [Buffer.alloc(32)] : [] }],
  };
}

/** Returns { raw, header, hash (internal), hashHex (display), txs }. */
export function buildBlock({ prevHash, time, txs, version = 0x20000000, bits = 0x207fffff, nonce = 0 }) {
  const header = Buffer.concat([
    u32(version), prevHash, merkleRoot(txs.map(txidOf)), u32(time), u32(bits), u32(nonce),
  ]);
  const raw = Buffer.concat([header, varint(txs.length), ...txs.map((t) => serializeTx(t, true))]);
  const hash = dsha(header);
  return { raw, header, hash, hashHex: rev(hash).toString("hex"), displayHash: rev(hash), txs, time };
}
