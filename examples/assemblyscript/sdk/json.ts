// Compact JSON writing (UTF-8) with serde_json-compatible string escaping,
// an object builder that sorts its keys (like serde_json's default map),
// and a small reader for flat objects.

/** Growable byte buffer. */
export class ByteBuffer {
  private buf: ArrayBuffer;
  length: i32 = 0;

  constructor(capacity: i32 = 256) {
    this.buf = new ArrayBuffer(max(capacity, 16));
  }

  /** Makes room for `extra` more bytes; returns the address where they go. */
  reserve(extra: i32): usize {
    const need = this.length + extra;
    const cap = this.buf.byteLength;
    if (need > cap) {
      let next = cap << 1;
      if (next < need) next = need;
      const bigger = new ArrayBuffer(next);
      memory.copy(changetype<usize>(bigger), changetype<usize>(this.buf), <usize>this.length);
      this.buf = bigger;
    }
    return changetype<usize>(this.buf) + <usize>this.length;
  }

  /** Address of the first byte (valid until the next write). */
  dataPtr(): usize {
    return changetype<usize>(this.buf);
  }

  byte(b: u8): void {
    store<u8>(this.reserve(1), b);
    this.length++;
  }

  bytesPtr(ptr: usize, n: i32): void {
    memory.copy(this.reserve(n), ptr, <usize>n);
    this.length += n;
  }

  bytes(data: Uint8Array): void {
    this.bytesPtr(data.dataStart, data.length);
  }

  /** Appends `s` as UTF-8 (lone surrogates become U+FFFD). */
  utf8(s: string): void {
    const n = s.length;
    const start = this.reserve(n * 3); // enough: at most 3 bytes per UTF-16 unit
    let q = start;
    const p = changetype<usize>(s);
    for (let i = 0; i < n; i++) {
      let c = <u32>load<u16>(p + (<usize>i << 1));
      if (c < 0x80) {
        store<u8>(q++, <u8>c);
        continue;
      }
      if (c < 0x800) {
        store<u8>(q++, <u8>(0xc0 | (c >> 6)));
        store<u8>(q++, <u8>(0x80 | (c & 0x3f)));
        continue;
      }
      if (c >= 0xd800 && c < 0xe000) {
        if (c < 0xdc00 && i + 1 < n) {
          const d = <u32>load<u16>(p + (<usize>(i + 1) << 1));
          if (d >= 0xdc00 && d < 0xe000) {
            c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
            i++;
            store<u8>(q++, <u8>(0xf0 | (c >> 18)));
            store<u8>(q++, <u8>(0x80 | ((c >> 12) & 0x3f)));
            store<u8>(q++, <u8>(0x80 | ((c >> 6) & 0x3f)));
            store<u8>(q++, <u8>(0x80 | (c & 0x3f)));
            continue;
          }
        }
        c = 0xfffd;
      }
      store<u8>(q++, <u8>(0xe0 | (c >> 12)));
      store<u8>(q++, <u8>(0x80 | ((c >> 6) & 0x3f)));
      store<u8>(q++, <u8>(0x80 | (c & 0x3f)));
    }
    this.length += <i32>(q - start);
  }

  /** Copy of the contents. */
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    memory.copy(out.dataStart, changetype<usize>(this.buf), <usize>this.length);
    return out;
  }

  /** Contents decoded as UTF-8. */
  toString(): string {
    return String.UTF8.decodeUnsafe(changetype<usize>(this.buf), <usize>this.length, false);
  }
}

// @ts-ignore: decorator
@inline
function hexDigit(n: u32): u8 {
  return <u8>(n < 10 ? 0x30 + n : 0x57 + n);
}

/**
 * Streaming compact JSON writer. Commas are inserted automatically:
 * `w.beginObject(); w.key("a"); w.u64(1); w.endObject()` gives `{"a":1}`.
 */
export class JsonWriter {
  out: ByteBuffer;
  private needComma: bool = false;

  constructor(out: ByteBuffer = new ByteBuffer()) {
    this.out = out;
  }

  private sep(): void {
    if (this.needComma) this.out.byte(0x2c); // ,
  }

  beginObject(): this { this.sep(); this.out.byte(0x7b); this.needComma = false; return this; }
  endObject(): this { this.out.byte(0x7d); this.needComma = true; return this; }
  beginArray(): this { this.sep(); this.out.byte(0x5b); this.needComma = false; return this; }
  endArray(): this { this.out.byte(0x5d); this.needComma = true; return this; }

