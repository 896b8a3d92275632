#!/usr/bin/env bash
# The service load benchmark: `gatehouse serve` (SQLite store, dispatcher on) and the PMS
# simulator on loopback; wrk runs GET /healthz, then durable writes (PUT, 202 once the job is on
# disk), at the same concurrency, DURATION seconds each. Prints requests/s and p50/p99 of each,
# and the ratio writes/healthz (target: at least 0.25), for each number of connections given.
#   bench/service/load.sh BUILD_DIR [DURATION=10] [CONNECTIONS="32 128"] [THREADS=2]
# WORKERS=0 runs without the dispatcher (the write path alone, no PMS calls competing for CPU);
# HANDLER_THREADS (default 64, the service's) sets http.handler_threads. The rules are the stable
# test set (tests/fixtures/rules): the bundled ones change as the reference is read.
set -euo pipefail
build="$1"
duration="${2:-10}"
connection_counts="${3:-32 128}"
threads="${4:-2}"
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/../../scripts/background.sh"
work="$(mktemp -d)"
cleanup() {
  stop_background
  rm -rf "$work"
}
trap cleanup EXIT
start_listening pms "$work/pms.log" "$build/tools/pms_simulator/gatehouse-pms-simulator"
curl -s -X PUT -H 'Content-Type: application/json' \
  -d '{"FirstName":"Ann","LastName":"Lee","PrimaryAddress":{"AddressLine1":"1 Main St"}}' \
  "$pms/_sim/buildium/tenants/1001" >/dev/null
cat >"$work/gatehouse.yaml" <<YAML
rules: $here/../../tests/fixtures/rules
store: ${STORE_DIR:-$work}/gatehouse.db
listen: 127.0.0.1:0
rate_limit_per_minute: 0  # the load is one customer's, on purpose
http: {handler_threads: ${HANDLER_THREADS:-64}}
dispatcher: {workers: ${WORKERS:-2}, sync_interval_seconds: 0}
customers:
  - {id: bench, api_key: key-bench-3f7a9c2e5d1b8046}
integrations:
  - {id: int-bd, customer: bench, pms: BUILDIUM, base_url: "$pms/buildium"}
records:
  - {model: residents, id: "1001", integration: int-bd, data: '{}'}
YAML
start_listening service "$work/serve.log" "$build/bindings/cli/gatehouse" serve --config "$work/gatehouse.yaml"
# The seeded record's gatehouse id (the seed names it by the PMS's id, 1001).
record="$(curl -s -H "Authorization: Bearer key-bench-3f7a9c2e5d1b8046" "$service/v1/residents?x_id=1001" |
          sed -n 's/.*"data":{"id":"\(rec_[0-9a-f]*\)".*/\1/p')"

run() {  # name, connections, wrk args...: prints "name rps p50 p99", keeps rps in $work/name.rps
  local name="$1" connections="$2"; shift 2
  wrk -t "$threads" -c "$connections" -d "${duration}s" --latency "$@" >"$work/$name.txt"
  local rps p50 p99
  rps="$(awk '/^Requests\/sec/ {print $2}' "$work/$name.txt")"
  p50="$(awk '$1 == "50%" {print $2}' "$work/$name.txt")"
  p99="$(awk '$1 == "99%" {print $2}' "$work/$name.txt")"
  # Every request must have succeeded, or the rate measures something else (errors are cheap).
  if grep -q -E "Non-2xx|Socket errors" "$work/$name.txt"; then
    echo "$name: not every request succeeded:" >&2
    grep -E "Non-2xx|Socket errors" "$work/$name.txt" >&2
    exit 1
  fi
  printf '  %-14s %12s req/s   p50 %8s   p99 %8s\n' "$name" "$rps" "$p50" "$p99"
  echo "$rps" >"$work/$name.rps"
}
echo "gatehouse service load: ${duration}s per run, $threads wrk threads, dispatcher workers ${WORKERS:-2}, $(nproc) cores"
for connections in $connection_counts; do
  echo "$connections connections:"
  run healthz "$connections" "$service/healthz"
  run durable_write "$connections" -s "$here/put_resident.lua" "$service/v1/residents/$record"
  python3 - "$work/durable_write.rps" "$work/healthz.rps" <<'PY'
import sys
w, h = (float(open(f).read()) for f in sys.argv[1:3])
print(f"  ratio durable_write/healthz: {w / h:.3f} (target >= 0.25)")
PY
done
