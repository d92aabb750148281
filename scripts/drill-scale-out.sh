#!/usr/bin/env bash
# The scale-out drill (RELIABILITY.md): nginx in front of two Seatwise servers on one PostgreSQL database, a load of
# reads and writes, one server killed with SIGKILL mid-load and started again, then a check of every acknowledged
# write, the ledger, the daily jobs and the mail. Installs nginx and PostgreSQL from Debian's packages if missing,
# builds the release server unless SEATWISE_BIN names one, and uses a fresh database `seatwise_drill`.
#
#   scripts/drill-scale-out.sh                      # 180 s of load, 6 workers, server b killed at 40% for 10 s
#   DRILL_SECONDS=60 DRILL_WORKERS=4 scripts/drill-scale-out.sh
#
# Prints a JSON report (also in $DRILL_WORK/report.json, beside the servers' and nginx's logs) and exits non-zero
# when an acknowledged write is missing, a job ran twice, a mail went twice or the ledger does not verify.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

if ! command -v nginx >/dev/null; then
  echo "installing nginx from Debian packages..." >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >&2
fi

bin=${SEATWISE_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release -p seatwise-server >&2
  bin="${CARGO_TARGET_DIR:-$root/target}/release/seatwise"
fi

admin_url=$(scripts/postgres.sh)
runuser -u postgres -- psql -qAt -c "DROP DATABASE IF EXISTS seatwise_drill" >/dev/null
runuser -u postgres -- psql -qAt -c "CREATE DATABASE seatwise_drill OWNER seatwise" >/dev/null
db_url="${admin_url%/postgres}/seatwise_drill"

work=${DRILL_WORK:-$(mktemp -d /tmp/seatwise-drill.XXXXXX)}
echo "drill: logs and report in $work" >&2
exec python3 scripts/drill_scale_out.py --bin "$bin" --db "$db_url" --work "$work" \
  --seconds "${DRILL_SECONDS:-180}" --workers "${DRILL_WORKERS:-6}" --down "${DRILL_DOWN:-10}"
