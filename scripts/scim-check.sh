#!/usr/bin/env bash
# Run scim2-tester (PyPI, pinned in tests/scim) against the real server binary twice: on an empty directory, and on
# the demo company's few hundred people (where a user just created must still be in an unfiltered list).
#   scripts/scim-check.sh path/to/seatwise
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:?usage: scripts/scim-check.sh path/to/seatwise}
source scripts/lib/server.sh
venv="$target/tools/scim-venv"
pinned_venv "$venv" tests/scim/requirements.txt
failed=0
# check WHAT ADMIN_EMAIL PASSWORD [server flags...]
check() {
  local what=$1 email=$2 password=$3
  shift 3
  start_server "$bin" "$@"
  login "$email" "$password"
  local token
  token=$(post /api/v1/scim/tokens '{"name":"scim2-tester"}' | json_field token)
  echo "--- scim2-tester against $what" >&2
  if ! "$venv/bin/python" tests/scim/check.py "$base" "$token"; then
    failed=1
    server_errors
  fi
}
password=scim-check-password
check "an empty directory" scim-admin@example.com "$password" --admin-email scim-admin@example.com --admin-password "$password"
check "the demo company" admin@example.com "$password" --demo --demo-password "$password"
exit "$failed"
