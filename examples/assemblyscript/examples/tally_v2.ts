// Example transform "tally", version 2: the same state as version 1, rows marked "v2"
// (see tally/tally.ts; used to test hot reload).
import { tally } from "./tally/tally";

export function process_block(): i32 {
  return tally("v2");
}
