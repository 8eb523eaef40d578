// A debshrew transform: one `blocks` row per block, with a running count kept in state.
// Build: npm run build   Golden test: npm test   (see README.md)
import {
  getHeight, getBlockHash, view, toHex, Reader, readHeader, getStateString, setState, println,
  CdcHeader, CdcMessage, JsonObject, messagesToOutput, fail,
} from "debshrew-sdk";

export function process_block(): i32 {
  const height = getHeight();
  // The raw block in Bitcoin's serialisation (empty input: the host passes the height).
  const block = view("getblock", new Uint8Array(0));
  if (block === null) return fail("getblock failed");
  if (block.length < 81) return fail("block " + height.toString() + " is too short (" + block.length.toString() + " bytes)");
  const r = new Reader(block);
  const header = readHeader(r);
  const txCount = r.varint();

  // State lasts across blocks (and is rolled back with them on a reorg).
  const before = getStateString("blocks_seen");
  const seen: u64 = (before === null ? 0 : U64.parseInt(before)) + 1;
  setState("blocks_seen", seen.toString());
  println("block " + height.toString() + ": " + txCount.toString() + " transactions, " + block.length.toString() + " bytes");

  const hash = toHex(getBlockHash());
  const cdc = new CdcHeader("transform", <u64>header.time * 1000, height, hash);
  const row = new JsonObject() // keys are written in sorted order
    .str("hash", hash)
    .u64("height", height)
    .u64("seen", seen)
    .u64("size", block.length)
    .u64("tx_count", txCount);
  return messagesToOutput([CdcMessage.create(cdc, "blocks", height.toString(), row)]);
}
