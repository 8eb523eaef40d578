#!/usr/bin/env bash
# The reliability suite (docs/reliability.md): crash, reorg and fault matrices against the daemon as a
# real process, real sinks (file, Kafka, PostgreSQL) and the devnet, counting lost and duplicated
# messages. Prints the summary table and writes debshrew-core/target/reliability/summary.json.
#
#   scripts/reliability.sh [--quick] [--seed S] [--kills N] [extra mvn args]
#
#   --quick    a few kills per sink (a few minutes; what CI runs); default: the full run, 50 kills per sink
#   --seed S   base seed of the random schedules (printed with every scenario, to reproduce a failure)
#   --kills N  SIGKILLs per sink in the crash matrix
# Exits non-zero when a scenario failed or anything was lost or duplicated.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=full
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) mode=quick; shift ;;
    --seed) [ $# -ge 2 ] || { echo "reliability.sh: --seed needs a value" >&2; exit 2; }
            args+=("-Ddebshrew.reliability.seed=$2"); shift 2 ;;
    --kills) [ $# -ge 2 ] || { echo "reliability.sh: --kills needs a value" >&2; exit 2; }
             args+=("-Ddebshrew.reliability.kills=$2"); shift 2 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) args+=("$1"); shift ;;
  esac
done

out=debshrew-core/target/reliability
rm -rf "$out"
mkdir -p "$out"
status=0
mvn -B -pl debshrew-core -am test -Dgroups=reliability -Ddebshrew.reliability="$mode" \
  -Ddebshrew.reliability.dir="$PWD/$out" -Dsurefire.failIfNoSpecifiedTests=false "${args[@]}" || status=$?

echo
echo "reliability suite ($mode):"
if [ -f "$out/summary.txt" ]; then
  cat "$out/summary.txt"
  echo "summary: $out/summary.json"
  if ! grep -q '"ok" : true' "$out/summary.json"; then
    echo "reliability: a scenario failed or lost/duplicated messages" >&2
    status=1
  fi
else
  echo "reliability: no scenario reported a result" >&2
  status=1
fi
if [ "$status" -ne 0 ]; then
  echo "reliability: FAILED (exit $status); the test output is in debshrew-core/target/surefire-reports" >&2
fi
exit "$status"
