#!/usr/bin/env bash
# Quickstart (1): builds debshrew if needed and runs it against the embedded devnet with the
# example AssemblyScript transform and the console sink. A scripted reorg gets undone on screen.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f debshrew-core/target/debshrew.jar ] || [ ! -f examples/assemblyscript/build/blocks.wasm ]; then
  echo "== building debshrew (first run only) ==" >&2
  mvn -B -q package -DskipTests
fi
exec bin/debshrew demo "$@"
