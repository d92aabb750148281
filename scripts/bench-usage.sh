#!/usr/bin/env bash
# Usage data and policies at scale (BENCHMARKS.md, "Usage data and policies"): a generated company whose pools are
# all of one product (100,000 people, 5,000 pools, 1,000,000 seats, sign-in data for most seats from two sources),
# served by a release build; then over HTTP
#   1. a 1,000,000-row sign-in file (100,000 people × 10 pools, one source) uploaded and applied, and the same
#      source's next file (every row again, newer) uploaded and applied: the second replaces the first's signals;
#   2. a policy over the whole product: its dry run (first page) and its run.
#   BENCH_DATABASE_URL=postgres://… scripts/bench-usage.sh   # on PostgreSQL (a fresh, empty database)
#   BENCH_BIN=path/to/seatwise scripts/bench-usage.sh        # another build; no cargo build
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-$PWD/target}
rows=${ROWS:-1000000}
if [ -z "${BENCH_BIN:-}" ]; then
  cargo build --release -p seatwise-server >&2
fi
bin=${BENCH_BIN:-$target/release/seatwise}
work="$target/bench/usage"
rm -rf "$work" && mkdir -p "$work"
db=${BENCH_DATABASE_URL:-sqlite://$work/seatwise.db}
"$bin" generate --database "$db" --people 100000 --pools 5000 --assignments 1000000 --products 1 2>&1 | tail -1 >&2

# One row per (person, pool) for the ten largest pools (ids 1..10), last use within the past 200 days.
python3 - "$rows" "$work/signin-1.csv" "$work/signin-2.csv" <<'PY'
import sys
n, first, second = int(sys.argv[1]), sys.argv[2], sys.argv[3]
for path, shift in ((first, 0), (second, 1)):
    with open(path, "w") as f:
        f.write("email,pool,last_used_at\n")
        for j in range(n):
            person, pool = j % 100000, 1 + j // 100000
            day = 1 + (j * 7 + shift) % 200
            f.write(f"person{person}@bench.example.com,{pool},2026-{1 + day // 31 % 11:02d}-{1 + day % 28:02d}\n")
PY

port=18089
SEATWISE_ADMIN_EMAIL=bench@example.com SEATWISE_ADMIN_PASSWORD=bench-password-1 RUST_LOG=${RUST_LOG:-warn} \
  "$bin" --database "$db" --bind "127.0.0.1:$port" --import-timeout 3600 --request-timeout 600 >"$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.2; done
kill -0 "$pid" 2>/dev/null || { echo "the server did not start:" >&2; cat "$work/server.log" >&2; exit 1; }
jar="$work/cookies"
csrf=$(curl -sf -c "$jar" -H 'content-type: application/json' \
  -d '{"email":"bench@example.com","password":"bench-password-1"}' "$base/api/v1/session" | sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p')
call() { curl -sf -b "$jar" -H "X-CSRF-Token: $csrf" "$@"; }
now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }

for n in 1 2; do
  read_at="2026-12-0${n}T06:00:00Z"
  t0=$(now)
  preview=$(call -H 'content-type: text/csv' --data-binary @"$work/signin-$n.csv" \
    "$base/api/v1/imports/usage?source=signin-log&read_at=$read_at")
  t1=$(now)
  id=$(echo "$preview" | sed -n 's/.*"id":\([0-9]*\).*/\1/p')
  call -X POST -H 'content-type: application/json' -d '{}' "$base/api/v1/imports/$id/apply" >/dev/null
  t2=$(now)
  echo "| sign-in file $n ($rows rows) | upload + preview $(secs "$t0" "$t1") s | apply $(secs "$t1" "$t2") s |"
done

policy=$(call -H 'content-type: application/json' -d '{"name":"Bench: 90 days or never","product_id":1,"action":"reclaim",
  "conditions":{"inactive_days":90,"never_used":true,"grace_days":30}}' "$base/api/v1/reclamation/policies" |
  sed -n 's/^{"id":\([0-9]*\).*/\1/p')
for _ in 1 2 3; do
  t0=$(now)
  dry=$(call "$base/api/v1/reclamation/policies/$policy/dry-run?per_page=50")
  t1=$(now)
  echo "| dry run over the product | $(secs "$t0" "$t1") s | $(echo "$dry" | sed -n 's/.*"total":\([0-9]*\).*/\1/p') seats selected |"
done
t0=$(now)
run=$(call -X POST "$base/api/v1/reclamation/policies/$policy/run")
t1=$(now)
echo "| run | $(secs "$t0" "$t1") s | $run |"