  /** Writes an object key and the colon. */
  key(k: string): this {
    this.sep();
    this.quoted(k);
    this.out.byte(0x3a); // :
    this.needComma = false;
    return this;
  }

  string(s: string): this { this.sep(); this.quoted(s); this.needComma = true; return this; }

  u64(v: u64): this { this.sep(); writeU64(this.out, v); this.needComma = true; return this; }

  i64(v: i64): this {
    this.sep();
    if (v < 0) {
      this.out.byte(0x2d);
      writeU64(this.out, <u64>(-v)); // -i64.MIN wraps to 2^63 as u64, which is right
    } else {
      writeU64(this.out, <u64>v);
    }
    this.needComma = true;
    return this;
  }

  bool(b: bool): this {
    this.sep();
    if (b) this.out.utf8("true"); else this.out.utf8("false");
    this.needComma = true;
    return this;
  }

  nil(): this { this.sep(); this.out.utf8("null"); this.needComma = true; return this; }

  /** Writes an already-serialised JSON value verbatim. */
  raw(json: string): this { this.sep(); this.out.utf8(json); this.needComma = true; return this; }

  /** Forgets any pending separator: the next value starts a new top-level value. */
  fresh(): this { this.needComma = false; return this; }

  /** Writes `len` bytes of already-serialised UTF-8 JSON at `ptr` verbatim. */
  rawPtr(ptr: usize, len: i32): this { this.sep(); this.out.bytesPtr(ptr, len); this.needComma = true; return this; }

  /** Writes already-serialised UTF-8 JSON bytes verbatim. */
  rawBytes(json: Uint8Array): this { this.sep(); this.out.bytes(json); this.needComma = true; return this; }

  /** Writes `s` as a JSON string, escaped exactly like serde_json. */
  private quoted(s: string): void {
    const out = this.out;
    out.byte(0x22);
    const n = s.length;
    const p = changetype<usize>(s);
    let start = 0;
    for (let i = 0; i < n; i++) {
      const c = <u32>load<u16>(p + (<usize>i << 1));
      if (c >= 0x20 && c != 0x22 && c != 0x5c) continue;
      if (i > start) out.utf8(s.substring(start, i));
      start = i + 1;
      out.byte(0x5c); // backslash
      if (c == 0x22) out.byte(0x22);
      else if (c == 0x5c) out.byte(0x5c);
      else if (c == 0x08) out.byte(0x62); // b
      else if (c == 0x09) out.byte(0x74); // t
      else if (c == 0x0a) out.byte(0x6e); // n
      else if (c == 0x0c) out.byte(0x66); // f
      else if (c == 0x0d) out.byte(0x72); // r
      else {
        out.byte(0x75); out.byte(0x30); out.byte(0x30); // u00
        out.byte(hexDigit(c >> 4));
        out.byte(hexDigit(c & 15));
      }
    }
    if (start == 0) out.utf8(s);
    else if (start < n) out.utf8(s.substring(start, n));
    out.byte(0x22);
  }

  toString(): string {
    return this.out.toString();
  }
}

/** Appends the decimal digits of v. */
export function writeU64(out: ByteBuffer, v: u64): void {
  if (v == 0) {
    out.byte(0x30);
    return;
  }
  let digits = 0;
  let t = v;
  while (t != 0) { digits++; t /= 10; }
  const p = out.reserve(digits);
  let i = digits;
  while (v != 0) {
    i--;
    store<u8>(p + <usize>i, <u8>(0x30 + <u32>(v % 10)));
    v /= 10;
  }
  out.length += digits;
}

/** `s` as a JSON string literal (quotes included). */
export function jsonString(s: string): string {
  return new JsonWriter(new ByteBuffer(s.length + 8)).string(s).toString();
}

