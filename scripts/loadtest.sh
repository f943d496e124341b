#!/usr/bin/env bash
# Load and fault test of a release build, on this machine only (127.0.0.1).
#
#   scripts/loadtest.sh            # /healthz, then 64 connections on POST /api/ask for 60 s
#   scripts/loadtest.sh --kill     # the same load; kill -9 the server half-way, restart it on the
#                                  # same database, and check that no acknowledged gap was lost
#   scripts/loadtest.sh --pg-stop  # PostgreSQL mode: stop the local PostgreSQL cluster for the middle
#                                  # third of the load, then start it again; answers must keep
#                                  # coming and every acknowledged gap must reach the database
#   scripts/loadtest.sh --slow     # /api/ask for SLOW_BASE_DURATION s as a baseline, then the same
#                                  # load while SLOW_CLIENTS slowloris connections (half a request
#                                  # head, then a byte a second) from SLOW_SOURCES loopback addresses
#                                  # 127.0.0.2... are held: /healthz and /api/ask must keep answering
#                                  # (no errors, ask p99 within SLOW_P99_FACTOR of the baseline's), no
#                                  # slow connection may be held past the header timeout, and the
#                                  # per-address cap must refuse
#
# Environment: DURATION (s, default 60), HEALTH_DURATION (s, default 20), CONNECTIONS (default 64),
# THREADS (wrk threads, default 2), NO_BUILD=1 to use an existing release binary (WEGWIJZER_BIN=path
# to use another one, e.g. to compare two builds); for --pg-stop,
# PG_URL (default postgres://postgres@127.0.0.1:5432) and PG_CLUSTER ("15 main", for pg_ctlcluster);
# for --slow, SLOW_CLIENTS (default 2000), SLOW_SOURCES (default 10: 200 clients an address, over
# the cap of connections an address), SLOW_BASE_DURATION (s, default 20), SLOW_P99_FACTOR (default
# 3). The server runs with the default connection limits except a per-address cap of
# CONNECTIONS + 8 (72): wrk's connections all come from 127.0.0.1, and a cap equal to their number
# refuses one now and then while a closed connection is still counted. WEGWIJZER_HEADER_TIMEOUT_SECS
# and WEGWIJZER_MAX_CONNECTIONS[_PER_ADDR] set in the environment are passed through.
# Needs wrk (Debian: apt-get install wrk), sqlite3, python3 for --slow, and for --pg-stop psql and
# pg_ctlcluster (run as root). Exits non-zero when a check fails.
set -euo pipefail
cd "$(dirname "$0")/.."

KILL=0
PG_STOP=0
SLOW=0
for arg in "$@"; do
  case "$arg" in
    --kill) KILL=1 ;;
    --pg-stop) PG_STOP=1 ;;
    --slow) SLOW=1 ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done
DURATION="${DURATION:-60}"
HEALTH_DURATION="${HEALTH_DURATION:-20}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
SLOW_CLIENTS="${SLOW_CLIENTS:-2000}"
SLOW_SOURCES="${SLOW_SOURCES:-10}"
SLOW_BASE_DURATION="${SLOW_BASE_DURATION:-20}"
SLOW_P99_FACTOR="${SLOW_P99_FACTOR:-3}"
HEADER_TIMEOUT="${WEGWIJZER_HEADER_TIMEOUT_SECS:-10}"
PER_ADDR="${WEGWIJZER_MAX_CONNECTIONS_PER_ADDR:-$(( CONNECTIONS + 8 > 64 ? CONNECTIONS + 8 : 64 ))}"
if [[ "$SLOW" == 1 ]]; then
  command -v python3 >/dev/null || { echo "--slow needs python3" >&2; exit 2; }
  # The slow clients and the server each hold a few thousand sockets.
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
fi
for tool in wrk sqlite3 curl; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install $tool)" >&2; exit 2; }
done

TARGET="${CARGO_TARGET_DIR:-target}"
if [[ "${NO_BUILD:-0}" != 1 ]]; then
  nice cargo build --release --locked --quiet
fi
BIN="${WEGWIJZER_BIN:-$TARGET/release/wegwijzer}"

WORK="$(mktemp -d)"
DB="$WORK/loadtest.db"
DATABASE="sqlite://$DB?mode=rwc"
PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432}"
PG_CLUSTER="${PG_CLUSTER:-$(ls /etc/postgresql 2>/dev/null | head -n1) main}"
PG_DB="wegwijzer_loadtest_$$"
if [[ "$PG_STOP" == 1 ]]; then
  for tool in psql pg_ctlcluster; do
    command -v "$tool" >/dev/null || { echo "--pg-stop needs $tool" >&2; exit 2; }
  done
  psql -q "$PG_URL/postgres" -c "CREATE DATABASE $PG_DB" >/dev/null
  DATABASE="$PG_URL/$PG_DB"
