#!/usr/bin/env bash
# Instructions per decision (callgrind), gatehouse beside the simdjson floor, for one case:
# a figure that stays the same on a loaded machine. usage: bench/callgrind.sh [BENCH_BINARY] [CASE]
set -euo pipefail
bin="${1:-build/bench/gatehouse_bench}"; case="${2:-typical}"; n=2000
per_iteration() {
  local out; out="$(mktemp)"
  valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$out" "$bin" --count "$case" "$1" "$n" >/dev/null 2>&1
  local total; total="$(callgrind_annotate "$out" | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')"
  rm -f "$out"
  echo $(( total / n ))
}
g="$(per_iteration gatehouse)"; f="$(per_iteration floor)"
printf '%s: gatehouse %s instructions per decision, simdjson floor %s, ratio %s\n' "$case" "$g" "$f" \
  "$(awk -v g="$g" -v f="$f" 'BEGIN { printf "%.2f", g / f }')"
