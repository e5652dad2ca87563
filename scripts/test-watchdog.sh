#!/usr/bin/env bash
# Runs a test command (`scripts/test-watchdog.sh swift test …`) and watches its output. When the output has
# not moved for DUET_STALL_SECONDS (default 600; the longest test, OutageTests', is quiet for under 3 minutes),
# the run is taken as hung: it prints the tests started and not finished, every thread of the test processes
# (gdb's backtraces when gdb is installed, else each thread's name, state and kernel wait channel) and the
# processes they started, then stops the run (status 124). A hang then leaves evidence in the CI log instead
# of a run that times out silently. Exits with the command's status otherwise.
set -uo pipefail

[ $# -gt 0 ] || { echo "usage: test-watchdog.sh COMMAND..." >&2; exit 2; }
stall=${DUET_STALL_SECONDS:-600}
log=$(mktemp /tmp/duet-test-output.XXXXXX)
# The tests' breadcrumbs (TestTrace in the test targets), printed on a stall.
DUET_TEST_TRACE=$(mktemp /tmp/duet-test-trace.XXXXXX)
export DUET_TEST_TRACE
trap 'rm -f "$log" "$DUET_TEST_TRACE"' EXIT

"$@" > >(tee -a "$log") 2>&1 &
child=$!

# The process tree under a pid, the pid first.
tree() {
  local p
  echo "$1"
  for p in $(pgrep -P "$1" 2>/dev/null); do tree "$p"; done
}

report() {
  echo
  echo "test-watchdog: no output for ${stall} s: the run looks hung"
  echo "test-watchdog: tests started and not finished:"
  # Swift Testing's lines: "◇ Test name() started." then "✔ Test name() passed…" / "✘ Test name() failed…".
  grep -aoE '◇ Test [^ ]+ started' "$log" | sed -E 's/^◇ Test (.*) started$/\1/' | sort -u >"$log.started" || true
  grep -aoE '(✔|✘) Test [^ ]+ ' "$log" | sed -E 's/^.+ Test ([^ ]+) $/\1/' | sort -u >"$log.ended" || true
  comm -23 "$log.started" "$log.ended" | grep -v '^run$' | sed 's/^/  /' || true
  rm -f "$log.started" "$log.ended"
  echo "test-watchdog: the tests' last breadcrumbs (TestTrace), then the last of each heartbeat (now $(date +%s)):"
  grep -v ' heartbeat ' "$DUET_TEST_TRACE" | tail -n 60 | sed 's/^/  /'
  for beat in thread dispatch task sleep; do
    grep " heartbeat $beat\$" "$DUET_TEST_TRACE" | tail -n 1 | sed 's/^/  /'
  done
  # The throwaway server's sessions, when the run has one (scripts/pg-throwaway.sh run exports its directory).
  if [ -n "${PG_THROWAWAY_DIR:-}" ] && [ -f "$PG_THROWAWAY_DIR/port" ]; then
    echo "test-watchdog: the PostgreSQL server's sessions:"
    local psql_cmd=(psql -X -h "$PG_THROWAWAY_DIR" -p "$(cat "$PG_THROWAWAY_DIR/port")" -U postgres -d postgres -Atc
      "SELECT pid, datname, state, wait_event_type || ':' || wait_event, now() - query_start, left(query, 100) FROM pg_stat_activity WHERE backend_type = 'client backend'")
    local bin; bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$bin" ] && psql_cmd[0]="$bin/psql"
    if [ "$(id -u)" -eq 0 ]; then timeout 20 runuser -u postgres -- "${psql_cmd[@]}" 2>&1 | sed 's/^/  /'
    else timeout 20 "${psql_cmd[@]}" 2>&1 | sed 's/^/  /'; fi
  fi
  local p
  for p in $(tree "$child"); do
    [ -d "/proc/$p" ] || continue
    echo "test-watchdog: process $p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-200)"
    local t
    for t in /proc/"$p"/task/*; do
      echo "  thread $(basename "$t") $(cat "$t/comm" 2>/dev/null) state $(awk '{print $3}' "$t/stat" 2>/dev/null) wchan $(cat "$t/wchan" 2>/dev/null)"
    done
    if command -v gdb >/dev/null 2>&1 && grep -qaE 'xctest|PackageTests|swiftpm-testing-helper' "/proc/$p/cmdline" 2>/dev/null; then
      timeout 120 gdb -p "$p" -batch -ex "thread apply all bt 25" 2>/dev/null | grep -E '^(Thread|#)' | cut -c1-220
    fi
  done
}

while kill -0 "$child" 2>/dev/null; do
  sleep 2
  kill -0 "$child" 2>/dev/null || break
  age=$(( $(date +%s) - $(stat -c %Y "$log") ))
  if [ "$age" -ge "$stall" ]; then
    report
    for p in $(tree "$child" | tac); do kill -KILL "$p" 2>/dev/null; done
    wait "$child" 2>/dev/null
    exit 124
  fi
done
wait "$child"
