#!/usr/bin/env bash
# Import benchmark: 10^6 short classification items.
#   `duet import` (release build) of N JSONL rows
#   vs `sqlite3 .import` of the same rows as CSV into a plain table,
# printing both times, the ratio and duet's peak RSS.
# Usage: benchmarks/import.sh [N]      (default N = 1000000)
set -euo pipefail
N=${1:-1000000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/duet-bench-import.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

command -v sqlite3 >/dev/null || { echo "needs sqlite3 (apt-get install sqlite3)"; exit 1; }
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)"; exit 1; }

echo "building release…" >&2
(cd "$ROOT" && swift build -c release --product duet >/dev/null)
DUET="$ROOT/.build/release/duet"

python3 - "$N" "$WORK" <<'PY'
import csv, json, random, sys
n, work = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(7)
words = ("good bad fine service food slow fast great awful okay train late early price cheap lovely rude "
         "staff room clean dirty music loud quiet movie plot boring exciting app crash update battery").split()
labels = ["negative", "neutral", "positive"]
with open(f"{work}/items.jsonl", "w") as j, open(f"{work}/items.csv", "w", newline="") as c:
    w = csv.writer(c)
    w.writerow(["id", "text", "gold"])
    for i in range(n):
        text = " ".join(rnd.choice(words) for _ in range(rnd.randint(6, 18)))
        gold = labels[i % 3] if i % 10 == 0 else ""
        row = {"id": f"item-{i:07d}", "text": text}
        if gold: row["gold"] = gold
        j.write(json.dumps(row) + "\n")
        w.writerow([row["id"], text, gold])
PY
ls -l "$WORK"/items.jsonl "$WORK"/items.csv | awk '{printf "input: %s %.1f MB\n", $9, $5/1e6}' >&2

"$DUET" init "$WORK/project" >/dev/null
measure() { # prints "seconds peak_kb"
  /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$@" >/dev/null 2>"$WORK/err.txt" || { cat "$WORK/err.txt" >&2; exit 1; }
  cat "$WORK/time.txt"
}
read -r duet_s duet_kb < <(measure "$DUET" import "$WORK/items.jsonl" --project "$WORK/project")
count=$(sqlite3 "$WORK/project/duet.sqlite" "select count(*) from items")
[ "$count" = "$N" ] || { echo "duet stored $count items, expected $N" >&2; exit 1; }

# sqlite3 baseline 1: a plain table (no indexes).
read -r sql_s sql_kb < <(measure sqlite3 "$WORK/plain.sqlite" \
  "PRAGMA journal_mode=WAL;" "CREATE TABLE items(id TEXT, text TEXT, gold TEXT);" ".mode csv" ".import --skip 1 $WORK/items.csv items")
# sqlite3 baseline 2: the same table with a unique index on the id, as duet keeps.
read -r sqlu_s sqlu_kb < <(measure sqlite3 "$WORK/indexed.sqlite" \
  "PRAGMA journal_mode=WAL;" "CREATE TABLE items(id TEXT, text TEXT, gold TEXT);" "CREATE UNIQUE INDEX items_id ON items(id);" \
  ".mode csv" ".import --skip 1 $WORK/items.csv items")

ratio=$(python3 -c "print(f'{$duet_s/$sql_s:.2f}')")
ratio_u=$(python3 -c "print(f'{$duet_s/$sqlu_s:.2f}')")
rate=$(python3 -c "print(f'{$N/$duet_s:,.0f}')")
printf '%-44s %10s %12s\n' "import of $N rows" "seconds" "peak RSS MB"
printf '%-44s %10s %12s\n' "duet import (JSONL, release)" "$duet_s" "$(python3 -c "print(f'{$duet_kb/1024:.1f}')")"
printf '%-44s %10s %12s\n' "sqlite3 .import (CSV, plain table)" "$sql_s" "$(python3 -c "print(f'{$sql_kb/1024:.1f}')")"
printf '%-44s %10s %12s\n' "sqlite3 .import (CSV, unique id index)" "$sqlu_s" "$(python3 -c "print(f'{$sqlu_kb/1024:.1f}')")"
echo "ratio duet / sqlite3 plain:   $ratio   (goal <= 2.0)"
echo "ratio duet / sqlite3 indexed: $ratio_u"
echo "duet rows/s: $rate; peak RSS goal <= 100 MB"
printf 'FIGURE\timport seconds (%s rows)\t%s\t\n' "$N" "$duet_s"
printf 'FIGURE\timport ratio duet / sqlite3 .import\t%s\t≤ 2\n' "$ratio"
printf 'FIGURE\timport peak RSS MB\t%s\t≤ 100\n' "$(python3 -c "print(f'{$duet_kb/1024:.1f}')")"
