// Helper module exposing SDK functions to the Node unit tests
// (test/sdk.test.mjs). All pointers are LP buffers. Not a transform.
import {
  sha256, sha256d, Sha256, toHex, toHexReversed, fromHex, jsonString, JsonObject, JsonWriter,
  Reader, jsonGetString, jsonGetU64, jsonGetRaw, parseU64, lpFromBytes, lpFromString, lpToBytes,
  lpToString, lpPtr, CdcHeader, CdcMessage, messagesToOutput,
} from "../../sdk/index";

// Buffers handed to JS stay reachable, so a GC runtime never frees them
// while JS still holds their address.
const keep: ArrayBuffer[] = [];

/** Allocates an LP buffer with room for `len` bytes (prefix already set). */
export function alloc(len: i32): usize {
  const b = new ArrayBuffer(len + 4);
  keep.push(b);
  store<u32>(changetype<usize>(b), <u32>len);
  return changetype<usize>(b);
}

function outBytes(b: Uint8Array): usize { const lp = lpFromBytes(b); keep.push(lp); return lpPtr(lp); }
function outString(s: string): usize { const lp = lpFromString(s); keep.push(lp); return lpPtr(lp); }

export function sha256_of(p: usize): usize {
  return outBytes(sha256(lpToBytes(p)));
}

export function sha256d_of(p: usize): usize {
  return outBytes(sha256d(lpToBytes(p)));
}

/** Streams the input through one hasher in chunks of `chunk` bytes. */
export function sha256_chunked(p: usize, chunk: i32): usize {
  const data = lpToBytes(p);
  const h = new Sha256();
  for (let i = 0; i < data.length; i += chunk) {
    h.update(data.subarray(i, min(i + chunk, data.length)));
  }
  return outBytes(h.digest());
}

export function hex_of(p: usize): usize { return outString(toHex(lpToBytes(p))); }
export function hex_reversed_of(p: usize): usize { return outString(toHexReversed(lpToBytes(p))); }
export function unhex(p: usize): usize { return outBytes(fromHex(lpToString(p))); }

/** JSON string literal of the UTF-8 input. */
export function json_string(p: usize): usize { return outString(jsonString(lpToString(p))); }

/** Object with the newline-separated keys of the input, each mapped to its input index. */
export function json_sorted(p: usize): usize {
  const keys = lpToString(p).split("\n");
  const o = new JsonObject();
  for (let i = 0; i < keys.length; i++) o.u64(keys[i], <u64>i);
  return outString(o.toString());
}

/** Writer smoke test: nested values, negative numbers, booleans, null. */
export function json_writer_sample(): usize {
  const w = new JsonWriter();
  w.beginObject();
  w.key("a").beginArray().u64(0).i64(-5).i64(i64.MIN_VALUE).u64(u64.MAX_VALUE).endArray();
  w.key("b").beginObject().endObject();
  w.key("c").bool(true).key("d").bool(false).key("e").nil();
  w.key("f").beginArray().beginObject().key("x").string("y").endObject().beginArray().endArray().endArray();
  w.endObject();
  return outString(w.toString());
}

/** Varints of the input, decimal, comma separated. */
export function read_varints(p: usize): usize {
  const r = new Reader(lpToBytes(p));
  let s = "";
  while (!r.atEnd()) {
    if (s.length > 0) s += ",";
    s += r.varint().toString();
  }
  return outString(s);
}

/** u8,u16,u32,u64 little-endian from the input. */
export function read_ints(p: usize): usize {
  const r = new Reader(lpToBytes(p));
  const a = r.u8(), b = r.u16(), c = r.u32(), d = r.u64();
  return outString(a.toString() + "," + b.toString() + "," + c.toString() + "," + d.toString());
}

/** Reads `n` bytes past the end: must abort. */
export function read_past_end(p: usize, n: i32): void {
  new Reader(lpToBytes(p)).bytes(n);
}

/** jsonGetString(json, key) ?? "<null>". */
export function json_get_string(json: usize, key: usize): usize {
  const v = jsonGetString(lpToString(json), lpToString(key));
  return outString(v !== null ? v : "<null>");
}

export function json_get_raw(json: usize, key: usize): usize {
  const v = jsonGetRaw(lpToString(json), lpToString(key));
  return outString(v !== null ? v : "<null>");
}

export function json_get_u64(json: usize, key: usize): usize {
  return outString(jsonGetU64(lpToString(json), lpToString(key), 777).toString());
}

export function parse_u64(p: usize): usize {
  return outString(parseU64(lpToString(p), 777).toString());
}

/** Two messages through messagesToOutput (pointer at the LP length prefix). */
export function cdc_sample(): i32 {
  const h = new CdcHeader("src\"x", 1623456789000, 840000, "00ff");
  const row = new JsonObject().str("z", "last").u64("a", 1).bool("m", false);
  const msgs: CdcMessage[] = [
    CdcMessage.create(h, "t", "k1", row),
    CdcMessage.update(h.withTransaction("ab"), "t", "k1", row, "{\"a\":2}"),
    CdcMessage.delete(h, "t", "k1", "{\"a\":2}"),
  ];
  return messagesToOutput(msgs);
}

export function cdc_empty(): i32 {
  return messagesToOutput([]);
}
