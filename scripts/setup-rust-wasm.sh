#!/usr/bin/env bash
# Prepare an offline Rust -> wasm32-unknown-unknown toolchain from Debian packages only.
#
# Nothing comes from crates.io or rustup. What it does (idempotent, re-run at will):
#   1. apt-get download rustc-web, cargo-web, libstd-rust-web-<ver>(-dev), rust-web-src, libllvm<N>
#      and lld-<N>, and unpack them with `dpkg -x` into $TOOLCHAIN_DIR/root (NOT installed: they
#      conflict with rustup's rustc/cargo, which stay untouched).
#   2. apt-get install the plain runtime libraries cargo-web needs (libgit2 etc.) and the
#      librust-*-dev crates the examples use (they land in /usr/share/cargo/registry).
#   3. Build a directory registry $TOOLCHAIN_DIR/registry = symlinks to /usr/share/cargo/registry/*
#      plus the standard library's vendored crates (needed by `-Z build-std`).
#   4. Write $TOOLCHAIN_DIR/env.sh (PATH-free environment: RUSTC, CARGO, LD_LIBRARY_PATH, ...) and
#      $TOOLCHAIN_DIR/cargo-config.toml (source replacement + wasm linker), used by
#      scripts/build-rust-examples.sh.
#
# Environment:
#   DEBSHREW_TOOLCHAIN_DIR  where to put it (default: <repo>/.toolchain, gitignored)
#   DEBSHREW_EXTRA_CRATES   extra librust-*-dev packages to install (space separated)
set -euo pipefail

die() { echo "setup-rust-wasm: ERROR: $*" >&2; exit 1; }
log() { echo "setup-rust-wasm: $*" >&2; }

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TC="${DEBSHREW_TOOLCHAIN_DIR:-$REPO_ROOT/.toolchain}"
mkdir -p "$TC"
TC="$(cd "$TC" && pwd)"

# Crates the SDK and the examples use (Debian package names).
CRATE_PKGS="librust-serde-dev librust-serde-derive-dev librust-serde-json-dev librust-anyhow-dev \
librust-hex-dev librust-sha2-dev ${DEBSHREW_EXTRA_CRATES:-}"

command -v apt-get >/dev/null && command -v dpkg >/dev/null && command -v apt-cache >/dev/null \
  || die "this script needs a Debian/Ubuntu system (apt-get, apt-cache, dpkg)"
[ "$(dpkg --print-architecture)" = amd64 ] \
  || die "only amd64 hosts are supported (got $(dpkg --print-architecture))"

SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || die "not root and no sudo: cannot run apt-get"
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive

# --- 0. package lists -------------------------------------------------------------------------
candidate() { apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}'; }
if [ -z "$(candidate rustc-web)" ] || [ "$(candidate rustc-web)" = "(none)" ]; then
  log "apt lists do not know rustc-web: running apt-get update"
  $SUDO apt-get update -qq || die "apt-get update failed"
fi
RUSTC_WEB_VER="$(candidate rustc-web)"
[ -n "$RUSTC_WEB_VER" ] && [ "$RUSTC_WEB_VER" != "(none)" ] \
  || die "Debian package rustc-web is not available (needs bookworm-security/bookworm-updates or newer in apt sources)"

# First Depends: line of a package that matches a pattern (e.g. the libstd / libllvm names).
dep_matching() { apt-cache depends "$1" 2>/dev/null | awk -v re="$2" '$1=="Depends:" && $2 ~ re {print $2; exit}'; }
LIBSTD_PKG="$(dep_matching libstd-rust-web-dev '^libstd-rust-web-[0-9]')"
[ -n "$LIBSTD_PKG" ] || die "cannot find the libstd-rust-web-<version> package that libstd-rust-web-dev depends on"
LLVM_PKG="$(dep_matching "$LIBSTD_PKG" '^libllvm[0-9]+$')"
[ -n "$LLVM_PKG" ] || die "cannot find the libllvm package that $LIBSTD_PKG depends on"
LLVM_MAJOR="${LLVM_PKG#libllvm}"
LLD_PKG="lld-$LLVM_MAJOR"
[ -n "$(candidate "$LLD_PKG")" ] && [ "$(candidate "$LLD_PKG")" != "(none)" ] || die "Debian package $LLD_PKG is not available"