fi
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
SERVER_PID=""

pg_start() {
  # shellcheck disable=SC2086
  pg_ctlcluster --skip-systemctl-redirect $PG_CLUSTER start 2>/dev/null || true
  for _ in $(seq 1 100); do pg_isready -q -h 127.0.0.1 && return 0; sleep 0.1; done
}

SLOW_PID=""

cleanup() {
  [[ -n "$SLOW_PID" ]] && kill "$SLOW_PID" 2>/dev/null
  [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  if [[ "$PG_STOP" == 1 ]]; then
    # Never leave the machine's PostgreSQL down.
    pg_start
    psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

start_server() {
  WEGWIJZER_ADDR="127.0.0.1:$PORT" \
  DATABASE_URL="$DATABASE" \
  WEGWIJZER_KNOWLEDGE_DIR=knowledge \
  WEGWIJZER_SPOOL_DIR="$WORK/spool" \
  WEGWIJZER_RATE_LIMIT_PER_MINUTE=0 \
  WEGWIJZER_MAX_CONNECTIONS_PER_ADDR="$PER_ADDR" \
  RUST_LOG="${RUST_LOG:-wegwijzer=warn,tower_http=warn}" \
    "$BIN" serve >>"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 200); do
    curl -fsS "$BASE/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; return 1; }
    sleep 0.05
  done
  echo "server did not come up" >&2
  return 1
}

# Runs wrk with the Lua script; prints its LOADTEST summary line.
run_wrk() { # mode path seconds
  LOADTEST_MODE="$1" GAP_DIR="$WORK" QUESTIONS_FILE=tests/routing-questions.tsv \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$3s" --timeout 5s -s scripts/loadtest.lua "$BASE$2" \
    | grep '^LOADTEST'
}

field() { # line name
  sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $1"
}

report() { # title line
  local l="$2"
  local errors=$(( $(field "$l" non2xx) + $(field "$l" connect) + $(field "$l" read) + $(field "$l" write) + $(field "$l" timeout) ))
  printf '%-28s %10s req/s   p50 %7s ms   p99 %7s ms   max %8s ms   requests %8s   errors %s (non-2xx %s, connect %s, read %s, write %s, timeout %s)\n' \
    "$1" "$(field "$l" rps)" "$(field "$l" p50_ms)" "$(field "$l" p99_ms)" "$(field "$l" max_ms)" \
    "$(field "$l" requests)" "$errors" "$(field "$l" non2xx)" "$(field "$l" connect)" \
    "$(field "$l" read)" "$(field "$l" write)" "$(field "$l" timeout)"
}

FAILED=0
start_server
echo "wegwijzer $("$BIN" --version | awk '{print $2}') on $BASE, database ${DATABASE%%\?*}, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk -t$THREADS -c$CONNECTIONS; /healthz for ${HEALTH_DURATION}s, /api/ask for ${DURATION}s$([[ $KILL == 1 ]] && echo ', kill -9 half-way')$([[ $PG_STOP == 1 ]] && echo ', PostgreSQL stopped for the middle third')$([[ $SLOW == 1 ]] && echo ", $SLOW_CLIENTS slow clients held after a ${SLOW_BASE_DURATION}s baseline"); at most $PER_ADDR connections an address"

server_cpu() { # CPU seconds the server has used so far
  awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$SERVER_PID/stat"
}

metric() { # series: its value in /metrics, 0 when absent
  curl -fsS "$BASE/metrics" | awk -v s="$1" '$1 == s {print $2; found=1} END {if (!found) print 0}'
}

if [[ "$SLOW" == 1 ]]; then
  BASE_ASK="$(run_wrk ask /api/ask "$SLOW_BASE_DURATION")"
  report "POST /api/ask (baseline)" "$BASE_ASK"
  SLOW_SECONDS=$(( 8 + HEALTH_DURATION + DURATION + 2 ))
  python3 scripts/slow-clients.py --port "$PORT" --clients "$SLOW_CLIENTS" --sources "$SLOW_SOURCES" \
    --duration "$SLOW_SECONDS" >"$WORK/slow.out" &
  SLOW_PID=$!
  sleep 8
  CPU_START="$(server_cpu)"
  WALL_START="$(date +%s.%N)"
  echo "$SLOW_CLIENTS slow clients from $SLOW_SOURCES addresses for ${SLOW_SECONDS}s; server connections open now: $(metric wegwijzer_connections_open)"
fi

HEALTH="$(run_wrk get /healthz "$HEALTH_DURATION")"
report "GET /healthz" "$HEALTH"

if [[ "$PG_STOP" == 1 ]]; then
  run_wrk ask /api/ask "$DURATION" >"$WORK/ask.out" &
  WRK_PID=$!
  sleep $(( DURATION / 3 ))
  # shellcheck disable=SC2086
  pg_ctlcluster --skip-systemctl-redirect $PG_CLUSTER stop -m fast
  echo "stopped PostgreSQL ($PG_CLUSTER) after $(( DURATION / 3 ))s"
  sleep 3
  READY_DOWN="$(curl -s -o /dev/null -w '%{http_code}' "$BASE/readyz")"
  HEALTH_DOWN="$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")"
  echo "while it is down: /readyz $READY_DOWN $(curl -s "$BASE/readyz"), /healthz $HEALTH_DOWN"
  [[ "$READY_DOWN" == 503 ]] || { echo "FAIL: /readyz did not report the database away"; FAILED=1; }
  [[ "$HEALTH_DOWN" == 200 ]] || { echo "FAIL: /healthz not up while the database is away"; FAILED=1; }
  sleep $(( DURATION / 3 - 3 ))
  pg_start
  echo "started PostgreSQL again after $(( DURATION / 3 ))s down"
  wait "$WRK_PID"
  ASK="$(cat "$WORK/ask.out")"
  report "POST /api/ask (PG stopped)" "$ASK"
  ERRORS=$(( $(field "$ASK" non2xx) + $(field "$ASK" connect) + $(field "$ASK" read) + $(field "$ASK" write) + $(field "$ASK" timeout) ))
  [[ "$ERRORS" == 0 ]] || { echo "FAIL: $ERRORS errors while PostgreSQL was away"; FAILED=1; }
  # The spool drains within a few replay rounds once the database is back.
  for _ in $(seq 1 60); do
    curl -fsS "$BASE/readyz" | grep -q '"status":"ok"' && break
    sleep 0.5
  done
  echo "after the restart: /readyz $(curl -s "$BASE/readyz")"
elif [[ "$KILL" == 1 ]]; then
  run_wrk ask /api/ask "$DURATION" >"$WORK/ask.out" &
  WRK_PID=$!
  sleep $(( DURATION / 2 ))
  ACKED_BEFORE="$(cat "$WORK"/acked-*.txt 2>/dev/null | wc -l)"
  kill -9 "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  echo "killed the server (kill -9) after $(( DURATION / 2 ))s with $ACKED_BEFORE gaps acknowledged; restarting on the same database"
  sleep 1
  start_server
  wait "$WRK_PID"
  ASK="$(cat "$WORK/ask.out")"
  report "POST /api/ask (with kill)" "$ASK"
  echo "  (errors are expected while the server is down)"
elif [[ "$SLOW" == 1 ]]; then
  ASK="$(run_wrk ask /api/ask "$DURATION")"
  report "POST /api/ask (slow clients)" "$ASK"
  OPEN_DURING="$(metric wegwijzer_connections_open)"
  SERVER_CPU="$(awk -v a="$CPU_START" -v b="$(server_cpu)" 'BEGIN{printf "%.1f", b - a}')"
  WALL="$(awk -v a="$WALL_START" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b - a}')"
  for l in "$BASE_ASK" "$HEALTH" "$ASK"; do
    ERRORS=$(( $(field "$l" non2xx) + $(field "$l" connect) + $(field "$l" read) + $(field "$l" write) + $(field "$l" timeout) ))
    [[ "$ERRORS" == 0 ]] || { echo "FAIL: $ERRORS errors while the slow clients were held"; FAILED=1; }
  done
  echo "ask with slow clients: $(field "$ASK" rps) req/s, p99 $(field "$ASK" p99_ms) ms; baseline $(field "$BASE_ASK" rps) req/s, p99 $(field "$BASE_ASK" p99_ms) ms (target: p99 within ${SLOW_P99_FACTOR}x)"
  awk -v p="$(field "$ASK" p99_ms)" -v b="$(field "$BASE_ASK" p99_ms)" -v f="$SLOW_P99_FACTOR" 'BEGIN{exit !(p <= b * f)}' \
    || { echo "FAIL: ask p99 with the slow clients over ${SLOW_P99_FACTOR}x the baseline's"; FAILED=1; }
  wait "$SLOW_PID" || true
  SLOW_PID=""
  SLOWLINE="$(grep '^SLOW' "$WORK/slow.out" || true)"
  echo "slow clients: ${SLOWLINE#SLOW }"
  echo "CPU while wrk ran (${WALL}s, $(nproc) cores): server ${SERVER_CPU}s; the slow clients' own process $(field "$SLOWLINE" cpu_s)s over their ${SLOW_SECONDS}s"
  echo "server: connections open after the load $OPEN_DURING; refused over the address cap $(metric 'wegwijzer_connections_refused_total{limit="address"}'), over the process cap $(metric 'wegwijzer_connections_refused_total{limit="process"}'); closed by the header timeout $(metric 'wegwijzer_connections_timed_out_total{phase="header"}'), idle $(metric 'wegwijzer_connections_timed_out_total{phase="idle"}')"
  [[ -n "$SLOWLINE" ]] || { echo "FAIL: the slow clients printed no summary"; FAILED=1; }
  [[ "$(field "$SLOWLINE" answered)" == 0 ]] || { echo "FAIL: a never-finished request was answered"; FAILED=1; }
  awk -v m="$(field "$SLOWLINE" held_max_s)" -v t="$HEADER_TIMEOUT" 'BEGIN{exit !(m <= t + 2)}' \
    || { echo "FAIL: a slow connection was held past the ${HEADER_TIMEOUT}s header timeout"; FAILED=1; }
  [[ "$(field "$SLOWLINE" cut)" -gt 0 ]] || { echo "FAIL: no slow connection was cut off"; FAILED=1; }
  if (( SLOW_CLIENTS > SLOW_SOURCES * PER_ADDR )); then
    [[ "$(field "$SLOWLINE" refused)" -gt 0 ]] || { echo "FAIL: the per-address cap refused nothing"; FAILED=1; }
  fi
else
  ASK="$(run_wrk ask /api/ask "$DURATION")"
  report "POST /api/ask" "$ASK"
  ERRORS=$(( $(field "$ASK" non2xx) + $(field "$ASK" connect) + $(field "$ASK" read) + $(field "$ASK" write) + $(field "$ASK" timeout) ))
  [[ "$ERRORS" == 0 ]] || { echo "FAIL: $ERRORS errors under load"; FAILED=1; }
  RATIO="$(awk -v a="$(field "$ASK" rps)" -v h="$(field "$HEALTH" rps)" 'BEGIN{printf "%.2f", a/h}')"
  echo "ask/healthz throughput ratio: $RATIO (target >= 0.5); ask p99 $(field "$ASK" p99_ms) ms (target < 50)"
  awk -v r="$RATIO" 'BEGIN{exit !(r >= 0.5)}' || { echo "FAIL: ask throughput under half of /healthz's"; FAILED=1; }
  awk -v p="$(field "$ASK" p99_ms)" 'BEGIN{exit !(p < 50)}' || { echo "FAIL: ask p99 not under 50 ms"; FAILED=1; }
fi

# Every gap the API acknowledged (by its reference) must be in the database.
cat "$WORK"/acked-*.txt 2>/dev/null | sort | uniq >"$WORK/acked.txt" || true
ACKED="$(wc -l <"$WORK/acked.txt")"
if [[ "$PG_STOP" == 1 ]]; then
  psql -qAt "$DATABASE" -c 'SELECT ref FROM gaps' | sort >"$WORK/stored.txt"
  echo "gaps still in the spool: $(cat "$WORK"/spool/gaps.jsonl 2>/dev/null | wc -l)"
else
  sqlite3 "$DB" 'SELECT ref FROM gaps' | sort >"$WORK/stored.txt"
fi
STORED="$(wc -l <"$WORK/stored.txt")"
MISSING="$(comm -23 "$WORK/acked.txt" "$WORK/stored.txt" | wc -l)"
echo "gaps acknowledged by the API: $ACKED; in the database: $STORED; acknowledged but missing: $MISSING"
[[ "$ACKED" -gt 0 ]] || { echo "FAIL: no gap was acknowledged; the mix has no gap questions?"; FAILED=1; }
[[ "$MISSING" == 0 ]] || { echo "FAIL: $MISSING acknowledged gaps are not in the database"; FAILED=1; }
if [[ "$FAILED" == 0 ]]; then echo "PASS"; else echo "FAILED"; fi
exit "$FAILED"
