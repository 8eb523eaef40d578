// The shared body of the example transforms "tally" and "tally_v2": two versions of one
// transform, compatible with each other's state, for hot reload (docs/operations.md). Each block
// gets a row naming the version that produced it, and one running totals row is updated.
import {
  getHeight, getBlockHash, view, toHex, Reader, readHeader, getStateString, setState,
  parseU64, CdcHeader, CdcMessage, JsonObject, messagesToOutput, fail,
} from "../../sdk/index";

const BLOCKS_KEY = "tally:blocks";
const TXS_KEY = "tally:txs";

function totals(blocks: u64, txs: u64, version: string): JsonObject {
  return new JsonObject().u64("blocks", blocks).str("last_version", version).u64("txs", txs);
}

/** Runs one block as version {@code version} of the transform. */
export function tally(version: string): i32 {
  const raw = view("getblock", new Uint8Array(0));
  if (raw === null) return fail("tally: view getblock failed");
  if (raw.length < 81) return fail("tally: block too short (" + raw.length.toString() + " bytes)");
  const r = new Reader(raw);
  const header = readHeader(r);
  const txCount: u64 = r.varint();

  const height = getHeight();
  const cdc = new CdcHeader("tally", <u64>header.time * 1000, height, toHex(getBlockHash()));
  const messages: CdcMessage[] = [
    CdcMessage.create(cdc, "tally_blocks", height.toString(),
      new JsonObject().u64("height", height).u64("txs", txCount).str("version", version)),
  ];

  const storedBlocks = getStateString(BLOCKS_KEY);
  const storedTxs = getStateString(TXS_KEY);
  const storedVersion = getStateString("tally:version");
  const blocks: u64 = storedBlocks !== null ? parseU64(storedBlocks) + 1 : 1;
  const txs: u64 = (storedTxs !== null ? parseU64(storedTxs) : 0) + txCount;
  const after = totals(blocks, txs, version);
  if (storedBlocks === null) {
    messages.push(CdcMessage.create(cdc, "tally_totals", "all", after));
  } else {
    const before = totals(blocks - 1, txs - txCount, storedVersion !== null ? storedVersion : "");
    messages.push(CdcMessage.update(cdc, "tally_totals", "all", before, after));
  }
  setState(BLOCKS_KEY, blocks.toString());
  setState(TXS_KEY, txs.toString());
  setState("tally:version", version);
  return messagesToOutput(messages);
}
