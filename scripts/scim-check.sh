#!/usr/bin/env bash
# Run scim2-tester (PyPI) against the real server binary on a fresh SQLite database.
#   scripts/scim-check.sh path/to/seatwise
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:?usage: scripts/scim-check.sh path/to/seatwise}
target=${CARGO_TARGET_DIR:-$PWD/target}
venv="$target/tools/scim-venv"
if ! "$venv/bin/python" -c 'import scim2_tester, httpx2' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r tests/scim/requirements.txt
fi
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
SEATWISE_ADMIN_EMAIL=scim-admin@example.com SEATWISE_ADMIN_PASSWORD=scim-check-password RUST_LOG=warn \
  "$bin" --database "sqlite://$work/seatwise.db" --bind "127.0.0.1:$port" >"$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done
csrf=$(curl -sf -c "$work/jar" -H 'content-type: application/json' \
  -d '{"email":"scim-admin@example.com","password":"scim-check-password"}' "$base/api/v1/session" \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["csrf_token"])')
token=$(curl -sf -b "$work/jar" -H "X-CSRF-Token: $csrf" -H 'content-type: application/json' -d '{"name":"scim2-tester"}' \
  "$base/api/v1/scim/tokens" | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
"$venv/bin/python" tests/scim/check.py "$base" "$token"
