#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks for the full build and test suite:
#   wabt (wat2wasm, for the WAT test fixtures), nodejs + npm (AssemblyScript examples),
#   chromium (the status page's browser test, StatusPageBrowserTest),
#   postgresql-15 (bin/debshrew bench's throw-away cluster, PostgresClusterTest),
#   Java 17 + Maven (normally present). Idempotent; needs root (or sudo) only when something is missing.
set -euo pipefail
missing=()
command -v wat2wasm >/dev/null 2>&1 || missing+=(wabt)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql-15)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v javac >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
