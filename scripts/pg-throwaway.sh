#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for Duet's tests: a new cluster in a temp dir, listening on 127.0.0.1 only
# on a free port, with a role and a database, removed again at the end.
#
#   scripts/pg-throwaway.sh run -- COMMAND...   start, run COMMAND with the variables below, stop and remove
#   eval "$(scripts/pg-throwaway.sh start)"     start and print the exports (and PG_THROWAWAY_DIR)
#   scripts/pg-throwaway.sh stop DIR            stop and remove a cluster `start` made
#   scripts/pg-throwaway.sh kill DIR            stop its server at once (`pg_ctl -m immediate`: a crash; the files stay)
#   scripts/pg-throwaway.sh restart DIR         start its server again on the same port (after `kill`)
#
# Exports DUET_TEST_POSTGRES_URL=postgres://duet@127.0.0.1:PORT/duet_test and DUET_TEST_POSTGRES_PASSWORD
# (the role's random password; TCP logins use scram-sha-256). The role may create databases: each test
# makes its own. As root the cluster runs as the `postgres` user (initdb refuses root).
# Needs PostgreSQL's server binaries (Debian: the `postgresql` package).
set -euo pipefail

say() { echo "pg-throwaway: $*" >&2; }

# The server binaries: Debian keeps them in /usr/lib/postgresql/N/bin, out of PATH; take the newest, else PATH.
bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return; fi
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then dirname "$(command -v initdb)"; return; fi
  say "no initdb/pg_ctl found (install the postgresql package)"; return 1
}

# Runs a command as the cluster's owner: `postgres` when we are root, else ourselves.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    if command -v runuser >/dev/null; then runuser -u postgres -- "$@"
    else su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; fi
  else "$@"; fi
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  local dir
  dir=$(mktemp -d /tmp/duet-pg.XXXXXX)
  chmod 755 "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
  # A cluster that did not come up whole is stopped and removed.
  start_in "$dir" || { stop "$dir"; return 1; }
}

start_in() {
  local dir=$1 bin port pw tries=0
  bin=$(bindir)
  pw=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; return 1; }
  while :; do
    port=$(( 20000 + RANDOM % 40000 ))
    port_free "$port" || continue
    if serve "$dir" "$port"; then
      echo "$port" >"$dir/port"
      break
    fi
    tries=$((tries + 1))
    [ "$tries" -lt 5 ] || { tail -n 20 "$dir/server.log" >&2; return 1; }
  done
  as_owner "$bin/psql" -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres \
    -c "CREATE ROLE duet LOGIN CREATEDB PASSWORD '$pw'" -c "CREATE DATABASE duet_test OWNER duet" >/dev/null
  echo "export PG_THROWAWAY_DIR=$dir"
  echo "export DUET_TEST_POSTGRES_URL=postgres://duet@127.0.0.1:$port/duet_test"
  echo "export DUET_TEST_POSTGRES_PASSWORD=$pw"
  say "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($dir)"
}

# Starts the cluster in DIR on PORT (waits until it accepts connections).
serve() {
  local dir=$1 port=$2
  as_owner "$(bindir)/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=600" start >/dev/null
}

stop() {
  local dir=$1 bin
  [ -d "$dir/data" ] || { rm -rf "$dir"; return 0; }
  bin=$(bindir)
  as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:?usage: pg-throwaway.sh stop DIR}" ;;
  kill) as_owner "$(bindir)/pg_ctl" -D "${2:?usage: pg-throwaway.sh kill DIR}/data" -m immediate -w stop >/dev/null ;;
  restart) serve "${2:?usage: pg-throwaway.sh restart DIR}" "$(cat "$2/port")" ;;
  run)
    shift; [ "${1:-}" = "--" ] && shift
    [ $# -gt 0 ] || { say "usage: pg-throwaway.sh run -- COMMAND..."; exit 2; }
    t0=$(date +%s.%N)
    exports=$(start)
    eval "$exports"
    say "setup took $(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $t0 }") s"
    # The command runs in the background and is waited for, so that a signal to this script is passed
    # on at once; the cluster is removed when the command has ended, however it ended.
    trap 'stop "$PG_THROWAWAY_DIR"' EXIT
    set +e
    "$@" &
    child=$!
    for sig in INT TERM HUP; do trap "kill -$sig $child 2>/dev/null" "$sig"; done
    while :; do
      wait "$child"; rc=$?
      kill -0 "$child" 2>/dev/null || break
    done
    trap '' INT TERM HUP
    exit "$rc"
    ;;
  *) echo "usage: pg-throwaway.sh start | stop DIR | kill DIR | restart DIR | run -- COMMAND..." >&2; exit 2 ;;
esac
