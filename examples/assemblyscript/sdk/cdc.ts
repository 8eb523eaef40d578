// CDC messages in debshrew's native JSON shape (shared/spec/cdc-format.md):
// {"header":{"source","timestamp","block_height","block_hash","transaction_id"?},
//  "payload":{"operation","table","key","before"?,"after"?}}
import { ByteBuffer, JsonWriter, JsonObject } from "./json";
import { eprintln } from "./host";

export enum CdcOperation {
  Create = 0,
  Update = 1,
  Delete = 2,
}

export function operationName(op: CdcOperation): string {
  if (op == CdcOperation.Create) return "create";
  if (op == CdcOperation.Update) return "update";
  return "delete";
}

export class CdcHeader {
  /** Name of the transform / source. */
  source: string;
  /** Epoch milliseconds. */
  timestamp: u64;
  blockHeight: u32;
  /** Hex by convention. */
  blockHash: string;
  /** Optional; omitted from the JSON when null. */
  transactionId: string | null;

  constructor(source: string, timestamp: u64, blockHeight: u32, blockHash: string,
              transactionId: string | null = null) {
    this.source = source;
    this.timestamp = timestamp;
    this.blockHeight = blockHeight;
    this.blockHash = blockHash;
    this.transactionId = transactionId;
  }

  /** A copy of this header carrying `txid` as transaction_id. */
  withTransaction(txid: string | null): CdcHeader {
    return new CdcHeader(this.source, this.timestamp, this.blockHeight, this.blockHash, txid);
  }
}

/**
 * A row value as UTF-8 JSON bytes. Accepts a JsonObject (keys sorted), a
 * string holding serialised JSON, or a Uint8Array of UTF-8 JSON (e.g. a
 * value read back from state). Serialised JSON is taken as is, unchecked.
 */
export function jsonBytes<T>(value: T): Uint8Array {
  if (isString<T>()) {
    return Uint8Array.wrap(String.UTF8.encode(changetype<string>(value), false));
  } else if (idof<T>() == idof<Uint8Array>()) {
    return changetype<Uint8Array>(value);
  } else if (idof<T>() == idof<JsonObject>()) {
    return changetype<JsonObject>(value).toBytes();
  } else {
    ERROR("expected a JsonObject, a string or a Uint8Array of JSON");
    return unreachable();
  }
}

export class CdcMessage {
  header: CdcHeader;
  operation: CdcOperation;
  table: string;
  key: string;
  /** UTF-8 JSON of the row before the change, or null (omitted). */
  before: Uint8Array | null;
  /** UTF-8 JSON of the row after the change, or null (omitted). */
  after: Uint8Array | null;

  constructor(header: CdcHeader, operation: CdcOperation, table: string, key: string,
              before: Uint8Array | null, after: Uint8Array | null) {
    this.header = header;
    this.operation = operation;
    this.table = table;
    this.key = key;
    this.before = before;
    this.after = after;
  }

  /** create: `after` is the new row (JsonObject, JSON string or UTF-8 JSON bytes). */
  static create<T>(header: CdcHeader, table: string, key: string, after: T): CdcMessage {
    return new CdcMessage(header, CdcOperation.Create, table, key, null, jsonBytes<T>(after));
  }

  /** update: the row before and after. */
  static update<B, A>(header: CdcHeader, table: string, key: string, before: B, after: A): CdcMessage {
    return new CdcMessage(header, CdcOperation.Update, table, key, jsonBytes<B>(before), jsonBytes<A>(after));
  }

  /** delete: `before` is the removed row. */
  static delete<T>(header: CdcHeader, table: string, key: string, before: T): CdcMessage {
    return new CdcMessage(header, CdcOperation.Delete, table, key, jsonBytes<T>(before), null);
  }

