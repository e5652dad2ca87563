#!/usr/bin/env bash
# Runs the whole built test suite N times (default 5), each under scripts/test-watchdog.sh with a throwaway
# PostgreSQL cluster, and says how each run ended: the way to hunt an intermittent hang. Build first
# (`swift build --build-tests`); give the machine load beside it (a cold build in a scratch clone) to widen
# the windows. Each run's output is kept in $DUET_STRESS_DIR (default /tmp/duet-stress), a stalled one with
# the watchdog's report at its end. DUET_STALL_SECONDS (default here 420) is the watchdog's patience.
set -uo pipefail
cd "$(dirname "$0")/.."

runs=${1:-5}
out=${DUET_STRESS_DIR:-/tmp/duet-stress}
mkdir -p "$out"
export DUET_STALL_SECONDS=${DUET_STALL_SECONDS:-420}
export CI=true
export DUET_BIN=${DUET_BIN:-$PWD/.build/debug/duet}
hung=0
for i in $(seq 1 "$runs"); do
  log="$out/run-$i.log"
  start=$(date +%s)
  load=$(cut -d' ' -f1 /proc/loadavg)
  bash scripts/pg-throwaway.sh run -- bash scripts/test-watchdog.sh swift test --skip-build >"$log" 2>&1
  rc=$?
  [ "$rc" -eq 124 ] && hung=$((hung + 1))
  echo "run $i: exit $rc after $(( $(date +%s) - start )) s (load $load at the start): $(grep -a 'Test run with' "$log" | tail -n 1 | sed 's/\x1b\[[0-9;]*m//g')"
done
echo "stress-tests: $runs runs, $hung stalled (outputs in $out)"
[ "$hung" -eq 0 ]
