// Unit checks of the AssemblyScript SDK through build/test/sdk_test.wasm.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { Host, loadModule } from "./host.mjs";

// The same checks against the SDK built with each runtime.
const RUNTIMES = {
  stub: new URL("../build/test/sdk_test.wasm", import.meta.url).pathname,
  incremental: new URL("../build/test/sdk_test_incremental.wasm", import.meta.url).pathname,
};

function instance(path) {
  const host = new Host();
  const inst = new WebAssembly.Instance(loadModule(path), host.imports());
  host.memory = inst.exports.memory;
  const x = inst.exports;
  const put = (data) => {
    const b = typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data);
    const ptr = x.alloc(b.length) >>> 0;
    b.copy(host.mem(), ptr + 4);
    return ptr;
  };
  const call = (name, ...args) => host.readLP(x[name](...args.map((a) => (typeof a === "number" ? a : put(a)))));
  return { host, x, call, str: (name, ...args) => call(name, ...args).toString("utf8") };
}

const sha = (b) => createHash("sha256").update(b).digest();

for (const [runtime, path] of Object.entries(RUNTIMES)) {
  test(`${runtime}: sha256: FIPS 180 / NIST vectors`, () => {
    const { call } = instance(path);
    const vectors = [
      ["", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
      ["abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"],
      ["abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"],
      ["abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
        "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"],
      ["a".repeat(1000000), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"],
    ];
    for (const [input, digest] of vectors) {
      assert.equal(call("sha256_of", input).toString("hex"), digest, `sha256(${input.slice(0, 10)}... len ${input.length})`);
    }
  });

  test(`${runtime}: sha256: every length 0..300 and streaming chunk sizes agree with node:crypto`, () => {
    const { call } = instance(path);
    for (let n = 0; n <= 300; n++) {
      const data = randomBytes(n);
      assert.equal(call("sha256_of", data).toString("hex"), sha(data).toString("hex"), `len ${n}`);
    }
    const big = randomBytes(10007);
    for (const chunk of [1, 3, 55, 56, 63, 64, 65, 127, 1000, 20000]) {
      assert.equal(call("sha256_chunked", big, chunk).toString("hex"), sha(big).toString("hex"), `chunk ${chunk}`);
    }
  });

  test(`${runtime}: sha256d: Bitcoin genesis block header hash`, () => {
    const { call } = instance(path);
    const header = Buffer.from(
      "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c", "hex");
    assert.equal(Buffer.from(call("sha256d_of", header)).reverse().toString("hex"),
      "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
  });

  test(`${runtime}: hex: encode, reversed, decode`, () => {
    const { call, str } = instance(path);
    const data = Buffer.from([0x00, 0x01, 0x7f, 0x80, 0xab, 0xff]);
    assert.equal(str("hex_of", data), "00017f80abff");
    assert.equal(str("hex_reversed_of", data), "ffab807f0100");
    assert.equal(str("hex_of", Buffer.alloc(0)), "");
    assert.deepEqual(call("unhex", "00017F80abFF"), data);
  });

  test(`${runtime}: json: string escaping matches serde_json (= JSON.stringify for valid strings)`, () => {
    const { str } = instance(path);
    const samples = [
      "", "plain", "quote\" backslash\\ slash/", "\b\f\n\r\t", "\u0000\u0001\u001f\u007f",
      "é ü ß 中文 😀 \u2028\u2029", "<script>&'", "a\"b\\c\u0002d",
    ];
    let all = "";
    for (let c = 0; c < 0x80; c++) all += String.fromCharCode(c);
    samples.push(all);
    for (const s of samples) assert.equal(str("json_string", s), JSON.stringify(s), JSON.stringify(s));
    assert.equal(str("json_string", "\u001f"), "\"\\u001f\"");
  });

  test(`${runtime}: json: JsonObject sorts keys by code point, replaces duplicates`, () => {
    const { str } = instance(path);
    assert.equal(str("json_sorted", "tx_count\ntime\nhash\nprev_hash\nheight"),
      '{"hash":2,"height":4,"prev_hash":3,"time":1,"tx_count":0}');
    assert.equal(str("json_sorted", "b\na\nb"), '{"a":1,"b":2}');
    assert.equal(str("json_sorted", "Z\na\n_\n\uffff\n😀\n\u00e9"), '{"Z":0,"_":2,"a":1,"é":5,"\uffff":3,"😀":4}');
  });

  test(`${runtime}: json: writer nesting, numbers, literals`, () => {
    const { x, host } = instance(path);
    assert.equal(host.readLP(x.json_writer_sample()).toString(),
      '{"a":[0,-5,-9223372036854775808,18446744073709551615],"b":{},"c":true,"d":false,"e":null,"f":[{"x":"y"},[]]}');
  });

  test(`${runtime}: json: reading members of a flat object`, () => {
    const { str } = instance(path);
    const row = '{"height":840000,"script":"0014ab","txid":"ff","value":5000000000,"vout":0}';
    assert.equal(str("json_get_string", row, "script"), "0014ab");
    assert.equal(str("json_get_u64", row, "value"), "5000000000");
    assert.equal(str("json_get_u64", row, "vout"), "0");
    assert.equal(str("json_get_u64", row, "missing"), "777");
    assert.equal(str("json_get_string", row, "value"), "<null>");
    const tricky = ' { "a\\"b" : "x\\"\\\\y\\u00e9\\n" , "n": {"script":"no"}, "script" : "yes", "l":[1,{"x":"]"}] } ';
    assert.equal(str("json_get_string", tricky, 'a"b'), 'x"\\yé\n');
    assert.equal(str("json_get_string", tricky, "script"), "yes");
    assert.equal(str("json_get_raw", tricky, "n"), '{"script":"no"}');
    assert.equal(str("json_get_raw", tricky, "l"), '[1,{"x":"]"}]');
    assert.equal(str("json_get_raw", "[]", "a"), "<null>");
    assert.equal(str("parse_u64", "18446744073709551615"), "18446744073709551615");
    assert.equal(str("parse_u64", "18446744073709551616"), "777");
    assert.equal(str("parse_u64", "-1"), "777");
    assert.equal(str("parse_u64", ""), "777");
  });

  test(`${runtime}: reader: little-endian ints and CompactSize varints`, () => {
    const { str, x, host } = instance(path);
    const ints = Buffer.from("fe3412785634120807060504030201", "hex");
    assert.equal(str("read_ints", ints), `254,${0x1234},${0x12345678},${0x0102030405060708n}`);
    const v = Buffer.from("00fcfdfd00fdffff fe00000100 feffffffff ff0000000001000000 ffffffffffffffffff".replace(/ /g, ""), "hex");
    assert.equal(str("read_varints", v), "0,252,253,65535,65536,4294967295,4294967296,18446744073709551615");
    const p = x.alloc(3);
    assert.throws(() => x.read_past_end(p, 4), WebAssembly.RuntimeError);
    assert.match(host.stderr, /unexpected end of data/);
  });

  test(`${runtime}: cdc: messagesToOutput returns a pointer at the LP length prefix`, () => {
    const { x, host } = instance(path);
    assert.equal(x.cdc_empty(), 0);
    const ptr = x.cdc_sample();
    assert.ok(ptr > 0);
    const text = host.readLP(ptr).toString("utf8");
    const hdr = '"source":"src\\"x","timestamp":1623456789000,"block_height":840000,"block_hash":"00ff"';
    assert.equal(text, "[" + [
      `{"header":{${hdr}},"payload":{"operation":"create","table":"t","key":"k1","after":{"a":1,"m":false,"z":"last"}}}`,
      `{"header":{${hdr},"transaction_id":"ab"},"payload":{"operation":"update","table":"t","key":"k1","before":{"a":1,"m":false,"z":"last"},"after":{"a":2}}}`,
      `{"header":{${hdr}},"payload":{"operation":"delete","table":"t","key":"k1","before":{"a":2}}}`,
    ].join(",") + "]");
    assert.equal(JSON.parse(text).length, 3);
  });
}