  writeTo(w: JsonWriter): void {
    const h = this.header;
    w.beginObject();
    w.key("header").beginObject();
    w.key("source").string(h.source);
    w.key("timestamp").u64(h.timestamp);
    w.key("block_height").u64(<u64>h.blockHeight);
    w.key("block_hash").string(h.blockHash);
    const txid = h.transactionId;
    if (txid !== null) w.key("transaction_id").string(txid);
    w.endObject();
    w.key("payload").beginObject();
    w.key("operation").string(operationName(this.operation));
    w.key("table").string(this.table);
    w.key("key").string(this.key);
    const before = this.before;
    if (before !== null) w.key("before").rawBytes(before);
    const after = this.after;
    if (after !== null) w.key("after").rawBytes(after);
    w.endObject();
    w.endObject();
  }

  toString(): string {
    const w = new JsonWriter();
    this.writeTo(w);
    return w.toString();
  }
}

/**
 * The output of one process_block call, serialised as messages are pushed
 * (nothing but the output buffer is kept, which matters with the stub
 * runtime where memory is never freed). `finish()` gives the return value.
 */
export class CdcOutput {
  private buf: ByteBuffer;
  private w: JsonWriter;
  private n: i32 = 0;
  private done: i32 = -1;

  constructor(capacity: i32 = 65536) {
    const buf = new ByteBuffer(capacity);
    buf.reserve(4);
    buf.length = 4; // length prefix, filled by finish()
    const w = new JsonWriter(buf);
    w.beginArray();
    this.buf = buf;
    this.w = w;
  }

  /** Number of messages pushed so far. */
  get count(): i32 {
    return this.n;
  }

  push(message: CdcMessage): void {
    if (this.done >= 0) throw new Error("CdcOutput: push after finish");
    message.writeTo(this.w);
    this.n++;
  }

  /** Shorthand for push(CdcMessage.create(...)). */
  create<T>(header: CdcHeader, table: string, key: string, after: T): void {
    this.push(CdcMessage.create<T>(header, table, key, after));
  }

  /** Shorthand for push(CdcMessage.update(...)). */
  update<B, A>(header: CdcHeader, table: string, key: string, before: B, after: A): void {
    this.push(CdcMessage.update<B, A>(header, table, key, before, after));
  }

  /** Shorthand for push(CdcMessage.delete(...)). */
  delete<T>(header: CdcHeader, table: string, key: string, before: T): void {
    this.push(CdcMessage.delete<T>(header, table, key, before));
  }

  /**
   * What process_block returns: 0 when no message was pushed, otherwise a
   * pointer to the LP buffer ([u32 LE length][UTF-8 JSON array]).
   */
  finish(): i32 {
    if (this.done >= 0) return this.done;
    if (this.n == 0) {
      this.done = 0;
      return 0;
    }
    this.w.endArray();
    const ptr = this.buf.dataPtr();
    store<u32>(ptr, <u32>(this.buf.length - 4));
    this.done = <i32>ptr;
    return this.done;
  }
}

/** The JSON array of the messages, as UTF-8 bytes. */
export function encodeMessages(messages: CdcMessage[]): Uint8Array {
  const w = new JsonWriter(new ByteBuffer(256 * (messages.length + 1)));
  w.beginArray();
  for (let i = 0; i < messages.length; i++) unchecked(messages[i]).writeTo(w);
  w.endArray();
  return w.out.toBytes();
}

/**
 * What `process_block` returns for a list of messages: 0 when empty,
 * otherwise a pointer to an LP buffer ([u32 LE length][UTF-8 JSON array])
 * that stays valid after the call.
 */
export function messagesToOutput(messages: CdcMessage[]): i32 {
  const out = new CdcOutput(256 * (messages.length + 1));
  for (let i = 0; i < messages.length; i++) out.push(unchecked(messages[i]));
  return out.finish();
}

/** Logs `message` to stderr and returns -1 (a transform error for this block). */
export function fail(message: string): i32 {
  eprintln(message);
  return -1;
}
