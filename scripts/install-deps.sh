#!/usr/bin/env bash
# Installs the Debian packages gatehouse needs to build and test, skipping those already present,
# then the npm test tools (tools/npm: the OpenAPI linter and ajv, pinned by its package-lock.json)
# into tools/npm/node_modules. Safe to run repeatedly; needs root (or sudo) only when a Debian
# package is missing, and the npm registry only when the lock file changed.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  tao-pegtl-dev libyaml-cpp-dev libboost-program-options-dev libsimdjson-dev libre2-dev libsqlite3-dev libssl-dev libcpp-httplib-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  rapidjson-dev libvalijson-dev
  python3 python3-dev python3-pytest python3-pybind11 pybind11-dev python3-jsonschema python3-yaml chromium curl
  clang libclang-rt-14-dev
  libpq-dev postgresql wrk
  nodejs
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# NodeSource's nodejs carries npm; Debian's does not, and Debian's npm would pull Debian's nodejs
# over NodeSource's: it is installed only where the npm command is missing.
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# `npm ci` installs exactly the lock file; the copy of the lock beside node_modules says which
# lock the folder holds, so it runs again only when the lock changed. No install scripts: none
# of the tools needs one.
npm_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tools/npm"
if ! cmp -s "$npm_dir/package-lock.json" "$npm_dir/node_modules/.gatehouse-installed-lock.json"; then
  echo "install-deps: installing the npm test tools into $npm_dir/node_modules" >&2
  (cd "$npm_dir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
  cp "$npm_dir/package-lock.json" "$npm_dir/node_modules/.gatehouse-installed-lock.json"
fi
