#!/usr/bin/env bash
# Crash safety: kill duet with SIGKILL at random moments and check that
# nothing shown as done is lost and the store stays whole.
#
#   1. `duet label` in tmux: label at random, SIGKILL at a random moment
#      (sometimes right after a key, mid-write), ROUNDS times. After each
#      kill: the store holds at least as many of this person's decisions as
#      the screen last showed as done (and at most one more: the key in
#      flight), the progress counts the store keeps equal a count of the
#      decisions, and PRAGMA integrity_check is ok.
#   2. `duet import` of a large file killed midway, ROUNDS/5 times: the store
#      holds either none or all of the file's items, never part; a re-run
#      completes.
#   3. `duet route` killed midway, ROUNDS/5 times: routes are all or nothing
#      (one transaction), a re-run completes and covers every item.
#
# Usage: scripts/crash-test.sh [ROUNDS]     (default 50; needs tmux, sqlite3)
#        DUET_BIN=path/to/duet to use a built binary (default: release build).
set -euo pipefail
ROUNDS=${1:-50}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/duet-crash.XXXXXX")
SOCK="duet-crash-$$"
trap 'tmux -L "$SOCK" kill-server 2>/dev/null || true; rm -rf "$WORK"' EXIT
command -v tmux >/dev/null || { echo "needs tmux"; exit 1; }
command -v sqlite3 >/dev/null || { echo "needs sqlite3"; exit 1; }
if [ -z "${DUET_BIN:-}" ]; then
  (cd "$ROOT" && swift build -c release --product duet >/dev/null)
  DUET_BIN="$ROOT/.build/release/duet"
fi
DUET="$DUET_BIN"
P="$WORK/proj"
DB="$P/duet.sqlite"
RANDOM=7  # reproducible rounds
fail() { echo "FAIL: $*" >&2; exit 1; }
q() { sqlite3 -readonly "$DB" "$1"; }
integrity() { [ "$(q 'PRAGMA integrity_check')" = ok ] || fail "integrity_check: $(q 'PRAGMA integrity_check' | head -3)"; }

"$DUET" init "$P" --template classify --example >/dev/null
"$DUET" import --project "$P" "$ROOT/sample-data/sentiment.jsonl" >/dev/null 2>&1
TASK=$("$DUET" task list --project "$P" | head -1 | cut -f1)

