#!/usr/bin/env bash
# Fuzz every operation of the OpenAPI document with schemathesis (PyPI, pinned in tests/schemathesis) as an admin
# of the demo company, against the real server binary on a fresh SQLite database.
#   scripts/schemathesis.sh path/to/seatwise [extra schemathesis options]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:?usage: scripts/schemathesis.sh path/to/seatwise}
shift
target=${CARGO_TARGET_DIR:-$PWD/target}
venv="$target/tools/schemathesis-venv"
if ! cmp -s tests/schemathesis/requirements.txt "$venv/requirements.installed"; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r tests/schemathesis/requirements.txt
  cp tests/schemathesis/requirements.txt "$venv/requirements.installed"
fi
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
RUST_LOG=warn "$bin" --database "sqlite://$work/seatwise.db" --bind "127.0.0.1:$port" --demo \
  --demo-password schemathesis-demo --job-interval 0 >"$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 300); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done
csrf=$(curl -sf -c "$work/jar" -H 'content-type: application/json' \
  -d '{"email":"admin@example.com","password":"schemathesis-demo"}' "$base/api/v1/session" \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["csrf_token"])')
token=$(curl -sf -b "$work/jar" -H "X-CSRF-Token: $csrf" -H 'content-type: application/json' \
  -d '{"name":"schemathesis"}' "$base/api/v1/tokens" | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
status=0
"$venv/bin/schemathesis" run "$base/api/v1/openapi.json" --url "$base" \
  -H "Authorization: Bearer $token" --checks all \
  --exclude-checks ignored_auth,positive_data_acceptance,negative_data_rejection,unsupported_method,missing_required_header \
  --max-examples "${SCHEMATHESIS_EXAMPLES:-20}" --workers 2 --seed 1 --no-color "$@" || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- server log (errors)" >&2
  grep -E 'ERROR|panicked' "$work/server.log" | tail -40 >&2 || true
fi
exit "$status"
