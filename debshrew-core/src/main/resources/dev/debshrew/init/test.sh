#!/bin/sh
# Golden test: runs build/transform.wasm over blocks FROM..TO of debshrew's embedded devnet and
# compares its messages with expected.jsonl (exit status non-zero on a difference).
# After an intended change of the output, record it again:
#   $DEBSHREW test -t build/transform.wasm --from 1 --to 8 --output expected.jsonl
# DEBSHREW: the debshrew launcher (default: `debshrew` on PATH, e.g. <debshrew>/bin/debshrew).
set -eu
cd "$(dirname "$0")"
debshrew="${DEBSHREW:-debshrew}"
command -v "$debshrew" >/dev/null 2>&1 || { echo "test.sh: '$debshrew' not found: put debshrew's bin/ on PATH or set DEBSHREW=/path/to/bin/debshrew" >&2; exit 2; }
[ -f build/transform.wasm ] || { echo "test.sh: build/transform.wasm not found: build first" >&2; exit 2; }
exec "$debshrew" test -t build/transform.wasm --from 1 --to 8 --expect expected.jsonl
