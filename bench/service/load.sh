#!/usr/bin/env bash
# The service load benchmark: `gatehouse serve` (SQLite store, dispatcher on) and the PMS
# simulator on loopback; wrk runs GET /healthz, then durable writes (PUT, 202 once the job is on
# disk), at the same concurrency, DURATION seconds each. Prints requests/s and p50/p99 of each,
# and the ratio writes/healthz (target: at least 0.25), for each number of connections given.
# Then the shared queue (shared_queue.py): one customer's key past its rate limit (150 a minute)
# from 8 clients while wrk writes as another customer, the answers counted by status; and
# fairness: on a fresh service with the PMS made slow (40 ms a write), customer A queues BACKLOG
# writes (5000), then customer B's writes, one at a time, are timed from submit to SUCCESS.
#   bench/service/load.sh BUILD_DIR [DURATION=10] [CONNECTIONS="32 128"] [THREADS=2]
# WORKERS=0 runs without the dispatcher (the write path alone, no PMS calls competing for CPU;
# no fairness run then); HANDLER_THREADS (default 64, the service's) sets http.handler_threads.
# The rules are the stable test set (tests/fixtures/rules): the bundled ones change as the
# reference is read.
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
for tenant in 1001 1002; do
  curl -s -X PUT -H 'Content-Type: application/json' \
    -d '{"FirstName":"Ann","LastName":"Lee","PrimaryAddress":{"AddressLine1":"1 Main St"}}' \
    "$pms/_sim/buildium/tenants/$tenant" >/dev/null
done
cat >"$work/gatehouse.yaml" <<YAML
rules: $here/../../tests/fixtures/rules
store: ${STORE_DIR:-$work}/gatehouse.db
listen: 127.0.0.1:0
rate_limit_per_minute: 0  # the load is one customer's, on purpose
max_queued_jobs_per_customer: 0  # and so is its queue, which grows faster than the simulator drains it
http: {handler_threads: ${HANDLER_THREADS:-64}}
dispatcher: {workers: ${WORKERS:-2}, sync_interval_seconds: 0}
customers:
  - {id: bench, api_key: key-bench-3f7a9c2e5d1b8046}
  - {id: limited, api_key: key-limited-8d2f6a1c9e4b7035, rate_limit_per_minute: 150}
integrations:
  - {id: int-bd, customer: bench, pms: BUILDIUM, base_url: "$pms/buildium"}
  - {id: int-lim, customer: limited, pms: BUILDIUM, base_url: "$pms/buildium"}
records:
  - {model: residents, id: "1001", integration: int-bd, data: '{}'}
  - {model: residents, id: "1002", integration: int-lim, data: '{}'}
YAML
start_listening service "$work/serve.log" "$build/bindings/cli/gatehouse" serve --config "$work/gatehouse.yaml"
# A seeded record's gatehouse id (the seed names it by the PMS's id): record_id KEY X_ID [URL].
record_id() {
  curl -s -H "Authorization: Bearer $1" "${3:-$service}/v1/residents?x_id=$2" |
    sed -n 's/.*"data":{"id":"\(rec_[0-9a-f]*\)".*/\1/p'
}
record="$(record_id key-bench-3f7a9c2e5d1b8046 1001)"

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

echo "rate limit under load: customer 'limited' (rate_limit_per_minute: 150) from 8 clients, ${duration}s,"
echo "while wrk writes as customer 'bench' (no limit) at 32 connections:"
python3 "$here/shared_queue.py" rate-limit "$service" key-limited-8d2f6a1c9e4b7035 \
  "/v1/residents/$(record_id key-limited-8d2f6a1c9e4b7035 1002)" "$duration" 150 8 &
limited=$!
run durable_write_beside_limited 32 -s "$here/put_resident.lua" "$service/v1/residents/$record"
wait "$limited"

if [ "${WORKERS:-2}" -eq 0 ]; then exit 0; fi
# Fairness, on a service of its own: the first one's dispatcher is still carrying the writes above
# to the simulator, which would share the PMS and the cores with this run.
kill "${background_pids[1]}"
wait "${background_pids[1]}" 2>/dev/null || true
backlog="${BACKLOG:-5000}"
curl -s -X POST -H 'Content-Type: application/json' -d '{"delay_ms": 40}' "$pms/_sim/latency" >/dev/null
cat >"$work/fair.yaml" <<YAML
rules: $here/../../tests/fixtures/rules
store: ${STORE_DIR:-$work}/fair.db
listen: 127.0.0.1:0
rate_limit_per_minute: 0
admin_api_key: admin-bench-5e8c1a7f3d9b2046
dispatcher: {workers: 2, sync_interval_seconds: 0}
customers:
  - {id: a, api_key: key-a-bench-7c3e9a1f5b2d8046}
  - {id: b, api_key: key-b-bench-2f8d4b6a0c9e1357}
integrations:
  - {id: int-a, customer: a, pms: BUILDIUM, base_url: "$pms/buildium"}
  - {id: int-b, customer: b, pms: BUILDIUM, base_url: "$pms/buildium"}
records:
  - {model: residents, id: "1001", integration: int-a, data: '{}'}
  - {model: residents, id: "1002", integration: int-b, data: '{}'}
YAML
start_listening fair "$work/fair.log" "$build/bindings/cli/gatehouse" serve --config "$work/fair.yaml"
echo "fairness: the PMS takes 40 ms a write, 2 workers; customer A queues $backlog writes, then customer B"
echo "sends 10, one after another (without fair claims B would wait for A's backlog: ~$((backlog * 40 / 2 / 1000)) s):"
python3 "$here/shared_queue.py" fairness "$fair" admin-bench-5e8c1a7f3d9b2046 \
  key-a-bench-7c3e9a1f5b2d8046 "/v1/residents/$(record_id key-a-bench-7c3e9a1f5b2d8046 1001 "$fair")" \
  key-b-bench-2f8d4b6a0c9e1357 "/v1/residents/$(record_id key-b-bench-2f8d4b6a0c9e1357 1002 "$fair")" "$backlog" 10
