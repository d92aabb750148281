#!/usr/bin/env bash
# Import throughput: a generated HR export (default 200,000 rows) uploaded to a release server on a fresh
# database, previewed and applied over HTTP; prints rows/s for each step. See BENCHMARKS.md.
#   BENCH_BIN=path/to/seatwise scripts/bench-import.sh   # another build (e.g. the one before a change); no cargo build
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-$PWD/target}
rows=${ROWS:-200000}
if [ -z "${BENCH_BIN:-}" ]; then
  cargo build --release -p seatwise-server >&2
fi
bin=${BENCH_BIN:-$target/release/seatwise}
work="$target/bench/import"
rm -rf "$work" && mkdir -p "$work"
python3 - "$rows" > "$work/hr.csv" <<'PY'
import sys
n = int(sys.argv[1])
depts = ["Engineering", "Sales", "Marketing", "Finance", "People", "Support", "Design", "Operations"]
print("employee_id,first_name,last_name,email,department,cost_centre,manager_employee_id,employment_type,status,start_date,end_date")
for i in range(n):
    d = depts[i % len(depts)]
    status = "terminated" if i % 50 == 0 else ("on_leave" if i % 97 == 0 else "active")
    end = "2026-06-30" if status == "terminated" else ""
    manager = f"E{(i // 20) * 20:07d}" if i % 20 else ""
    kind = "contractor" if i % 9 == 0 else "employee"
    print(f"E{i:07d},First{i},Last{i},person{i}@bench.example.com,{d},CC-{100 + i % 40},{manager},{kind},{status},2020-01-{1 + i % 28:02d},{end}")
PY
db=${BENCH_DATABASE_URL:-sqlite://$work/seatwise.db}
port=18088
SEATWISE_ADMIN_EMAIL=bench@example.com SEATWISE_ADMIN_PASSWORD=bench-password-1 RUST_LOG=${RUST_LOG:-warn} \
  "$bin" --database "$db" --bind "127.0.0.1:$port" >"$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
base="http://127.0.0.1:$port"
for _ in $(seq 1 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.2; done
kill -0 "$pid" 2>/dev/null || { echo "the server did not start:" >&2; cat "$work/server.log" >&2; exit 1; }
jar="$work/cookies"
csrf=$(curl -sf -c "$jar" -H 'content-type: application/json' \
  -d '{"email":"bench@example.com","password":"bench-password-1"}' "$base/api/v1/session" | sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p')
size=$(du -h "$work/hr.csv" | cut -f1)
# The server's peak resident memory during each step (the kernel's high-water mark, reset before the step), in kB.
reset_peak() { echo 5 > "/proc/$pid/clear_refs" 2>/dev/null || true; }
peak() { awk '/^VmHWM:/ {print $2}' "/proc/$pid/status"; }
reset_peak
t0=$(date +%s.%N)
preview=$(curl -sf -b "$jar" -H "X-CSRF-Token: $csrf" -H 'content-type: text/csv' --data-binary @"$work/hr.csv" "$base/api/v1/imports/hr?filename=hr.csv")
t1=$(date +%s.%N)
m1=$(peak); reset_peak
id=$(echo "$preview" | sed -n 's/.*"id":\([0-9]*\).*/\1/p')
curl -sf -b "$jar" -H "X-CSRF-Token: $csrf" -X POST "$base/api/v1/imports/$id/apply" >/dev/null
t2=$(date +%s.%N)
m2=$(peak); reset_peak
again=$(curl -sf -b "$jar" -H "X-CSRF-Token: $csrf" -H 'content-type: text/csv' --data-binary @"$work/hr.csv" "$base/api/v1/imports/hr?filename=hr.csv")
t3=$(date +%s.%N)
m3=$(peak)
python3 - "$rows" "$size" "$t0" "$t1" "$t2" "$t3" "${db%%://*}" "$m1" "$m2" "$m3" <<'PY'
import sys
rows, size, t0, t1, t2, t3, backend = int(sys.argv[1]), sys.argv[2], *map(float, sys.argv[3:7]), sys.argv[7]
peaks = [int(m) / 1024 for m in sys.argv[8:11]]
print(f"| HR import, {rows:,} rows ({size}), {backend} | seconds | rows/s | peak resident memory |\n|---|---|---|---|")
steps = [("upload + preview", t0, t1), ("apply (all new people)", t1, t2), ("re-upload + preview (no changes)", t2, t3)]
for (name, a, b), peak in zip(steps, peaks):
    print(f"| {name} | {b - a:.1f} | {rows / (b - a):,.0f} | {peak:,.0f} MB |")
PY
