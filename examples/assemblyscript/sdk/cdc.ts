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

export class CdcMessage {
  header: CdcHeader;
  operation: CdcOperation;
  table: string;
  key: string;
  /** Serialised JSON of the row before the change, or null (omitted). */
  before: string | null;
  /** Serialised JSON of the row after the change, or null (omitted). */
  after: string | null;

  constructor(header: CdcHeader, operation: CdcOperation, table: string, key: string,
              before: string | null, after: string | null) {
    this.header = header;
    this.operation = operation;
    this.table = table;
    this.key = key;
    this.before = before;
    this.after = after;
  }

  /** create: `after` is the new row (serialised JSON, e.g. JsonObject.toString()). */
  static create(header: CdcHeader, table: string, key: string, after: string): CdcMessage {
    return new CdcMessage(header, CdcOperation.Create, table, key, null, after);
  }

  /** update: the row before and after. */
  static update(header: CdcHeader, table: string, key: string, before: string, after: string): CdcMessage {
    return new CdcMessage(header, CdcOperation.Update, table, key, before, after);
  }

  /** delete: `before` is the removed row. */
  static delete(header: CdcHeader, table: string, key: string, before: string): CdcMessage {
    return new CdcMessage(header, CdcOperation.Delete, table, key, before, null);
  }

  /** create with a JsonObject row. */
  static createRow(header: CdcHeader, table: string, key: string, after: JsonObject): CdcMessage {
    return CdcMessage.create(header, table, key, after.toString());
  }

  /** update with JsonObject rows. */
  static updateRow(header: CdcHeader, table: string, key: string, before: JsonObject, after: JsonObject): CdcMessage {
    return CdcMessage.update(header, table, key, before.toString(), after.toString());
  }

  /** delete with a JsonObject row. */
  static deleteRow(header: CdcHeader, table: string, key: string, before: JsonObject): CdcMessage {
    return CdcMessage.delete(header, table, key, before.toString());
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
    if (before !== null) w.key("before").raw(before);
    const after = this.after;
    if (after !== null) w.key("after").raw(after);
    w.endObject();
    w.endObject();
  }

  toString(): string {
    const w = new JsonWriter();
    this.writeTo(w);
    return w.toString();
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
 * What `process_block` returns: 0 when there are no messages, otherwise a
 * pointer to an LP buffer ([u32 LE length][UTF-8 JSON array]) that stays
 * valid after the call (the stub runtime never frees).
 */
export function messagesToOutput(messages: CdcMessage[]): i32 {
  if (messages.length == 0) return 0;
  const buf = new ByteBuffer(256 * (messages.length + 1));
  buf.reserve(4);
  buf.length = 4; // length prefix, filled below
  const w = new JsonWriter(buf);
  w.beginArray();
  for (let i = 0; i < messages.length; i++) unchecked(messages[i]).writeTo(w);
  w.endArray();
  const ptr = buf.dataPtr();
  store<u32>(ptr, <u32>(buf.length - 4));
  return <i32>ptr;
}

/** Logs `message` to stderr and returns -1 (a transform error for this block). */
export function fail(message: string): i32 {
  eprintln(message);
  return -1;
}
