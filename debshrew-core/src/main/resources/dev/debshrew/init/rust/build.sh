#!/bin/sh
# Builds build/transform.wasm.
#  - With a standard Rust toolchain (rustup target add wasm32-unknown-unknown): plain cargo.
#  - Without rustup's prebuilt wasm32 standard library: set DEBSHREW_TOOLCHAIN_DIR to the offline
#    toolchain that debshrew's scripts/setup-rust-wasm.sh prepares; std is then built from source.
set -eu
cd "$(dirname "$0")"
target_dir="${CARGO_TARGET_DIR:-target}"
if command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  cargo build --target wasm32-unknown-unknown --release
elif [ -n "${DEBSHREW_TOOLCHAIN_DIR:-}" ]; then
  [ -f "$DEBSHREW_TOOLCHAIN_DIR/env.sh" ] || { echo "build.sh: $DEBSHREW_TOOLCHAIN_DIR/env.sh not found (run debshrew's scripts/setup-rust-wasm.sh)" >&2; exit 1; }
  . "$DEBSHREW_TOOLCHAIN_DIR/env.sh"
  "$DEBSHREW_CARGO" build --config "$DEBSHREW_CARGO_CONFIG" --offline --release \
    --target wasm32-unknown-unknown -Z build-std=std,panic_abort
else
  echo "build.sh: the wasm32-unknown-unknown target is not installed: run 'rustup target add wasm32-unknown-unknown'" >&2
  echo "          (or set DEBSHREW_TOOLCHAIN_DIR to debshrew's offline toolchain)" >&2
  exit 1
fi
mkdir -p build
cp "$target_dir/wasm32-unknown-unknown/release/transform.wasm" build/transform.wasm
echo "built build/transform.wasm"
