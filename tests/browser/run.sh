#!/usr/bin/env bash
# End-to-end tests of the web pages in headless Chromium (Debian's), with axe-core: builds the
# binary, seeds an officer into a temporary SQLite database, starts `wegwijzer serve` on a free
# port, runs e2e.mjs against it and stops the server. Screenshots go to docs/screenshots/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "browser tests need /usr/bin/chromium (apt-get install chromium)" >&2
    exit 1
  fi
fi
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
# CI passes the binary `cargo test` already built (WEGWIJZER_BIN): `cargo build` alone resolves
# the dependencies' features without the dev-dependencies and would compile much of it again.
if [ -n "${WEGWIJZER_BIN:-}" ]; then
  bin="$WEGWIJZER_BIN"
else
  (cd "$root" && cargo build --locked --quiet)
  bin="$target/debug/wegwijzer"
fi

tmp="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

db="sqlite://$tmp/wegwijzer.db?mode=rwc"
password="browser-test-password-$RANDOM$RANDOM"
printf '%s\n' "$password" | "$bin" user add --name officer --role officer --database-url "$db" >/dev/null
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
(cd "$root" && exec "$bin" serve --addr "127.0.0.1:$port" --database-url "$db" --knowledge-dir knowledge) >"$tmp/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then break; fi
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || { cat "$tmp/serve.log" >&2; exit 1; }

BASE_URL="http://127.0.0.1:$port" OFFICER_NAME=officer OFFICER_PASSWORD="$password" \
  SCREENSHOTS="$root/docs/screenshots" node "$here/e2e.mjs"