UNPACK_PKGS="rustc-web cargo-web $LIBSTD_PKG libstd-rust-web-dev rust-web-src $LLVM_PKG $LLD_PKG"
STAMP_WANT="rustc-web=$RUSTC_WEB_VER $LLD_PKG=$(candidate "$LLD_PKG")"
ROOT="$TC/root"

# --- 1. unpack the compiler -------------------------------------------------------------------
if [ -f "$TC/.unpacked" ] && [ "$(cat "$TC/.unpacked")" = "$STAMP_WANT" ] && [ -x "$ROOT/usr/bin/rustc" ]; then
  log "toolchain already unpacked ($STAMP_WANT)"
else
  log "fetching $UNPACK_PKGS"
  rm -rf "$TC/debs" "$ROOT" "$TC/.unpacked"
  mkdir -p "$TC/debs" "$ROOT"
  chmod 0777 "$TC/debs" 2>/dev/null || true   # let apt's _apt sandbox user write there
  (cd "$TC/debs" && apt-get download $UNPACK_PKGS) || die "apt-get download failed for: $UNPACK_PKGS"
  for deb in "$TC"/debs/*.deb; do
    log "unpacking $(basename "$deb")"
    dpkg -x "$deb" "$ROOT" || die "dpkg -x failed for $deb"
  done
  rm -rf "$TC/debs"
  # Docs and man pages are not needed.
  rm -rf "$ROOT/usr/share/doc" "$ROOT/usr/share/man"
  echo "$STAMP_WANT" > "$TC/.unpacked"
fi

RUSTC="$ROOT/usr/bin/rustc"
CARGO="$ROOT/usr/bin/cargo"
WASM_LD="$ROOT/usr/lib/llvm-$LLVM_MAJOR/bin/wasm-ld"
LIBDIR="$ROOT/usr/lib/x86_64-linux-gnu"
RUST_SRC="$ROOT/usr/lib/rustlib/src/rust/library"
[ -x "$RUSTC" ] || die "missing $RUSTC after unpacking"
[ -x "$CARGO" ] || die "missing $CARGO after unpacking"
[ -x "$WASM_LD" ] || die "missing $WASM_LD after unpacking"
[ -f "$RUST_SRC/Cargo.lock" ] || die "missing standard library source at $RUST_SRC (rust-web-src)"
[ -d "$RUST_SRC/vendor" ] || die "rust-web-src has no vendored crates at $RUST_SRC/vendor"

# --- 2. plain libraries cargo-web needs + the crates -----------------------------------------
missing_libs="$(LD_LIBRARY_PATH="$LIBDIR" ldd "$CARGO" 2>/dev/null | awk '/not found/ {print $1}' || true)"
RUNTIME_PKGS=""
if [ -n "$missing_libs" ]; then
  # Ask Debian which of cargo-web's library dependencies provide them (plain shared libraries).
  RUNTIME_PKGS="$(apt-cache depends cargo-web 2>/dev/null | awk '$1=="Depends:" && $2 ~ /^lib/ {print $2}' | tr '\n' ' ')"
fi
need_install=""
for p in $RUNTIME_PKGS $CRATE_PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need_install="$need_install $p"
done
if [ -n "$need_install" ]; then
  log "apt-get install$need_install"
  $SUDO apt-get install -y -q --no-install-recommends $need_install >"$TC/apt-install.log" 2>&1 \
    || { tail -20 "$TC/apt-install.log" >&2; die "apt-get install failed (log: $TC/apt-install.log)"; }
fi
still_missing="$(LD_LIBRARY_PATH="$LIBDIR" ldd "$CARGO" 2>/dev/null | awk '/not found/ {print $1}' || true)"
[ -z "$still_missing" ] || die "cargo-web still misses shared libraries: $still_missing"

# --- 3. offline directory registry ------------------------------------------------------------
DEB_REG=/usr/share/cargo/registry
[ -d "$DEB_REG" ] || die "$DEB_REG does not exist (librust-*-dev packages not installed?)"
REG="$TC/registry"
rm -rf "$REG.tmp"
mkdir -p "$REG.tmp"
# Standard library vendored crates first, then Debian's crates (same name-version: first wins).
for d in "$RUST_SRC"/vendor/* "$DEB_REG"/*; do
  [ -f "$d/Cargo.toml" ] || continue
  n="$(basename "$d")"
  [ -e "$REG.tmp/$n" ] || ln -s "$d" "$REG.tmp/$n"
done
rm -rf "$REG"
mv "$REG.tmp" "$REG"

# --- 4. environment + cargo config ------------------------------------------------------------
# lld needs the unpacked libLLVM: wrap it (the name must stay "wasm-ld" so rustc picks the flavor).
mkdir -p "$TC/bin"
cat > "$TC/bin/wasm-ld" <<EOF
#!/bin/sh
LD_LIBRARY_PATH="$LIBDIR\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec "$WASM_LD" "\$@"
EOF
chmod +x "$TC/bin/wasm-ld"
WASM_LD="$TC/bin/wasm-ld"

cat > "$TC/cargo-config.toml" <<EOF
# Generated by scripts/setup-rust-wasm.sh: offline sources and the wasm linker.
[source.crates-io]
replace-with = "debian-offline"

[source.debian-offline]
directory = "$REG"

[net]
offline = true

[target.wasm32-unknown-unknown]
linker = "$WASM_LD"
# Keep machine-specific paths out of the modules (panic locations) so builds are reproducible
# wherever the repository and the toolchain live.
# When several prefixes match, rustc applies the last one: most specific last.
rustflags = [
  "--remap-path-prefix=$REPO_ROOT=/debshrew",
  "--remap-path-prefix=$REG=/cargo/registry",
  "--remap-path-prefix=$ROOT/usr/src/rustc-$(LD_LIBRARY_PATH="$LIBDIR" "$RUSTC" --version | awk '{print $2}')=/rustc/src",
  "--remap-path-prefix=$ROOT/usr/lib/rustlib/src/rust=/rustc/src",
]
EOF

cat > "$TC/env.sh" <<EOF
# Generated by scripts/setup-rust-wasm.sh. Source it, then use "\$DEBSHREW_CARGO" (see
# examples/rust/README.md). Does not touch PATH, so rustup's cargo/rustc stay the defaults.
export DEBSHREW_TOOLCHAIN_DIR="$TC"
export DEBSHREW_CARGO="$CARGO"
export DEBSHREW_CARGO_CONFIG="$TC/cargo-config.toml"
export RUSTC="$RUSTC"
export RUSTDOC="$ROOT/usr/bin/rustdoc"
export RUSTC_BOOTSTRAP=1
export CARGO_HOME="$TC/cargo-home"
export LD_LIBRARY_PATH="$LIBDIR\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
# Keep rustup's settings out of the way.
unset RUSTUP_TOOLCHAIN RUSTC_WRAPPER RUSTC_WORKSPACE_WRAPPER
EOF

# --- sanity ----------------------------------------------------------------------------------
ver="$(LD_LIBRARY_PATH="$LIBDIR" "$RUSTC" --version 2>&1)" || die "unpacked rustc does not run: $ver"
cver="$(LD_LIBRARY_PATH="$LIBDIR" "$CARGO" --version 2>&1)" || die "unpacked cargo does not run: $cver"
lver="$("$WASM_LD" --version 2>&1)" || die "wasm-ld does not run: $lver"
log "ok: $ver | $cver | $lver"
log "environment: source $TC/env.sh"
