#!/usr/bin/env bash
# Runs each libFuzzer target for SECONDS from its seed corpus (tests/fuzz/corpus/<name>, plus
# the bundled rules for the rules target). New inputs go to build-fuzz/corpus/<name> (kept between
# runs); a crash, leak or timeout is written to build-fuzz/findings/<name>/ and fails the run.
set -euo pipefail
build="$1"
seconds="${2:-60}"
here="$(cd "$(dirname "$0")/.." && pwd)"
status=0
for name in rules evaluator service http_request; do
  corpus="$build/corpus/$name"
  findings="$build/findings/$name"
  mkdir -p "$corpus" "$findings"
  seeds=("$here/tests/fuzz/corpus/$name" "$here/tests/fuzz/regressions/$name")
  if [ "$name" = rules ]; then seeds+=("$here/rules/pms"); fi
  echo "== fuzz_$name for ${seconds}s"
  if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
      "$build/tests/fuzz/fuzz_$name" "$corpus" "${seeds[@]}" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=2048 -max_len=65536 -artifact_prefix="$findings/" -print_final_stats=1 2>"$build/fuzz_$name.log"; then
    echo "fuzz_$name found a problem: $(ls "$findings")"
    tail -40 "$build/fuzz_$name.log"
    status=1
  else
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$build/fuzz_$name.log" || true
  fi
done
exit $status
