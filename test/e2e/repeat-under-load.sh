#!/usr/bin/env bash
# Runs the end-to-end file N times in a row (default 20) with a CPU hog beside it: one busy loop
# per core, so the controller, the emulators and Prometheus compete for CPU as on a loaded CI
# machine. Prints one line per run and the count of failures; exits non-zero if any run failed.
# Usage: bash test/e2e/repeat-under-load.sh [N] [test file]
# Each run holds /tmp/serin-heavy.lock (flock) so that other heavy suites wait for it.
set -uo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-20}"
file="${2:-test/e2e/closed-loop.e2e.test.ts}"
logs="$(mktemp -d)"
failures=0
hogs=()
stop_hogs() {
  for pid in "${hogs[@]}"; do kill "$pid" 2>/dev/null; done
  hogs=()
}
trap stop_hogs EXIT
echo "repeat-under-load: $runs runs of $file, $(nproc) busy loops beside each; logs in $logs"
for i in $(seq 1 "$runs"); do
  exec 9>/tmp/serin-heavy.lock
  flock 9
  for _ in $(seq 1 "$(nproc)"); do
    node -e 'const end = Date.now() + 30 * 60_000; while (Date.now() < end) {}' &
    hogs+=("$!")
  done
  start=$(date +%s)
  if npx vitest run "$file" >"$logs/run-$i.log" 2>&1; then result=pass; else result=FAIL; failures=$((failures + 1)); fi
  stop_hogs
  flock -u 9
  tests=$(grep -Eo 'Tests +[^(]*' "$logs/run-$i.log" | tail -1 | sed 's/\x1b\[[0-9;]*m//g')
  echo "run $i/$runs: $result in $(($(date +%s) - start)) s ($tests)"
done
echo "repeat-under-load: $failures failed of $runs"
[ "$failures" -eq 0 ]
