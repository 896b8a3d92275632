#!/usr/bin/env bash
# Installs gatehouse into a temporary prefix, then builds and runs a consumer against it twice:
# with find_package(gatehouse CONFIG) and with pkg-config.
set -euo pipefail
build="$1"; source="$2"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null

cmake -S "$source/tests/package/consumer" -B "$tmp/consumer" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/consumer" >/dev/null
out="$("$tmp/consumer/consumer")"
grep -q '"verdict":"strip"' <<<"$out" || { echo "cmake consumer: unexpected output: $out" >&2; exit 1; }
out="$("$tmp/consumer/c_consumer")"
grep -q '"verdict":"strip"' <<<"$out" || { echo "C consumer: unexpected output: $out" >&2; exit 1; }
# Every exported library of the write path, linked from the package alone.
for consumer in store_consumer service_consumer dispatch_consumer; do
  "$tmp/consumer/$consumer" || { echo "$consumer failed" >&2; exit 1; }
done

export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
# shellcheck disable=SC2046
g++ -o "$tmp/pc_consumer" "$source/tests/package/consumer/main.cpp" \
    -DRULES_DIR="\"$tmp/prefix/share/gatehouse/rules\"" $(pkg-config --cflags --libs gatehouse)
out="$("$tmp/pc_consumer")"
grep -q '"verdict":"strip"' <<<"$out" || { echo "pkg-config consumer: unexpected output: $out" >&2; exit 1; }
echo "installed package works with find_package (engine, c, store, service, dispatch) and with pkg-config"