/** Code point order of two strings (equals the byte order of their UTF-8, like Rust's str). */
export function compareCodePoints(a: string, b: string): i32 {
  const na = a.length, nb = b.length;
  let i = 0, j = 0;
  while (i < na && j < nb) {
    let ca = <u32>a.charCodeAt(i++);
    if (ca >= 0xd800 && ca < 0xdc00 && i < na) {
      const d = <u32>a.charCodeAt(i);
      if (d >= 0xdc00 && d < 0xe000) { ca = 0x10000 + ((ca - 0xd800) << 10) + (d - 0xdc00); i++; }
    }
    let cb = <u32>b.charCodeAt(j++);
    if (cb >= 0xd800 && cb < 0xdc00 && j < nb) {
      const d = <u32>b.charCodeAt(j);
      if (d >= 0xdc00 && d < 0xe000) { cb = 0x10000 + ((cb - 0xd800) << 10) + (d - 0xdc00); j++; }
    }
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  if (i < na) return 1;
  if (j < nb) return -1;
  return 0;
}

/**
 * JSON object whose keys are written in sorted order (what serde_json
 * produces for a map or `json!` value), whatever order they were set in.
 * Setting a key twice replaces its value. Values are serialised as they are
 * set, into one buffer.
 */
export class JsonObject {
  private keys: string[] = [];
  private spans: i32[] = []; // [start, end) of each value in vals.out
  private vals: JsonWriter = new JsonWriter(new ByteBuffer(96));

  private begin(): i32 {
    this.vals.fresh();
    return this.vals.out.length;
  }

  private done(key: string, start: i32): this {
    const end = this.vals.out.length;
    const i = this.keys.indexOf(key);
    if (i >= 0) {
      this.spans[i << 1] = start;
      this.spans[(i << 1) + 1] = end;
    } else {
      this.keys.push(key);
      this.spans.push(start);
      this.spans.push(end);
    }
    return this;
  }

  /** Sets `key` to an already-serialised JSON value. */
  raw(key: string, json: string): this { const s = this.begin(); this.vals.raw(json); return this.done(key, s); }
  str(key: string, value: string): this { const s = this.begin(); this.vals.string(value); return this.done(key, s); }
  u64(key: string, value: u64): this { const s = this.begin(); this.vals.u64(value); return this.done(key, s); }
  i64(key: string, value: i64): this { const s = this.begin(); this.vals.i64(value); return this.done(key, s); }
  bool(key: string, value: bool): this { const s = this.begin(); this.vals.bool(value); return this.done(key, s); }
  nil(key: string): this { const s = this.begin(); this.vals.nil(); return this.done(key, s); }
  obj(key: string, value: JsonObject): this { const s = this.begin(); value.writeTo(this.vals); return this.done(key, s); }

  get size(): i32 { return this.keys.length; }

  /** Writes the object into a writer (as a value). */
  writeTo(w: JsonWriter): void {
    const n = this.keys.length;
    // insertion sort of indices: rows are small
    const order = new StaticArray<i32>(n);
    for (let i = 0; i < n; i++) {
      let j = i;
      const k = unchecked(this.keys[i]);
      while (j > 0 && compareCodePoints(unchecked(this.keys[unchecked(order[j - 1])]), k) > 0) {
        unchecked(order[j] = order[j - 1]);
        j--;
      }
      unchecked(order[j] = i);
    }
    w.beginObject();
    const base = this.vals.out.dataPtr();
    for (let i = 0; i < n; i++) {
      const at = unchecked(order[i]);
      w.key(unchecked(this.keys[at]));
      const start = unchecked(this.spans[at << 1]);
      w.rawPtr(base + <usize>start, unchecked(this.spans[(at << 1) + 1]) - start);
    }
    w.endObject();
  }

  /** Rough serialised size, to size buffers. */
  private sizeHint(): i32 {
    let n = 2 + this.vals.out.length;
    for (let i = 0; i < this.keys.length; i++) n += unchecked(this.keys[i]).length + 4;
    return n;
  }

  /** Compact JSON with sorted keys, as UTF-8 bytes. */
  toBytes(): Uint8Array {
    const w = new JsonWriter(new ByteBuffer(this.sizeHint()));
    this.writeTo(w);
    return w.out.toBytes();
  }

  /** Compact JSON with sorted keys. */
  toString(): string {
    const w = new JsonWriter(new ByteBuffer(this.sizeHint()));
    this.writeTo(w);
    return w.toString();
  }
}

// ---------------------------------------------------------------------------
// Reading: enough to get members of a flat object back (e.g. a row stored in
// state). Returns null when the key is missing or the text is not an object.

function skipWs(s: string, i: i32): i32 {
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) break;
    i++;
  }
  return i;
}

