// Benchmark transform "bench_views": view-heavy. 4 view calls per block (3
// getblock with distinct inputs, 1 blocktracker), a few state keys read and
// written (one of them by every block, so blocks processed speculatively in
// parallel conflict on it) and 4 messages derived from the view results (see
// examples/README.md, "Benchmark transforms").
import {
  getHeight, getBlockHash, view, getStateString, setState, toHex, Reader, readHeader,
  CdcHeader, CdcOutput, JsonObject, jsonGetU64, fail,
} from "../sdk/index";

const SOURCE = "bench_views";

function sameBytes(a: Uint8Array, b: Uint8Array): bool {
  if (a.length != b.length) return false;
  for (let i = 0; i < a.length; i++) if (unchecked(a[i]) != unchecked(b[i])) return false;
  return true;
}

/** {"key":K,"last":H,"n":N}: both the state value and the row. */
function counterRow(key: string, n: u64, last: u32): JsonObject {
  return new JsonObject().str("key", key).u64("last", <u64>last).u64("n", n);
}

/** Bumps counter `key` in state and emits its create (first time) or update, table `table`. */
function bump(out: CdcOutput, header: CdcHeader, table: string, key: string, height: u32, by: u64): void {
  const stateKey = "bench_views:" + table + ":" + key;
  const stored = getStateString(stateKey);
  if (stored === null) {
    const after = counterRow(key, by, height);
    out.create(header, table, key, after);
    setState(stateKey, String.UTF8.decode(after.toBytes().buffer, false));
  } else {
    const n = jsonGetU64(stored, "n");
    const after = counterRow(key, n + by, height);
    out.update(header, table, key, stored, after);
    setState(stateKey, String.UTF8.decode(after.toBytes().buffer, false));
  }
}

export function process_block(): i32 {
  const height = getHeight();
  // Four view calls: getblock three times (inputs are distinct, so no cache can merge them; the
  // devnet's getblock ignores its input) and blocktracker once (one byte per block up to here).
  const block = view("getblock", new Uint8Array(0));
  const again = view("getblock", Uint8Array.wrap(String.UTF8.encode("a", false)));
  const third = view("getblock", Uint8Array.wrap(String.UTF8.encode("b", false)));
  const tracker = view("blocktracker", new Uint8Array(0));
  if (block === null || again === null || third === null || tracker === null) {
    return fail("bench_views: a view call failed");
  }
  if (block.length < 81) return fail("bench_views: block too short (" + block.length.toString() + " bytes)");
  if (!sameBytes(block, again) || !sameBytes(block, third)) return fail("bench_views: getblock answers differ");
  if (<u32>tracker.length != height + 1) {
    return fail("bench_views: blocktracker has " + tracker.length.toString() + " entries at height " + height.toString());
  }

  const r = new Reader(block);
  const blockHeader = readHeader(r);
  const txCount = r.varint();
  const hash = getBlockHash();
  const hashHex = toHex(hash);
  const trackerByte = tracker[tracker.length - 1];
  if (hash.length != 32 || trackerByte != hash[0]) return fail("bench_views: blocktracker disagrees with the block hash");

  const header = new CdcHeader(SOURCE, <u64>blockHeader.time * 1000, height, hashHex);
  const out = new CdcOutput(4096);
  out.create(header, "bench_blocks", height.toString(), new JsonObject()
    .str("hash", hashHex)
    .u64("height", <u64>height)
    .u64("size", <u64>block.length)
    .u64("tracker", <u64>trackerByte)
    .u64("tx_count", txCount));
  // Written by every block: speculative execution of later blocks must re-run when it conflicts.
  bump(out, header, "bench_totals", "all", height, txCount);
  // Written by blocks with the same transaction count (a few keys, frequent conflicts).
  bump(out, header, "bench_tx_counts", "tx" + txCount.toString(), height, 1);
  // Written by blocks whose hash starts with the same byte (256 keys, rare conflicts).
  bump(out, header, "bench_first_bytes", toHex(hash.subarray(0, 1)), height, 1);
  return out.finish();
}
