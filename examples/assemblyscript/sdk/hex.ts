// Lowercase hex encoding and decoding.

// @ts-ignore: decorator
@inline
function nibble(n: u32): u16 {
  return <u16>(n < 10 ? 0x30 + n : 0x57 + n); // '0'..'9', 'a'..'f'
}

function hexOf(ptr: usize, len: i32, reversed: bool): string {
  const out = changetype<string>(__new(<usize>len << 2, idof<String>()));
  const dst = changetype<usize>(out);
  for (let i = 0; i < len; i++) {
    const b = <u32>load<u8>(ptr + <usize>(reversed ? len - 1 - i : i));
    const at = dst + (<usize>i << 2);
    store<u16>(at, nibble(b >> 4));
    store<u16>(at, nibble(b & 15), 2);
  }
  return out;
}

/** Lowercase hex of the bytes, in order. */
export function toHex(bytes: Uint8Array): string {
  return hexOf(bytes.dataStart, bytes.length, false);
}

/** Lowercase hex of the bytes in reverse order (Bitcoin display order for hashes). */
export function toHexReversed(bytes: Uint8Array): string {
  return hexOf(bytes.dataStart, bytes.length, true);
}

function unhex(c: u32): i32 {
  if (c >= 0x30 && c <= 0x39) return <i32>(c - 0x30);
  if (c >= 0x61 && c <= 0x66) return <i32>(c - 0x57);
  if (c >= 0x41 && c <= 0x46) return <i32>(c - 0x37);
  return -1;
}

/** Decodes hex (either case). Throws (aborts) on odd length or a bad digit. */
export function fromHex(s: string): Uint8Array {
  const n = s.length;
  if (n & 1) throw new Error("fromHex: odd length");
  const out = new Uint8Array(n >> 1);
  for (let i = 0; i < n; i += 2) {
    const hi = unhex(<u32>s.charCodeAt(i));
    const lo = unhex(<u32>s.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) throw new Error("fromHex: bad digit");
    out[i >> 1] = <u8>((hi << 4) | lo);
  }
  return out;
}
