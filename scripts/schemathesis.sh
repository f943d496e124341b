#!/usr/bin/env bash
# Fuzzes the public API with schemathesis (PyPI) against its own OpenAPI document.
#   scripts/schemathesis.sh [MAX_EXAMPLES]        (default 100 examples per operation)
# Builds `wegwijzer`, starts `wegwijzer serve` on a random free port with a temporary SQLite
# database (so the questions it asks pollute no real demand), runs `schemathesis run` with the
# checks not_a_server_error, response_schema_conformance, status_code_conformance and
# content_type_conformance, stops the server and exits non-zero on any failure.
# SCHEMATHESIS_VENV reuses a venv that already has schemathesis installed.
set -euo pipefail
cd "$(dirname "$0")/.."
max_examples=${1:-100}
work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

venv=${SCHEMATHESIS_VENV:-$work/venv}
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check schemathesis
fi
"$venv/bin/schemathesis" --version

cargo build --quiet --bin wegwijzer
bin=${CARGO_TARGET_DIR:-target}/debug/wegwijzer
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
"$bin" serve --addr "127.0.0.1:$port" --database-url "sqlite://$work/wegwijzer.db?mode=rwc" \
  --knowledge-dir knowledge > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fs "$base/readyz" > /dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.2
done
curl -fs "$base/readyz" > /dev/null

status=0
"$venv/bin/schemathesis" run "$base/api/openapi.json" \
  --url "$base" \
  --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
  --max-examples "$max_examples" \
  --phases examples,coverage,fuzzing \
  --seed 42 \
  --no-color || status=$?
if grep -q "panicked" "$work/server.log"; then
  echo "the server log shows a panic:"; grep -A5 panicked "$work/server.log"; status=1
fi
exit "$status"