/** Index just past the JSON value starting at i (-1 if malformed). */
function skipValue(s: string, i: i32): i32 {
  const n = s.length;
  if (i >= n) return -1;
  const c = s.charCodeAt(i);
  if (c == 0x22) {
    i++;
    while (i < n) {
      const d = s.charCodeAt(i);
      if (d == 0x5c) i += 2;
      else if (d == 0x22) return i + 1;
      else i++;
    }
    return -1;
  }
  if (c == 0x7b || c == 0x5b) {
    let depth = 0;
    while (i < n) {
      const d = s.charCodeAt(i);
      if (d == 0x22) {
        i = skipValue(s, i);
        if (i < 0) return -1;
        continue;
      }
      if (d == 0x7b || d == 0x5b) depth++;
      else if (d == 0x7d || d == 0x5d) {
        depth--;
        if (depth == 0) return i + 1;
      }
      i++;
    }
    return -1;
  }
  // number, true, false, null
  while (i < n) {
    const d = s.charCodeAt(i);
    if (d == 0x2c || d == 0x7d || d == 0x5d || d == 0x20 || d == 0x09 || d == 0x0a || d == 0x0d) break;
    i++;
  }
  return i;
}

/** Raw JSON text of member `key` of the top-level object `json`, or null. */
export function jsonGetRaw(json: string, key: string): string | null {
  let i = skipWs(json, 0);
  if (i >= json.length || json.charCodeAt(i) != 0x7b) return null;
  i = skipWs(json, i + 1);
  if (i < json.length && json.charCodeAt(i) == 0x7d) return null;
  while (i < json.length) {
    const kEnd = skipValue(json, i);
    if (kEnd < 0 || json.charCodeAt(i) != 0x22) return null;
    const k = jsonUnquote(json.substring(i, kEnd));
    i = skipWs(json, kEnd);
    if (i >= json.length || json.charCodeAt(i) != 0x3a) return null;
    i = skipWs(json, i + 1);
    const vEnd = skipValue(json, i);
    if (vEnd < 0) return null;
    if (k !== null && k == key) return json.substring(i, vEnd);
    i = skipWs(json, vEnd);
    if (i >= json.length) return null;
    const c = json.charCodeAt(i);
    if (c == 0x7d) return null;
    if (c != 0x2c) return null;
    i = skipWs(json, i + 1);
  }
  return null;
}

/** Decodes a JSON string literal (with quotes); null if it is not one. */
export function jsonUnquote(lit: string): string | null {
  const n = lit.length;
  if (n < 2 || lit.charCodeAt(0) != 0x22 || lit.charCodeAt(n - 1) != 0x22) return null;
  if (lit.indexOf("\\") < 0) return lit.substring(1, n - 1);
  let out = "";
  let i = 1;
  while (i < n - 1) {
    const c = lit.charCodeAt(i);
    if (c != 0x5c) {
      out += String.fromCharCode(c);
      i++;
      continue;
    }
    const e = lit.charCodeAt(i + 1);
    i += 2;
    if (e == 0x6e) out += "\n";
    else if (e == 0x74) out += "\t";
    else if (e == 0x72) out += "\r";
    else if (e == 0x62) out += "\x08";
    else if (e == 0x66) out += "\x0c";
    else if (e == 0x75) {
      if (i + 4 > n - 1) return null;
      const code = I32.parseInt(lit.substring(i, i + 4), 16);
      out += String.fromCharCode(code);
      i += 4;
    } else out += String.fromCharCode(e); // \" \\ \/
  }
  return out;
}

/** String member `key` of `json`, or null. */
export function jsonGetString(json: string, key: string): string | null {
  const raw = jsonGetRaw(json, key);
  if (raw === null) return null;
  return jsonUnquote(raw);
}

/** Unsigned integer member `key` of `json`, or `fallback` when missing or not a plain integer. */
export function jsonGetU64(json: string, key: string, fallback: u64 = 0): u64 {
  const raw = jsonGetRaw(json, key);
  if (raw === null) return fallback;
  return parseU64(raw, fallback);
}

/** Parses a plain decimal u64 ("0", "123"); `fallback` on anything else or overflow. */
export function parseU64(s: string, fallback: u64 = 0): u64 {
  const n = s.length;
  if (n == 0 || n > 20) return fallback;
  let v: u64 = 0;
  for (let i = 0; i < n; i++) {
    const c = <u32>s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return fallback;
    const d = <u64>(c - 0x30);
    if (v > (u64.MAX_VALUE - d) / 10) return fallback; // overflow
    v = v * 10 + d;
  }
  return v;
}
