#!/usr/bin/env bash
# Build the Rust example transforms (examples/rust) to wasm32-unknown-unknown, offline.
#   scripts/build-rust-examples.sh [extra cargo args...]
# Output: examples/rust/target/wasm32-unknown-unknown/release/{blocks,txindex}.wasm
# The toolchain comes from scripts/setup-rust-wasm.sh (Debian packages only; run automatically).
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TC="${DEBSHREW_TOOLCHAIN_DIR:-$REPO_ROOT/.toolchain}"

"$REPO_ROOT/scripts/setup-rust-wasm.sh"
# shellcheck disable=SC1091
source "$TC/env.sh"

cd "$REPO_ROOT/examples/rust"
"$DEBSHREW_CARGO" build --config "$DEBSHREW_CARGO_CONFIG" --offline --release \
  --target wasm32-unknown-unknown -Z build-std=std,panic_abort \
  -p blocks -p txindex "$@"

OUT="$REPO_ROOT/examples/rust/target/wasm32-unknown-unknown/release"
for m in blocks txindex; do
  [ -f "$OUT/$m.wasm" ] || { echo "build-rust-examples: ERROR: $OUT/$m.wasm was not produced" >&2; exit 1; }
  echo "built $OUT/$m.wasm ($(stat -c %s "$OUT/$m.wasm") bytes)"
done
