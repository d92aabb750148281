#!/usr/bin/env bash
# Fuzz every operation of the OpenAPI document with schemathesis (PyPI, pinned in tests/schemathesis) as an admin of
# the demo company, against the real server binary on a fresh SQLite database, with every check on (settings in
# tests/schemathesis/schemathesis.toml). A fixed seed and number of examples keep it deterministic in `./test`;
# scripts/fuzz-api.sh runs it with random seeds (SCHEMATHESIS_SEED) before a release.
#   scripts/schemathesis.sh path/to/seatwise [extra schemathesis options]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:?usage: scripts/schemathesis.sh path/to/seatwise}
shift
source scripts/lib/server.sh
venv="$target/tools/schemathesis-venv"
pinned_venv "$venv" tests/schemathesis/requirements.txt
start_server "$bin" --demo --demo-password schemathesis-demo
login admin@example.com schemathesis-demo
token=$(post /api/v1/tokens '{"name":"schemathesis"}' | json_field token)
SCHEMATHESIS_SPARE_TOKEN_ID=$(post /api/v1/tokens '{"name":"spare, for DELETE /tokens/{id}"}' | json_field id)
export SCHEMATHESIS_SPARE_TOKEN_ID
status=0
# One worker: CPython 3.11 before 3.11.8 can fail parsing in two threads at once ("AST constructor recursion depth
# mismatch"), and one worker sends the requests in one order.
"$venv/bin/schemathesis" --config-file "${SCHEMATHESIS_CONFIG:-tests/schemathesis/schemathesis.toml}" run "$base/api/v1/openapi.json" \
  --url "$base" -H "Authorization: Bearer $token" --checks all \
  --max-examples "${SCHEMATHESIS_EXAMPLES:-20}" --seed "${SCHEMATHESIS_SEED:-1}" --workers 1 --no-color "$@" || status=$?
# A run that lost its credentials midway would pass on documented 401s alone.
if ! curl -sf -H "Authorization: Bearer $token" "$base/api/v1/me" >/dev/null; then
  echo "schemathesis: the admin's token no longer works after the run; its results prove nothing" >&2
  status=1
fi
if [ "$status" -ne 0 ]; then
  echo "--- server log (errors)" >&2
  server_errors
fi
exit "$status"
