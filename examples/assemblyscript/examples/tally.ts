// Example transform "tally", version 1 (see tally/tally.ts; tally_v2 is its hot-reload twin).
import { tally } from "./tally/tally";

export function process_block(): i32 {
  return tally("v1");
}
