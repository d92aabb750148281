# Sourced by the scripts that hold the real server binary to outside checkers (scim-check.sh, schemathesis.sh):
# a virtualenv with exactly the pinned PyPI packages, servers on fresh SQLite databases, an admin's login.
# Expects to run from the repository root.

target=${CARGO_TARGET_DIR:-$PWD/target}
_pids=()
_dirs=()
_stop() {
  for p in "${_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${_pids[@]}"; do wait "$p" 2>/dev/null || true; done
  for d in "${_dirs[@]}"; do rm -rf "$d"; done
}
trap _stop EXIT

# pinned_venv DIR REQUIREMENTS: a virtualenv holding exactly these pins, rebuilt when the file changes.
pinned_venv() {
  local venv=$1 requirements=$2
  if ! cmp -s "$requirements" "$venv/requirements.installed"; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$venv/requirements.installed"
  fi
}

# start_server BIN [flags...]: the server on a fresh SQLite database (or on $SEATWISE_CHECK_DATABASE_URL, a fresh
# database the caller made) and a free port, background jobs off.
# Sets $base (its address) and $work (its directory: database, server.log, cookie jar).
start_server() {
  local bin=$1 port
  shift
  work=$(mktemp -d)
  _dirs+=("$work")
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  RUST_LOG=warn "$bin" --database "${SEATWISE_CHECK_DATABASE_URL:-sqlite://$work/seatwise.db}" --bind "127.0.0.1:$port" --job-interval 0 "$@" \
    >"$work/server.log" 2>&1 &
  _pids+=($!)
  base="http://127.0.0.1:$port"
  for _ in $(seq 1 300); do
    curl -sf "$base/healthz" >/dev/null && return 0
    sleep 0.1
  done
  echo "the server did not start:" >&2
  cat "$work/server.log" >&2
  return 1
}

# json_field NAME: one field of the JSON object on stdin.
json_field() {
  python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

# login EMAIL PASSWORD: a session in $work/jar; sets $csrf for the writes `post` makes.
login() {
  csrf=$(curl -sf -c "$work/jar" -H 'content-type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"$2\"}" "$base/api/v1/session" | json_field csrf_token)
}

# post PATH JSON: a write as the logged-in user; prints the response body.
post() {
  curl -sf -b "$work/jar" -H "X-CSRF-Token: $csrf" -H 'content-type: application/json' -d "$2" "$base$1"
}

# server_errors: what the last server logged at ERROR, for a failing run's report.
server_errors() {
  grep -E 'ERROR|panicked' "$work/server.log" | tail -40 >&2 || true
}
