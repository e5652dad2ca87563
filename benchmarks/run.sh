#!/usr/bin/env bash
# Every benchmark, then one table of figures against the goals (release builds).
#   benchmarks/run.sh            10^6 items where the goal is stated for 10^6
#   N=100000 benchmarks/run.sh   a quicker pass
# Figures are printed by the benchmarks as FIGURE<TAB>name<TAB>value<TAB>goal lines.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
N=${N:-1000000}
LOG=$(mktemp "${TMPDIR:-/tmp}/duet-bench.XXXXXX")
trap 'rm -f "$LOG"' EXIT

echo "building release…" >&2
swift build -c release --product duet >/dev/null
swift build -c release --product duet-bench >/dev/null
BENCH="$ROOT/.build/release/duet-bench"

section() { echo; echo "== $*"; }
section "import ($N rows)";             benchmarks/import.sh "$N" | tee -a "$LOG"
section "terminal UI ($N items)";       "$BENCH" ui "$N" | tee -a "$LOG"
section "export ($N decisions)";        "$BENCH" export "$N" | tee -a "$LOG"
section "scrolling a 5 MB one-line item"; "$BENCH" scroll 5 | tee -a "$LOG"
section "routing ($N items × 11 votes)";  "$BENCH" route "$N" | tee -a "$LOG"
section "13-member panel (10^5 items)"; "$BENCH" panel 100000 | tee -a "$LOG"
section "built-in annotator (10^5)";    "$BENCH" local 100000 | tee -a "$LOG"
section "store at 10^6 items and LLM client against a loopback server (swift test, release)"
DUET_STORE_BENCH=1 DUET_LLM_BENCH=1 swift test -c release -Xswiftc -enable-testing \
  --filter 'DuetStoreTests.Benchmark|LLMBenchTests' 2>&1 | grep -E '^(bench:|LLM|FIGURE)' | tee -a "$LOG"

echo
printf '%-58s %14s  %-10s %s\n' "figure" "value" "goal" ""
printf '%s\n' "$(printf '%.0s-' {1..92})"
grep '^FIGURE' "$LOG" | while IFS=$'\t' read -r _ name value goal; do
  verdict=""
  if [ -n "$goal" ]; then
    op=${goal%% *}; target=${goal#* }
    if awk -v v="$value" -v t="$target" -v op="$op" 'BEGIN { exit !((op == "≤" && v <= t) || (op == "≥" && v >= t)) }'; then
      verdict="met"
    else
      verdict="MISSED"
    fi
  fi
  printf '%-58s %14.2f  %-10s %s\n' "$name" "$value" "$goal" "$verdict"
done
echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(swift --version 2>&1 | head -1)"
