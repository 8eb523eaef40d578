// Benchmark transform "bench_messages": 500 CDC messages per block, creates,
// updates and deletes mixed over a bounded key space of 2000 rows, with small
// JSON rows and a little state (see examples/README.md, "Benchmark transforms").
// Not an example to copy: the rows are synthetic and depend only on the height.
import {
  getHeight, getBlockHash, view, getStateString, setState, toHex, Reader, readHeader,
  CdcHeader, CdcOutput, JsonObject, parseU64, fail,
} from "../sdk/index";

const SOURCE = "bench_messages";
const TABLE = "bench_rows";
/** Messages per block. */
const M: u32 = 500;
/** Keys: block h touches keys (h % 4) * M .. +M, so each key every 4th block. */
const SPAN: u32 = 4;

/** Phase of key k at its touch t (touch t happens at block t * SPAN + k / M). */
function phase(t: u32, k: u32): u32 {
  return (t + k) % 3;
}

/** The row of key k as written at block h: a pure function, so before-images need no state. */
function row(k: u32, h: u32): JsonObject {
  const mix = (<u64>k * 2654435761 + <u64>h * 40503) % 1000003;
  return new JsonObject()
    .u64("h", <u64>h)
    .u64("k", <u64>k)
    .str("tag", "r" + (mix % 97).toString())
    .u64("v", mix);
}

export function process_block(): i32 {
  const raw = view("getblock", new Uint8Array(0));
  if (raw === null) return fail("bench_messages: view getblock failed");
  if (raw.length < 81) return fail("bench_messages: block too short (" + raw.length.toString() + " bytes)");
  const blockHeader = readHeader(new Reader(raw));

  const height = getHeight();
  const header = new CdcHeader(SOURCE, <u64>blockHeader.time * 1000, height, toHex(getBlockHash()));
  const out = new CdcOutput(<i32>M * 160 + 1024);

  // Key k's touches, t = 0, 1, 2, ...: t = 0 creates it; afterwards it was deleted at touch t - 1
  // iff t - 1 >= 1 and phase(t - 1) == 2 (a phase-2 touch after the first always finds the row);
  // a missing row is created, an existing one deleted in phase 2 and updated otherwise.
  const t: u32 = height / SPAN;
  const base: u32 = (height % SPAN) * M;
  for (let i: u32 = 0; i < M; i++) {
    const k = base + i;
    const key = "k" + k.toString();
    const exists = t >= 1 && !(t >= 2 && phase(t - 1, k) == 2);
    if (!exists) {
      out.create(header, TABLE, key, row(k, height));
    } else if (phase(t, k) == 2) {
      out.delete(header, TABLE, key, row(k, height - SPAN));
    } else {
      out.update(header, TABLE, key, row(k, height - SPAN), row(k, height));
    }
  }

  // A little state: the running message count and the last height.
  const stored = getStateString("bench_messages:count");
  const count = (stored === null ? 0 : parseU64(stored)) + <u64>M;
  setState("bench_messages:count", count.toString());
  setState("bench_messages:last", height.toString());
  return out.finish();
}
