// Little-endian byte reader with Bitcoin CompactSize varints. Reading past
// the end aborts (the host sees a trap and a message on stderr).

export class Reader {
  data: Uint8Array;
  pos: i32 = 0;

  constructor(data: Uint8Array, pos: i32 = 0) {
    this.data = data;
    this.pos = pos;
  }

  /** Bytes left to read. */
  remaining(): i32 {
    return this.data.length - this.pos;
  }

  /** True when every byte has been read. */
  atEnd(): bool {
    return this.pos >= this.data.length;
  }

  /** Address in linear memory of data[offset] (for hashing without copies). */
  ptrAt(offset: i32): usize {
    return this.data.dataStart + <usize>offset;
  }

  private need(n: i32): usize {
    if (n < 0 || this.pos > this.data.length - n) {
      throw new Error("Reader: unexpected end of data at offset " + this.pos.toString());
    }
    const p = this.data.dataStart + <usize>this.pos;
    this.pos += n;
    return p;
  }

  /** Next byte without consuming it (-1 at the end). */
  peek(ahead: i32 = 0): i32 {
    const at = this.pos + ahead;
    if (at < 0 || at >= this.data.length) return -1;
    return <i32>unchecked(this.data[at]);
  }

  u8(): u8 {
    return load<u8>(this.need(1));
  }

  u16(): u16 {
    return load<u16>(this.need(2));
  }

  u32(): u32 {
    return load<u32>(this.need(4));
  }

  i32(): i32 {
    return load<i32>(this.need(4));
  }

  u64(): u64 {
    return load<u64>(this.need(8));
  }

  i64(): i64 {
    return load<i64>(this.need(8));
  }

  /** Bitcoin CompactSize: <0xfd: 1 byte; 0xfd: u16; 0xfe: u32; 0xff: u64. */
  varint(): u64 {
    const first = this.u8();
    if (first < 0xfd) return <u64>first;
    if (first == 0xfd) return <u64>this.u16();
    if (first == 0xfe) return <u64>this.u32();
    return this.u64();
  }

  /** A varint that must fit in a non-negative i32 (counts and lengths). */
  varlen(): i32 {
    const v = this.varint();
    if (v > <u64>i32.MAX_VALUE) throw new Error("Reader: length out of range");
    return <i32>v;
  }

  /** The next n bytes as a view (no copy). */
  bytes(n: i32): Uint8Array {
    const start = this.pos;
    this.need(n);
    return this.data.subarray(start, start + n);
  }

  /** A varint length followed by that many bytes (view, no copy). */
  varBytes(): Uint8Array {
    return this.bytes(this.varlen());
  }

  skip(n: i32): void {
    this.need(n);
  }
}
