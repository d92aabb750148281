#!/usr/bin/env bash
# HTTP benchmark: the release server on a generated large company, loaded by wrk (Debian) from the same machine,
# reporting p50 and p99 per endpoint. See BENCHMARKS.md.
#   scripts/bench.sh                      # SQLite file under target/bench
#   BENCH_DATABASE_URL=postgres://... scripts/bench.sh
#   BENCH_ONLY='search|calendar' scripts/bench.sh     # only the endpoints whose name matches
#   BENCH_BIN=path/to/seatwise scripts/bench.sh       # another build (e.g. the one before a change); no cargo build
#   BENCH_NO_CLI=1 scripts/bench.sh                   # HTTP only (by default the same SQL then runs in the CLI)
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-$PWD/target}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
mkdir -p "$target/bench"
db=${BENCH_DATABASE_URL:-sqlite://$target/bench/seatwise.db}
duration=${BENCH_SECONDS:-10}
connections=${BENCH_CONNECTIONS:-4}
only=${BENCH_ONLY:-.}
if [ -z "${BENCH_BIN:-}" ]; then
  cargo build --release -p seatwise-server >&2
fi
bin=${BENCH_BIN:-$target/release/seatwise}

# Generating refuses a non-empty database, so a second run reuses the data. Every pool gets a contract, so the
# calendar has a realistic load (5,000 contracts ending over 16 months).
if "$bin" generate --database "$db" --people "${BENCH_PEOPLE:-100000}" --pools "${BENCH_POOLS:-5000}" \
    --assignments "${BENCH_ASSIGNMENTS:-1000000}" --contracts 2>&1 | tee "$target/bench/generate.log" >&2; then :; fi

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
# The calendar from the first of this month: three months (the default) and thirteen; one day in full, the busiest
# of the coming year (the same day on every backend, since the data are seeded).
month=$(date +%Y-%m-01)
year_end=$(date -d "$month +13 months -1 day" +%F)
busiest=${BENCH_DAY:-$(curl -sf -H "$auth" "$base/api/v1/calendar?from=$month&to=$year_end" | python3 -c '
import collections, json, sys
c = json.load(sys.stdin)
days = [(d["total"], d["date"]) for d in c["days"]] if "days" in c else \
    [(n, d) for d, n in collections.Counter(e["date"] for e in c["events"]).items()]
print(min(days, key=lambda t: (-t[0], t[1]))[1])')}

# The cost centre with the most spend, for the dashboard filtered to one.
cost_centre=$(curl -sf -H "$auth" "$base/api/v1/finance/summary" | python3 -c '
import json, sys
s = json.load(sys.stdin)
print(max(s["by_cost_centre"], key=lambda c: c["annual_spend"]["amount_minor"])["id"])')

printf '| endpoint (%s, %s connections) | requests/s | p50 | p99 | body |\n|---|---|---|---|---|\n' "${db%%://*}" "$connections"
for spec in \
  "list|/api/v1/pools" \
  "filtered|/api/v1/pools?vendor_id=$vendor&expiring_within_days=365" \
  "sorted|/api/v1/pools?sort=-utilization" \
  "detail|/api/v1/pools/$biggest/detail" \
  "search|/api/v1/people?q=smith" \
  "search-hit|/api/v1/people?q=person4242" \
  "calendar-3|/api/v1/calendar" \
  "calendar-13|/api/v1/calendar?from=$month&to=$year_end" \
  "calendar-day|/api/v1/calendar/events?date=$busiest" \
  "finance|/api/v1/finance/summary" \
  "finance-cc|/api/v1/finance/summary?cost_centre_id=$cost_centre" \
  "finance-pools|/api/v1/finance/pools?sort=-waste_annual" \
  "finance-xlsx|/api/v1/finance/export.xlsx"; do
  name=${spec%%|*}
  path=${spec#*|}
  [[ $name =~ $only ]] || continue
  status=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' -H "$auth" "$base$path")
  if [ "${status%% *}" != 200 ]; then
    printf '| %s `%s` | — (HTTP %s) | | | |\n' "$name" "$path" "${status%% *}"
    continue
  fi
  out=$(wrk -t1 -c"$connections" -d"${duration}s" --latency -H "$auth" "$base$path")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  printf '| %s `%s` | %s | %s | %s | %s B |\n' "$name" "$path" "$rps" "$p50" "$p99" "${status#* }"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
# The same statements in the database's own CLI, as many at once as there were connections.
if [ -z "${BENCH_NO_CLI:-}" ]; then
  echo
  BENCH_VENDOR=$vendor BENCH_POOL=$biggest BENCH_DAY=$busiest BENCH_CONNECTIONS=$connections python3 scripts/bench-cli.py "$db"
fi
