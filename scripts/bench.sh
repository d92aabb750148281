#!/usr/bin/env bash
# HTTP benchmark of the inventory endpoints: the release server on a generated large company, loaded by wrk
# (Debian) from the same machine, reporting p50 and p99 per endpoint. See BENCHMARKS.md.
#   scripts/bench.sh                      # SQLite file under target/bench
#   BENCH_DATABASE_URL=postgres://... scripts/bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-$PWD/target}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
mkdir -p "$target/bench"
db=${BENCH_DATABASE_URL:-sqlite://$target/bench/seatwise.db}
duration=${BENCH_SECONDS:-10}
connections=${BENCH_CONNECTIONS:-4}
cargo build --release -p seatwise-server >&2
bin="$target/release/seatwise"

# Generating refuses a non-empty database, so a second run reuses the data.
if "$bin" generate --database "$db" --people "${BENCH_PEOPLE:-100000}" --pools "${BENCH_POOLS:-5000}" \
    --assignments "${BENCH_ASSIGNMENTS:-1000000}" 2>&1 | tee "$target/bench/generate.log" >&2; then :; fi

port=18087
SEATWISE_ADMIN_EMAIL=bench@example.com SEATWISE_ADMIN_PASSWORD=bench-password-1 RUST_LOG=warn \
  "$bin" --database "$db" --bind "127.0.0.1:$port" >/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.2; done

jar=$(mktemp)
csrf=$(curl -sf -c "$jar" -H 'content-type: application/json' \
  -d '{"email":"bench@example.com","password":"bench-password-1"}' "$base/api/v1/session" | sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p')
token=$(curl -sf -b "$jar" -H 'content-type: application/json' -H "X-CSRF-Token: $csrf" -d '{"name":"bench"}' \
  "$base/api/v1/tokens" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
auth="Authorization: Bearer $token"
vendor=$(curl -sf -H "$auth" "$base/api/v1/pools?per_page=1" | sed -n 's/.*"vendor":{"id":\([0-9]*\).*/\1/p')
biggest=$(curl -sf -H "$auth" "$base/api/v1/pools?per_page=1&sort=-seats_assigned" | sed -n 's/^{"items":\[{"id":\([0-9]*\).*/\1/p')

printf '| endpoint (%s) | requests/s | p50 | p99 |\n|---|---|---|---|\n' "${db%%://*}"
for spec in \
  "list|/api/v1/pools" \
  "filtered|/api/v1/pools?vendor_id=$vendor&expiring_within_days=365" \
  "sorted|/api/v1/pools?sort=-utilization" \
  "detail|/api/v1/pools/$biggest/detail"; do
  name=${spec%%|*}
  path=${spec#*|}
  out=$(wrk -t1 -c"$connections" -d"${duration}s" --latency -H "$auth" "$base$path")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  printf '| %s `%s` | %s | %s | %s |\n' "$name" "$path" "$rps" "$p50" "$p99"
done
