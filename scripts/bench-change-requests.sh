#!/usr/bin/env bash
# A change request of 50,000 operations on the 1,000,000-seat company (a copy of scripts/bench.sh's database, so
# the load benchmark's data stay as generated): 25,000 seats given back and 25,000 given to people who hold none
# on that pool, sent as CSV; then submitted, approved by a second admin, and applied. Prints each step's time.
#   scripts/bench-change-requests.sh                       # SQLite
#   BENCH_DATABASE_URL=postgres://... scripts/bench-change-requests.sh   # a PostgreSQL database to use (changed!)
#   BENCH_BIN=path/to/seatwise BENCH_OPERATIONS=10000 scripts/bench-change-requests.sh
# See BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-$PWD/target}
if [ -z "${BENCH_BIN:-}" ]; then
  cargo build --release -p seatwise-server >&2
fi
bin=${BENCH_BIN:-$target/release/seatwise}
n=${BENCH_OPERATIONS:-50000}
work="$target/bench/changes"
mkdir -p "$work"
if [ -z "${BENCH_DATABASE_URL:-}" ]; then
  [ -f "$target/bench/seatwise.db" ] || { echo "run scripts/bench.sh once first: it generates the data" >&2; exit 1; }
  rm -f "$work"/seatwise.db*
  sqlite3 "$target/bench/seatwise.db" ".backup '$work/seatwise.db'"
  db="sqlite://$work/seatwise.db"
else
  db=$BENCH_DATABASE_URL
fi
port=18089
SEATWISE_ADMIN_EMAIL=bench@example.com SEATWISE_ADMIN_PASSWORD=bench-password-1 RUST_LOG=warn \
  "$bin" --database "$db" --bind "127.0.0.1:$port" >"$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.2; done
kill -0 "$pid" 2>/dev/null || { echo "the server did not start:" >&2; cat "$work/server.log" >&2; exit 1; }
# The first background tick (the daily renewal run over 5,000 contracts) holds the write connection for several
# seconds; the steps are measured after it, not queued behind it (BENCHMARKS.md, "Change requests").
sleep "${BENCH_SETTLE:-20}"
token_of() {
  local jar csrf
  jar=$(mktemp)
  csrf=$(curl -sf -c "$jar" -H 'content-type: application/json' -d "{\"email\":\"$1\",\"password\":\"bench-password-1\"}" \
    "$base/api/v1/session" | sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p')
  curl -sf -b "$jar" -H 'content-type: application/json' -H "X-CSRF-Token: $csrf" -d '{"name":"bench"}' \
    "$base/api/v1/tokens" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p'
}
admin=$(token_of bench@example.com)
# The approver: another admin (a requester never approves their own request).
curl -s -o /dev/null -H "Authorization: Bearer $admin" -H 'content-type: application/json' \
  -d '{"email":"approver@bench.example.com","name":"Bench Approver","password":"bench-password-1","roles":["approver"]}' \
  "$base/api/v1/users"
approver=$(token_of approver@bench.example.com)

# The operations, from the database itself: seats to give back, and for each the same pool to someone without one.
python3 - "$db" "$n" > "$work/changes.csv" <<'PY'
import random, subprocess, sys
db, n = sys.argv[1], int(sys.argv[2])
half = n // 2 - 1  # room for the pools that need more seats first


def query(sql):
    if db.startswith("sqlite:"):
        command = ["sqlite3", "-csv", db.split("://", 1)[1], sql]
    else:
        command = ["psql", db, "-At", "-F,", "-c", sql]
    return [line.split(",") for line in subprocess.run(command, capture_output=True, text=True, check=True).stdout.split()]


emails = {int(i): e for i, e in query("SELECT id, email FROM people")}
held = {(int(p), int(q)) for p, q in query("SELECT pool_id, person_id FROM seat_assignments WHERE person_id IS NOT NULL")}
seats = [(int(p), int(q)) for p, q in query(
    f"SELECT pool_id, person_id FROM seat_assignments WHERE person_id IS NOT NULL ORDER BY id LIMIT {half}")]
# Seats go to people who have not left (a terminated person cannot get one).
active = sorted(int(row[0]) for row in query("SELECT id FROM people WHERE status <> 'terminated'"))
rng, given, ids = random.Random(42), set(), active
print("op,pool,person,seats_purchased")
# Over-assigned pools (the generator fills some past 100%) first get seats for everyone they will hold.
counts = {int(p): (int(b or 0), int(a)) for p, b, a in query("SELECT id, COALESCE(seats_purchased, 0), seats_assigned FROM pools")}
for pool in sorted({p for p, _ in seats}):
    bought, assigned = counts[pool]
    if assigned > bought:
        print(f"set_seats,{pool},,{assigned}")
for pool, person in seats:
    print(f"unassign,{pool},{emails[person]},")
for pool, _ in seats:
    while True:
        other = rng.choice(ids)
        if (pool, other) not in held and (pool, other) not in given:
            given.add((pool, other))
            break
    print(f"assign,{pool},{emails[other]},")
PY
echo "$(( $(wc -l < "$work/changes.csv") - 1 )) operations" >&2

step() {
  local name=$1 started ended
  shift
  started=$(date +%s.%N)
  "$@" > "$work/$name.json"
  ended=$(date +%s.%N)
  python3 -c "import json,sys; b=json.load(open(sys.argv[1])); e=b.get('errors') or b.get('error',{}).get('fields') or []
print(f'| {sys.argv[2]} | {float(sys.argv[4]) - float(sys.argv[3]):.2f} s | {b.get(\"status\", b.get(\"error\",{}).get(\"code\"))} | {len(e)} errors |')" \
    "$work/$name.json" "$name" "$started" "$ended"
}
auth() { echo "Authorization: Bearer $1"; }
printf '| step (%s, %s operations) | time | status | errors |\n|---|---|---|---|\n' "${db%%://*}" \
  "$(( $(wc -l < "$work/changes.csv") - 1 ))"
step "upload + check + preview" curl -s -H "$(auth "$admin")" -H 'content-type: text/csv' --data-binary @"$work/changes.csv" \
  "$base/api/v1/change-requests/csv?title=Bench&reason=Benchmark"
id=$(python3 -c "import json; print(json.load(open('$work/upload + check + preview.json'))['id'])")
step "submit (checked again)" curl -s -X POST -H "$(auth "$admin")" "$base/api/v1/change-requests/$id/submit"
step "approve" curl -s -H "$(auth "$approver")" -H 'content-type: application/json' -d '{"comment":"bench"}' \
  "$base/api/v1/change-requests/$id/approve"
step "apply (checked again, written, ledgered)" curl -s -X POST -H "$(auth "$approver")" "$base/api/v1/change-requests/$id/apply"
