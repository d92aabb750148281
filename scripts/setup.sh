#!/usr/bin/env bash
# Install what building and testing Seatwise needs, from registries only, pinned. Safe to run repeatedly.
#   scripts/setup.sh app   -> wasm target, Trunk, wasm-bindgen-cli (= Cargo.lock), wasm-opt, brotli
#   scripts/setup.sh test  -> the above plus Chromium, ChromeDriver, PostgreSQL and the e2e node packages
set -euo pipefail
mode=${1:-app}
root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
tools="$target/tools"
export PATH="$tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"

step() { printf '\n== %s\n' "$*" >&2; }

# The tools below are built from crates.io. Trunk's own release profile (fat LTO, one codegen unit) makes it the
# slowest part of a cold set-up on two cores; these tools' speed does not matter, their build time does.
quick_build=(env CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_OPT_LEVEL=1)

apt_packages=(brotli gzip)
if [ "$mode" = test ]; then
  apt_packages+=(chromium chromium-driver postgresql nginx)
fi
missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  step "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! rustup target list --installed | grep -q wasm32-unknown-unknown; then
  step "adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

# Trunk 0.22 needs a newer rustc than this toolchain; 0.21 is pinned.
if ! trunk --version 2>/dev/null | grep -q '^trunk 0\.21\.'; then
  step "installing Trunk 0.21"
  "${quick_build[@]}" cargo install trunk --version '~0.21' --locked
fi

# wasm-bindgen-cli must equal the wasm-bindgen in Cargo.lock and the pin in Trunk.toml.
bindgen=$(grep -A1 '^name = "wasm-bindgen"$' "$root/Cargo.lock" | sed -n 's/^version = "\(.*\)"/\1/p')
if ! grep -q "wasm_bindgen = \"$bindgen\"" "$root/Trunk.toml"; then
  echo "Trunk.toml [tools] wasm_bindgen must be $bindgen (the version in Cargo.lock)" >&2
  exit 1
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q " $bindgen\$"; then
  step "installing wasm-bindgen-cli $bindgen"
  "${quick_build[@]}" cargo install wasm-bindgen-cli --version "$bindgen"
fi

# Debian's binaryen is too old; npm's package ships a working wasm-opt 132.
if ! wasm-opt --version 2>/dev/null | grep -q 'version 132'; then
  step "installing wasm-opt (binaryen 132 from npm)"
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-audit --no-fund --silent binaryen@132.0.0
fi

if [ "$mode" = test ]; then
  # Reinstall when the lock file changes (a cached node_modules may predate new packages).
  if ! cmp -s "$root/tests/e2e/package-lock.json" "$root/tests/e2e/node_modules/.package-lock.json.installed"; then
    step "installing the end-to-end test packages"
    (cd "$root/tests/e2e" && npm ci --no-audit --no-fund --silent && cp package-lock.json node_modules/.package-lock.json.installed)
  fi
  # A virtualenv holding exactly the pins of a requirements file, rebuilt when the file changes.
  pinned() {
    local what=$1 venv=$2 requirements=$3
    if ! cmp -s "$requirements" "$venv/requirements.installed"; then
      step "installing $what"
      rm -rf "$venv"
      python3 -m venv "$venv"
      "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements"
      cp "$requirements" "$venv/requirements.installed"
    fi
  }
  # A real SCIM 2.0 server (scim2-server) that the connectors' tests push to.
  pinned "scim2-server for the connectors' tests" "$tools/scim-server-venv" "$root/tests/connectors/requirements.txt"
  # An independent reader for the workbooks the console exports (openpyxl).
  pinned "openpyxl for the end-to-end tests" "$tools/xlsx-venv" "$root/tests/e2e/requirements.txt"
fi
