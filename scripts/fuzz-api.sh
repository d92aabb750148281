#!/usr/bin/env bash
# Before a release: fuzz the whole API with schemathesis on random seeds for a while, on a fresh demo company
# each round, on SQLite and (with --postgres) on PostgreSQL too. `./test` runs one fixed seed; this looks further.
#   scripts/fuzz-api.sh path/to/seatwise [minutes=10] [--postgres]
# Each round prints its seed; a failing one is kept in target/fuzz-api/ with the seed to replay it:
#   SCHEMATHESIS_CONFIG=target/fuzz-api/schemathesis.toml SCHEMATHESIS_SEED=<seed> scripts/schemathesis.sh path/to/seatwise
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:?usage: scripts/fuzz-api.sh path/to/seatwise [minutes] [--postgres]}
minutes=${2:-10}
postgres=${3:-}
target=${CARGO_TARGET_DIR:-$PWD/target}
out="$target/fuzz-api"
mkdir -p "$out"
# The checked-in settings generate deterministically (the same cases every run); here each seed is its own run.
sed 's/^deterministic = true/deterministic = false/' tests/schemathesis/schemathesis.toml >"$out/schemathesis.toml"
export SCHEMATHESIS_CONFIG="$out/schemathesis.toml"
deadline=$(( $(date +%s) + minutes * 60 ))
rounds=0
failed=0
while [ "$(date +%s)" -lt "$deadline" ]; do
  seed=$(python3 -c 'import secrets; print(secrets.randbelow(2**31))')
  database=sqlite
  unset SEATWISE_CHECK_DATABASE_URL
  if [ "$postgres" = --postgres ] && [ $((rounds % 2)) -eq 1 ]; then
    admin_url=$(scripts/postgres.sh)
    name="seatwise_fuzz_$seed"
    runuser -u postgres -- psql -qc "CREATE DATABASE $name OWNER seatwise" >/dev/null
    export SEATWISE_CHECK_DATABASE_URL="${admin_url%/postgres}/$name"
    database=postgres
  fi
  echo "== round $((rounds + 1)): seed $seed on $database" >&2
  if SCHEMATHESIS_SEED=$seed SCHEMATHESIS_EXAMPLES=${SCHEMATHESIS_EXAMPLES:-30} scripts/schemathesis.sh "$bin" \
    >"$out/round.log" 2>&1; then
    echo "   passed" >&2
  else
    failed=$((failed + 1))
    cp "$out/round.log" "$out/failed-seed-$seed-$database.log"
    echo "   FAILED: $out/failed-seed-$seed-$database.log" >&2
  fi
  if [ "$database" = postgres ]; then
    runuser -u postgres -- psql -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null || true
  fi
  rounds=$((rounds + 1))
done
echo "fuzz-api: $rounds rounds, $failed failed" >&2
[ "$failed" -eq 0 ]
