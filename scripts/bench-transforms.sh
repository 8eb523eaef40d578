#!/usr/bin/env bash
# Benchmark (not part of the tests): per-block host overhead of the example transforms, compiler
# vs interpreter, over devnet blocks. Usage: scripts/bench-transforms.sh [blocks] [module.wasm ...]
# Without modules: the AssemblyScript examples, plus the Rust ones when built.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -o test-compile -pl debshrew-support,debshrew-runtime-host,debshrew-sinks,debshrew-devnet,debshrew-core 2>/dev/null \
  || mvn -B -q test-compile -pl debshrew-support,debshrew-runtime-host,debshrew-sinks,debshrew-devnet,debshrew-core
cp_file=$(mktemp)
mvn -B -q -pl debshrew-core dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >/dev/null
cp="debshrew-core/target/test-classes:debshrew-core/target/classes:debshrew-support/target/classes:debshrew-runtime-host/target/classes:debshrew-sinks/target/classes:debshrew-devnet/target/classes:$(cat "$cp_file")"
rm -f "$cp_file"
blocks="${1:-300}"; shift || true
modules=("$@")
if [ ${#modules[@]} -eq 0 ]; then
  modules=(examples/assemblyscript/build/blocks.wasm examples/assemblyscript/build/txindex.wasm)
  for m in blocks txindex; do
    f=examples/rust/target/wasm32-unknown-unknown/release/$m.wasm
    [ -f "$f" ] && modules+=("$f")
  done
fi
exec java -cp "$cp" -Dlogback.configurationFile=/dev/null dev.debshrew.bench.TransformBench "$blocks" "${modules[@]}"
