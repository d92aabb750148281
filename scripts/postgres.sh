#!/usr/bin/env bash
# Start a local PostgreSQL (Debian package) for the test suite and print its admin URL.
# Idempotent: installs the package if missing, starts the cluster if stopped, creates the test role once.
set -euo pipefail

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  echo "installing PostgreSQL from Debian packages..." >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -n1)
if ! pg_lsclusters -h | grep -q "^$version main"; then
  pg_createcluster "$version" main >&2
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
  pg_ctlcluster "$version" main start >&2
fi
for _ in $(seq 1 30); do
  if runuser -u postgres -- psql -qAtc 'SELECT 1' >/dev/null 2>&1; then break; fi
  sleep 1
done
runuser -u postgres -- psql -qAt >/dev/null <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'seatwise') THEN
    CREATE ROLE seatwise LOGIN CREATEDB PASSWORD 'seatwise';
  END IF;
END $$;
SQL
port=$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')
echo "postgres://seatwise:seatwise@127.0.0.1:${port}/postgres"
