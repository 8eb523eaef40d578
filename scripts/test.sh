#!/usr/bin/env bash
# Quickstart (2): the whole test suite. Installs missing prerequisites, builds the Rust example
# transforms from source with the offline toolchain, then runs `mvn verify` over the reactor
# (which also builds the AssemblyScript examples through npm).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-prerequisites.sh
if [ -f scripts/build-rust-examples.sh ]; then
  bash scripts/build-rust-examples.sh
fi
mvn -B verify -Ddebshrew.requireRust=true "$@"
