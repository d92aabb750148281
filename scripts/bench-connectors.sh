#!/usr/bin/env bash
# Seat actions at scale (BENCHMARKS.md, "Connectors"): 10,000 removals through a SCIM connector against PyPI's
# scim2-server (pinned in tests/connectors), with the server SIGKILLed mid-delivery and started again.
#   1. A generated company of 11,600 people holding one seat each in one pool, their sign-ins old; the same
#      accounts, active, in scim2-server; a SCIM connector on the pool (deactivate).
#   2. A policy run takes back the seats of everyone active (a little over 10,000); the server's background work
#      delivers the actions.
#   3. Once 3,000 are confirmed, the server is killed with SIGKILL and started again; delivery resumes.
#   4. At the end: every action confirmed, every account inactive, and no account sent PATCH twice (counted in
#      scim2-server's own request log).
#   BENCH_BIN=path/to/seatwise scripts/bench-connectors.sh   # another build; no cargo build
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-$PWD/target}
# People holding one seat each; the policy takes those active and signed in long ago (about 86%: leavers, people
# on leave and new seats stay), a little over 10,000 by default.
n=${PEOPLE:-11600}
kill_at=${KILL_AT:-3000}
if [ -z "${BENCH_BIN:-}" ]; then
  cargo build --release -p seatwise-server >&2
fi
bin=${BENCH_BIN:-$target/release/seatwise}
scim="$target/tools/scim-server-venv/bin/scim2-server"
[ -x "$scim" ] || { echo "scim2-server is missing: run scripts/setup.sh test" >&2; exit 1; }
work="$target/bench/connectors"
rm -rf "$work" && mkdir -p "$work"
db="sqlite://$work/seatwise.db"
"$bin" generate --database "$db" --people "$n" --pools 1 --assignments "$n" --products 1 --no-usage 2>&1 | tail -1 >&2

scim_port=18091
token=bench-scim-token
"$scim" --hostname 127.0.0.1 --port "$scim_port" --bearer-token "$token" >"$work/scim.log" 2>&1 &
scim_pid=$!
for _ in $(seq 1 100); do curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$scim_port/ServiceProviderConfig" >/dev/null && break; sleep 0.2; done
port=18090
key=$(python3 -c 'import base64; print(base64.b64encode(bytes([7]) * 32).decode())')
start_server() {
  SEATWISE_ADMIN_EMAIL=bench@example.com SEATWISE_ADMIN_PASSWORD=bench-password-1 SEATWISE_CREDENTIALS_KEY=$key \
    SEATWISE_JOB_INTERVAL=1 RUST_LOG=${RUST_LOG:-warn} \
    "$bin" --database "$db" --bind "127.0.0.1:$port" --import-timeout 3600 --request-timeout 600 >>"$work/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return; sleep 0.2; done
  echo "the server did not start:" >&2; cat "$work/server.log" >&2; exit 1
}
pid=
trap 'kill $pid $scim_pid 2>/dev/null || true' EXIT
start_server
base="http://127.0.0.1:$port"
jar="$work/cookies"
login() {
  csrf=$(curl -sf -c "$jar" -H 'content-type: application/json' \
    -d '{"email":"bench@example.com","password":"bench-password-1"}' "$base/api/v1/session" | sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p')
}
login
call() { curl -sf -b "$jar" -H "X-CSRF-Token: $csrf" "$@"; }
now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.1f}')"; }

# The accounts in the app, and sign-ins long ago for every seat.
python3 - "$n" "$scim_port" "$token" "$work/signin.csv" <<'PY'
import http.client, json, sys
n, port, token, csv = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
c = http.client.HTTPConnection("127.0.0.1", port)
for i in range(n):
    body = json.dumps({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                       "userName": f"person{i}@bench.example.com", "active": True})
    c.request("POST", "/Users", body, {"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"})
    r = c.getresponse(); r.read()
    assert r.status == 201, r.status
with open(csv, "w") as f:
    f.write("email,pool,last_used_at\n")
    for i in range(n):
        f.write(f"person{i}@bench.example.com,1,2026-01-15\n")
PY
preview=$(call -H 'content-type: text/csv' --data-binary @"$work/signin.csv" \
  "$base/api/v1/imports/usage?source=signin-log&read_at=2026-12-01T06:00:00Z")
id=$(echo "$preview" | sed -n 's/.*"id":\([0-9]*\).*/\1/p')
call -X POST -H 'content-type: application/json' -d '{}' "$base/api/v1/imports/$id/apply" >/dev/null
call -H 'content-type: application/json' -d "{\"kind\":\"scim\",\"name\":\"Bench SCIM\",\"base_url\":\"http://127.0.0.1:$scim_port\",
  \"credentials\":{\"bearer_token\":\"$token\"},\"pool_ids\":[1],\"removal\":\"deactivate\"}" "$base/api/v1/connectors" >/dev/null
policy=$(call -H 'content-type: application/json' -d '{"name":"Bench: 90 days","pool_id":1,"action":"reclaim",
  "conditions":{"inactive_days":90,"never_used":true,"grace_days":0}}' "$base/api/v1/reclamation/policies" |
  sed -n 's/^{"id":\([0-9]*\).*/\1/p')

t0=$(now)
run=$(call -X POST "$base/api/v1/reclamation/policies/$policy/run")
t1=$(now)
actions=$(echo "$run" | sed -n 's/.*"reclaimed":\([0-9]*\).*/\1/p')
echo "| policy run over $n seats: $actions taken back, $actions actions queued | $(secs "$t0" "$t1") s |"
confirmed() { call "$base/api/v1/connectors/1/actions?status=confirmed&per_page=1" | sed -n 's/.*"total":\([0-9]*\).*/\1/p'; }
killed=no
while :; do
  done_now=$(confirmed || echo 0)
  if [ "$killed" = no ] && [ "${done_now:-0}" -ge "$kill_at" ]; then
    t_kill=$(now)
    kill -9 "$pid"; wait "$pid" 2>/dev/null || true
    echo "| SIGKILL with $done_now confirmed | at $(secs "$t1" "$t_kill") s |"
    start_server; login
    killed=yes
  fi
  [ "${done_now:-0}" -ge "$actions" ] && break
  sleep 1
done
t2=$(now)
echo "| all $actions actions confirmed | $(secs "$t1" "$t2") s after the run | $(python3 -c "print(f'{$actions / ($t2 - $t1):.0f}')") actions/s, restart included |"

# Every account inactive, and none sent PATCH twice (scim2-server logs each request).
python3 - "$n" "$actions" "$scim_port" "$token" "$work/scim.log" <<'PY'
import collections, http.client, json, re, sys
n, actions, port, token, log = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
c = http.client.HTTPConnection("127.0.0.1", port)
c.request("GET", "/Users?filter=active%20eq%20true&count=1", headers={"Authorization": f"Bearer {token}"})
active = json.loads(c.getresponse().read())["totalResults"]
patches = collections.Counter(re.findall(r'"PATCH (/Users/\S+) HTTP', open(log).read()))
twice = sum(1 for v in patches.values() if v > 1)
print(f"| accounts active at the end | {active} (the {n - actions} seats the policy kept) | PATCH sent to "
      f"{len(patches)} accounts, to {twice} twice |")
sys.exit(0 if active == n - actions and twice == 0 else 1)
PY
