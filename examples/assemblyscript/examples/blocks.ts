// Example transform "blocks": one create message per block
// (see examples/README.md, the contract shared with the Rust version).
import {
  getHeight, getBlockHash, view, toHex, toHexReversed, Reader, readHeader,
  CdcHeader, CdcMessage, JsonObject, messagesToOutput, fail,
} from "../sdk/index";

export function process_block(): i32 {
  const raw = view("getblock", new Uint8Array(0));
  if (raw === null) return fail("blocks: view getblock failed");
  if (raw.length < 81) return fail("blocks: block too short (" + raw.length.toString() + " bytes)");

  const r = new Reader(raw);
  const header = readHeader(r);
  const txCount = r.varint();

  const height = getHeight();
  const hash = toHex(getBlockHash());
  const cdc = new CdcHeader("blocks", <u64>header.time * 1000, height, hash);

  const row = new JsonObject()
    .str("hash", hash)
    .u64("height", height)
    .str("prev_hash", toHexReversed(header.prevHash))
    .u64("time", header.time)
    .u64("tx_count", txCount);

  return messagesToOutput([CdcMessage.create(cdc, "blocks", height.toString(), row)]);
}
