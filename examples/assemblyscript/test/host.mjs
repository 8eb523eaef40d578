// A tiny in-JS debshrew host (ABI v1) for the dev checks: the nine `env`
// imports, state in a Map (keys as hex of the key bytes), one staged buffer.
import { readFileSync } from "node:fs";

export const ENV_IMPORTS = [
  "__height", "__block_hash", "__view", "__load", "__stdout", "__stderr",
  "__get_state", "__set_state", "__delete_state",
];

const moduleCache = new Map();

export function loadModule(path) {
  if (!moduleCache.has(path)) moduleCache.set(path, new WebAssembly.Module(readFileSync(path)));
  return moduleCache.get(path);
}

export class Host {
  constructor({ state = new Map(), views = {} } = {}) {
    this.state = state; // hex(key) -> Buffer
    this.views = views; // name -> (input: Buffer, height) => Buffer | null
    this.height = 0;
    this.blockHash = Buffer.alloc(32);
    this.staged = Buffer.alloc(0);
    this.stdout = "";
    this.stderr = "";
    this.viewCalls = [];
    this.memory = null;
  }

  mem() {
    return Buffer.from(this.memory.buffer);
  }

  readLP(ptr) {
    const m = this.mem();
    ptr >>>= 0;
    if (ptr + 4 > m.length) throw new Error(`LP pointer out of bounds: ${ptr}`);
    const len = m.readUInt32LE(ptr);
    if (ptr + 4 + len > m.length) throw new Error(`LP buffer out of bounds: ${ptr}+${len}`);
    return Buffer.from(m.subarray(ptr + 4, ptr + 4 + len));
  }

  stage(buf) {
    this.staged = Buffer.from(buf);
    return this.staged.length;
  }

  imports() {
    return {
      env: {
        __height: () => this.height,
        __block_hash: () => this.stage(this.blockHash),
        __view: (namePtr, inputPtr) => {
          const name = this.readLP(namePtr).toString("utf8");
          const input = this.readLP(inputPtr);
          this.viewCalls.push({ name, input });
          const fn = this.views[name];
          const result = fn ? fn(input, this.height) : null;
          if (result == null) return -1;
          return this.stage(result);
        },
        __load: (dst) => {
          dst >>>= 0;
          const m = this.mem();
          if (dst + this.staged.length > m.length) throw new Error("__load out of bounds");
          this.staged.copy(m, dst);
        },
        __stdout: (ptr) => { this.stdout += this.readLP(ptr).toString("utf8"); },
        __stderr: (ptr) => { this.stderr += this.readLP(ptr).toString("utf8"); },
        __get_state: (keyPtr) => {
          const k = this.readLP(keyPtr).toString("hex");
          if (!this.state.has(k)) return -1;
          return this.stage(this.state.get(k));
        },
        __set_state: (keyPtr, valPtr) => {
          this.state.set(this.readLP(keyPtr).toString("hex"), this.readLP(valPtr));
          return 0;
        },
        __delete_state: (keyPtr) => (this.state.delete(this.readLP(keyPtr).toString("hex")) ? 1 : 0),
      },
    };
  }

  /** Fresh instance per block, like the real host. Returns the parsed messages (or throws). */
  runBlock(module, height, blockHash) {
    this.height = height;
    this.blockHash = Buffer.from(blockHash);
    const instance = new WebAssembly.Instance(module, this.imports());
    this.memory = instance.exports.memory;
    const ret = instance.exports.process_block();
    if (ret < 0) {
      const err = new Error(`process_block returned ${ret}: ${this.stderr}`);
      err.code = ret;
      throw err;
    }
    if (ret === 0) return { text: null, messages: [] };
    const text = this.readLP(ret).toString("utf8");
    return { text, messages: JSON.parse(text) };
  }

  /** State as { utf8 key: utf8 value }. */
  stateObject() {
    const out = {};
    for (const [k, v] of [...this.state.entries()].sort()) out[Buffer.from(k, "hex").toString("utf8")] = v.toString("utf8");
    return out;
  }
}