# --- 1. labeling ---------------------------------------------------------
shown_done() {
  # The header reads "<task> · classify · DONE/TOTAL (..%)".
  tmux -L "$SOCK" capture-pane -p -t crash 2>/dev/null | head -1 | sed -n 's/.* · \([0-9]*\)\/[0-9]* .*/\1/p'
}
labeled=0
for round in $(seq 1 "$ROUNDS"); do
  before=$(q "SELECT COUNT(*) FROM decisions WHERE annotator = 'crash' AND status = 'submitted'")
  tmux -L "$SOCK" -f /dev/null new-session -d -x 120 -y 40 -s crash \
    "cd '$P' && exec env TERM=xterm-256color LANG=C.UTF-8 '$DUET' label --task '$TASK' --as crash"
  for _ in $(seq 1 100); do [ -n "$(shown_done)" ] && break; sleep 0.05; done
  [ -n "$(shown_done)" ] || fail "round $round: the label screen did not show"
  keys=$((RANDOM % 8 + 1))
  for _ in $(seq 1 "$keys"); do
    tmux -L "$SOCK" send-keys -t crash "$((RANDOM % 3 + 1))"
    [ $((RANDOM % 3)) -eq 0 ] || sleep 0.0$((RANDOM % 9 + 1))
  done
  # Sometimes kill at once (a key may be mid-write), sometimes after the screen settled.
  [ $((RANDOM % 2)) -eq 0 ] && sleep 0.2
  shown=$(shown_done)
  [ -n "$shown" ] || shown=$before  # caught mid-redraw: nothing newer was readable
  pid=$(tmux -L "$SOCK" list-panes -t crash -F '#{pane_pid}')
  kill -9 "$pid" 2>/dev/null || true
  tmux -L "$SOCK" kill-session -t crash 2>/dev/null || true
  integrity
  stored=$(q "SELECT COUNT(*) FROM decisions WHERE annotator = 'crash' AND status = 'submitted'")
  # Everything the screen showed as done is in the store; at most the key in flight beyond it.
  [ "$stored" -ge "$shown" ] || fail "round $round: the screen showed $shown done, the store has $stored"
  [ "$stored" -le $((before + keys)) ] || fail "round $round: $stored decisions after $keys keys from $before"
  kept=$(q "SELECT COALESCE(SUM(p.human), 0) || ' ' || COALESCE(SUM(p.submitted), 0) FROM progress p JOIN tasks t ON t.id = p.task_id WHERE t.name = '$TASK'")
  counted=$(q "SELECT COUNT(DISTINCT CASE WHEN d.status = 'submitted' AND d.annotator_kind = 'human' THEN d.item_id END) || ' ' ||
                      COUNT(DISTINCT CASE WHEN d.status = 'submitted' THEN d.item_id END)
               FROM decisions d JOIN tasks t ON t.id = d.task_id WHERE t.name = '$TASK'")
  [ "$kept" = "$counted" ] || fail "round $round: kept progress counts '$kept' differ from the decisions' '$counted'"
  labeled=$((labeled + stored - before))
  if [ "$stored" -ge 190 ]; then  # nearly done: start over on a clean task
    sqlite3 "$DB" "DELETE FROM decisions; DELETE FROM leases; DELETE FROM queue_cursor;"
  fi
done
echo "label: $ROUNDS rounds killed with SIGKILL, $labeled decisions made, none shown as done was lost, progress counts kept, integrity ok"

# --- 2. import -------------------------------------------------------------
BIG="$WORK/big.jsonl"
awk 'BEGIN { for (i = 0; i < 300000; i++) printf "{\"id\":\"b%d\",\"text\":\"crash test item %d with some words to parse\"}\n", i, i }' > "$BIG"
base=$(q "SELECT COUNT(*) FROM items")
killed=0
for round in $(seq 1 $((ROUNDS / 5))); do
  "$DUET" import --project "$P" --dataset big "$BIG" >/dev/null 2>&1 &
  pid=$!
  sleep 0.$((RANDOM % 9 + 1))
  if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
  wait "$pid" 2>/dev/null || true
  integrity
  n=$(q "SELECT COUNT(*) FROM items")
  [ "$n" -eq "$base" ] || [ "$n" -eq $((base + 300000)) ] || fail "import round $round: $n items (before $base, complete $((base + 300000)))"
  if [ "$n" -ne "$base" ]; then
    # It finished before the kill: take the file out again for the next round.
    sqlite3 "$DB" "PRAGMA foreign_keys = OFF; DELETE FROM items WHERE dataset = 'big'; UPDATE dataset_counts SET items = 0 WHERE dataset = 'big';"
  fi
done
"$DUET" import --project "$P" --dataset big "$BIG" >/dev/null 2>&1
[ "$(q "SELECT COUNT(*) FROM items WHERE dataset = 'big'")" -eq 300000 ] || fail "the import re-run did not complete"
integrity
echo "import: $((ROUNDS / 5)) runs of 300,000 rows, $killed killed midway: the store was before or after every time; the re-run completed"

# --- 3. route --------------------------------------------------------------
cat >> "$P/duet.toml" <<'TOML'

[[tasks]]
name = "bigtask"
kind = "classify"
dataset = "big"
labels = ["negative", "neutral", "positive"]
TOML
# Replayed votes (one per item) so that routing itself is what gets killed.
awk 'BEGIN { split("negative neutral positive", L, " "); for (i = 0; i < 300000; i++) for (v = 0; v < 3; v++) printf "{\"item\":\"b%d\",\"annotator\":\"replay\",\"variant\":\"v%d\",\"label\":\"%s\"}\n", i, v, L[(i * 7 + v * (i % 3)) % 3 + 1] }' > "$WORK/votes.jsonl"
"$DUET" votes import --project "$P" --task bigtask "$WORK/votes.jsonl" >/dev/null
killed=0
for round in $(seq 1 $((ROUNDS / 5))); do
  r0=$(q "SELECT COUNT(*) FROM routes r JOIN tasks t ON t.id = r.task_id WHERE t.name = 'bigtask'")
  "$DUET" route --project "$P" --task bigtask --annotator replay --budget 0.$((RANDOM % 5 + 1)) --seed "$round" >/dev/null 2>&1 &
  pid=$!
  sleep 0.$((RANDOM % 9 + 1))
  if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
  wait "$pid" 2>/dev/null || true
  integrity
  r=$(q "SELECT COUNT(*) FROM routes r JOIN tasks t ON t.id = r.task_id WHERE t.name = 'bigtask'")
  [ "$r" -eq "$r0" ] || [ "$r" -eq 300000 ] || fail "route round $round: $r routes (before $r0)"
done
"$DUET" route --project "$P" --task bigtask --annotator replay --budget 0.3 >/dev/null
[ "$(q "SELECT COUNT(*) FROM routes r JOIN tasks t ON t.id = r.task_id WHERE t.name = 'bigtask'")" -eq 300000 ] || fail "the route re-run did not cover every item"
integrity
echo "route: $((ROUNDS / 5)) runs over 300,000 items, $killed killed midway: all or nothing every time; the re-run completed"
