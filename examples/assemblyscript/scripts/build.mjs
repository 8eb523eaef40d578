// Compiles every examples/<name>.ts to build/<name>.wasm (and test/*.ts
// helper modules to build/test/<name>.wasm with --tests).
import asc from "assemblyscript/asc";
import { readdirSync, mkdirSync } from "node:fs";
import { dirname, join, basename } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);

// Runtime per module (default stub: bump allocator, no GC, smallest). The
// host makes a fresh instance per block, so nothing leaks across blocks, but
// a stub module keeps every allocation of the call: txindex allocates per
// message, so it uses the incremental GC to stay well under the host's
// default 64 MiB memory cap on full-size blocks.
const RUNTIME = { txindex: "incremental", sdk_test_incremental: "incremental" };

const common = [
  "-O3",
  "--use", "abort=sdk/abort/abortHandler",
];

async function build(dir, outDir) {
  mkdirSync(outDir, { recursive: true });
  const sources = readdirSync(dir).filter((f) => f.endsWith(".ts")).sort();
  for (const file of sources) {
    const name = basename(file, ".ts");
    const out = join(outDir, `${name}.wasm`);
    const args = [join(dir, file), "--outFile", out, "--textFile", join(outDir, `${name}.wat`),
      "--runtime", RUNTIME[name] ?? "stub", ...common];
    const { error, stdout, stderr } = await asc.main(args);
    if (error) {
      console.error(stderr.toString());
      console.error(`asc failed for ${file}: ${error.message}`);
      process.exit(1);
    }
    const msg = stderr.toString().trim();
    if (msg) console.error(msg);
    console.log(`built ${out}`);
  }
}

await build("examples", "build");
if (process.argv.includes("--tests")) await build("test/wasm", join("build", "test"));
