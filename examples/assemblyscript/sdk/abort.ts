// Custom abort handler, wired with `--use abort=sdk/abort/abortHandler` so the
// module imports nothing but the debshrew `env` functions. It reports the
// failure through __stderr and traps; the host turns the trap into a
// transform error for the block.
import { __stderr } from "./env";
import { lpFromString, lpPtr } from "./lp";

export function abortHandler(
  message: string | null,
  fileName: string | null,
  lineNumber: u32,
  columnNumber: u32,
): void {
  let text = "transform aborted: " + (message !== null ? message : "(no message)");
  if (fileName !== null) {
    text += " at " + fileName + ":" + lineNumber.toString() + ":" + columnNumber.toString();
  }
  __stderr(lpPtr(lpFromString(text + "\n")));
  unreachable();
}
