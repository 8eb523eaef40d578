// Bitcoin block and transaction parsing (consensus serialisation, BIP144
// segwit). Byte arrays are views into the raw block (no copies).
import { Reader } from "./reader";
import { Sha256 } from "./sha256";
import { toHexReversed } from "./hex";

export class BlockHeader {
  version: u32 = 0;
  /** Previous block hash, internal byte order (reverse for display). */
  prevHash: Uint8Array = new Uint8Array(0);
  merkleRoot: Uint8Array = new Uint8Array(0);
  time: u32 = 0;
  bits: u32 = 0;
  nonce: u32 = 0;
  /** The 80 raw header bytes. */
  raw: Uint8Array = new Uint8Array(0);

  /** Block hash: dSHA256 of the header, internal order. */
  hash(): Uint8Array {
    return sha256dPtr(this.raw.dataStart, 80);
  }
}

export class TxIn {
  /** Previous txid, internal byte order. */
  prevTxid: Uint8Array = new Uint8Array(0);
  prevVout: u32 = 0;
  script: Uint8Array = new Uint8Array(0);
  sequence: u32 = 0;
  witness: Uint8Array[] = [];

  /** Display-order hex of the previous txid. */
  prevTxidHex(): string {
    return toHexReversed(this.prevTxid);
  }

  /** The null prevout of a coinbase input (32 zero bytes, vout 0xffffffff). */
  isCoinbase(): bool {
    if (this.prevVout != 0xffffffff) return false;
    for (let i = 0; i < 32; i++) if (this.prevTxid[i] != 0) return false;
    return true;
  }
}

export class TxOut {
  value: u64 = 0;
  script: Uint8Array = new Uint8Array(0);
}

export class Transaction {
  version: u32 = 0;
  /** True when serialised with the segwit marker and flag (00 01). */
  segwit: bool = false;
  inputs: TxIn[] = [];
  outputs: TxOut[] = [];
  locktime: u32 = 0;
  /** dSHA256 of the non-witness serialisation, internal order. */
  txid: Uint8Array = new Uint8Array(0);

  /** Display-order (reversed) hex of the txid. */
  txidHex(): string {
    return toHexReversed(this.txid);
  }
}

export class Block {
  header: BlockHeader = new BlockHeader();
  transactions: Transaction[] = [];
}

function sha256dPtr(ptr: usize, len: i32): Uint8Array {
  const h = new Sha256();
  const first = h.updatePtr(ptr, len).digest();
  return h.update(first).digest();
}

/** Reads an 80-byte block header. */
export function readHeader(r: Reader): BlockHeader {
  const h = new BlockHeader();
  const start = r.pos;
  h.version = r.u32();
  h.prevHash = r.bytes(32);
  h.merkleRoot = r.bytes(32);
  h.time = r.u32();
  h.bits = r.u32();
  h.nonce = r.u32();
  h.raw = r.data.subarray(start, start + 80);
  return h;
}

/** Reads one transaction and computes its txid. */
export function readTransaction(r: Reader): Transaction {
  const tx = new Transaction();
  const versionAt = r.pos;
  tx.version = r.u32();
  if (r.peek() == 0 && r.peek(1) == 1) {
    tx.segwit = true;
    r.skip(2);
  }
  const bodyAt = r.pos;
  const nIn = r.varlen();
  for (let i = 0; i < nIn; i++) {
    const input = new TxIn();
    input.prevTxid = r.bytes(32);
    input.prevVout = r.u32();
    input.script = r.varBytes();
    input.sequence = r.u32();
    tx.inputs.push(input);
  }
  const nOut = r.varlen();
  for (let i = 0; i < nOut; i++) {
    const output = new TxOut();
    output.value = r.u64();
    output.script = r.varBytes();
    tx.outputs.push(output);
  }
  const bodyEnd = r.pos;
  if (tx.segwit) {
    for (let i = 0; i < nIn; i++) {
      const items = r.varlen();
      const stack: Uint8Array[] = [];
      for (let j = 0; j < items; j++) stack.push(r.varBytes());
      unchecked(tx.inputs[i]).witness = stack;
    }
  }
  const lockAt = r.pos;
  tx.locktime = r.u32();
  // txid = dSHA256(version | inputs | outputs | locktime), witness data excluded
  const h = new Sha256();
  h.updatePtr(r.ptrAt(versionAt), 4);
  h.updatePtr(r.ptrAt(bodyAt), bodyEnd - bodyAt);
  h.updatePtr(r.ptrAt(lockAt), 4);
  const first = h.digest();
  tx.txid = h.update(first).digest();
  return tx;
}

/**
 * Reads a block one transaction at a time (keeps memory flat on big blocks):
 * `const br = new BlockReader(raw); while (br.hasNext()) { const tx = br.next(); ... }`
 */
export class BlockReader {
  reader: Reader;
  header: BlockHeader;
  /** Transaction count from the varint after the header. */
  count: i32;
  /** Index of the next transaction. */
  index: i32 = 0;

  constructor(raw: Uint8Array) {
    const r = new Reader(raw);
    this.header = readHeader(r);
    this.count = r.varlen();
    this.reader = r;
  }

  hasNext(): bool {
    return this.index < this.count;
  }

  next(): Transaction {
    if (this.index >= this.count) throw new Error("BlockReader: no more transactions");
    this.index++;
    return readTransaction(this.reader);
  }
}

/** Parses a whole serialised block. */
export function parseBlock(raw: Uint8Array): Block {
  const br = new BlockReader(raw);
  const block = new Block();
  block.header = br.header;
  while (br.hasNext()) block.transactions.push(br.next());
  return block;
}
