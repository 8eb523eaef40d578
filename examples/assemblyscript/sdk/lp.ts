// LP buffers: [u32 little-endian length N][N bytes]; the pointer crossing the
// ABI boundary points AT the length prefix.

/** Returns a fresh LP buffer holding a copy of `data`. */
export function lpFromBytes(data: Uint8Array): ArrayBuffer {
  const len = data.length;
  const buf = new ArrayBuffer(4 + len);
  const ptr = changetype<usize>(buf);
  store<u32>(ptr, <u32>len);
  memory.copy(ptr + 4, data.dataStart, <usize>len);
  return buf;
}

/** Returns a fresh LP buffer holding the UTF-8 encoding of `s`. */
export function lpFromString(s: string): ArrayBuffer {
  const len = String.UTF8.byteLength(s, false);
  const buf = new ArrayBuffer(4 + len);
  const ptr = changetype<usize>(buf);
  store<u32>(ptr, <u32>len);
  String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, ptr + 4, false);
  return buf;
}

/** Pointer (at the length prefix) of an LP buffer made by lpFromBytes/lpFromString. */
// @ts-ignore: decorator
@inline
export function lpPtr(buf: ArrayBuffer): usize {
  return changetype<usize>(buf);
}

/** Length stored in the prefix of the LP buffer at `ptr`. */
export function lpLength(ptr: usize): u32 {
  return load<u32>(ptr);
}

/** Copies the data of the LP buffer at `ptr` into a new Uint8Array. */
export function lpToBytes(ptr: usize): Uint8Array {
  const len = <i32>load<u32>(ptr);
  const out = new Uint8Array(len);
  memory.copy(out.dataStart, ptr + 4, <usize>len);
  return out;
}

/** Decodes the data of the LP buffer at `ptr` as UTF-8. */
export function lpToString(ptr: usize): string {
  return String.UTF8.decodeUnsafe(ptr + 4, <usize>load<u32>(ptr), false);
}
