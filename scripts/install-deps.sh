#!/usr/bin/env bash
# Installs the Debian packages gatehouse needs to build and test, skipping those already present.
# Safe to run repeatedly; needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  tao-pegtl-dev libyaml-cpp-dev libboost-program-options-dev libsimdjson-dev libre2-dev libsqlite3-dev libssl-dev libcpp-httplib-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  rapidjson-dev libvalijson-dev
  python3 python3-dev python3-pytest python3-pybind11 pybind11-dev python3-jsonschema python3-yaml chromium curl
  clang libclang-rt-14-dev
  libpq-dev postgresql wrk
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
