#!/usr/bin/env bash
# The second half of `make demo`: the write service and the PMS simulator, on loopback only.
set -euo pipefail
gatehouse="$1"
simulator="$2"
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/background.sh"
work="$(mktemp -d)"
cleanup() {
  stop_background
  rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$1"; }
show() { printf '$ %s\n' "$*"; }
pretty() { python3 -m json.tool 2>/dev/null || cat; }

# A request to the service as customer acme; prints the status and the pretty body.
api() {
  local method="$1" path="$2" body="${3:-}"
  show "curl -X $method $path ${body:+-d '$body'}"
  local out status
  out="$(curl -s -w '\n%{http_code}' -X "$method" -H "Authorization: Bearer demo-key-7c3e9a1f5b2d8064" \
         -H 'Content-Type: application/json' ${body:+-d "$body"} "$service$path")"
  status="${out##*$'\n'}"
  echo "HTTP $status"
  printf '%s\n' "${out%$'\n'*}" | pretty
  last_body="${out%$'\n'*}"
}
admin() { curl -s -X POST -H "Authorization: Bearer demo-admin-2e8b5d1f9c7a4063" -d "" "$service$1"; }
job_of() { sed -n 's/.*"job_id": *"\([0-9a-f]*\)".*/\1/p' <<<"$last_body" | head -1; }
# Gatehouse's id of the resident the PMS knows as $1 (found by x_id; the routes take gatehouse's).
id_of() {
  curl -s -H "Authorization: Bearer demo-key-7c3e9a1f5b2d8064" "$service/v1/residents?x_id=$1" |
    sed -n 's/.*"data":{"id":"\(rec_[0-9a-f]*\)".*/\1/p' | head -1
}

# Polls write-status until the write is no longer PENDING, then shows it.
status_of() {
  local job="$1"
  for _ in $(seq 100); do
    if ! curl -s -H "Authorization: Bearer demo-key-7c3e9a1f5b2d8064" "$service/v1/admin/write-status/$job" | grep -q '"PENDING"'; then
      break
    fi
    sleep 0.1
  done
  api GET "/v1/admin/write-status/$job"
}

step "Start the PMS simulator (Buildium-like and Rent-Manager-like APIs)"
start_listening pms "$work/pms.log" "$simulator"
echo "PMS simulator at $pms"
sim() { curl -s -X "$1" -H 'Content-Type: application/json' -d "$3" "$pms$2" >/dev/null; }
sim PUT /_sim/buildium/tenants/1001 '{"FirstName":"Ann","LastName":"Lee","PrimaryAddress":{"AddressLine1":"1 Main St"},"Status":"Active"}'
sim PUT /_sim/buildium/tenants/1002 '{"FirstName":"Bo","LastName":"Diaz","PrimaryAddress":{"AddressLine1":"2 Main St"},"Status":"Past"}'
sim PUT /_sim/rentmanager/tenants/5001 '{"FirstName":"Cy","LastName":"Park","RentPeriod":"MONTHLY","RentDueDay":1,"PropertyID":"7"}'
echo "Buildium holds tenants 1001 (Ann Lee) and 1002 (moved out); Rent Manager holds tenant 5001 (Cy Park)"

step "Start gatehouse serve (SQLite store, dispatcher, bundled rules and connectors)"
cat >"$work/gatehouse.yaml" <<YAML
rules: $here/../rules
store: gatehouse.db
listen: 127.0.0.1:0
admin_api_key: demo-admin-2e8b5d1f9c7a4063
dispatcher: {workers: 2, max_attempts: 5, backoff_ms: 200, pms_timeout_ms: 2000, sync_interval_seconds: 300}
customers:
  - {id: acme, api_key: demo-key-7c3e9a1f5b2d8064}
integrations:
  - {id: int-bd, customer: acme, pms: BUILDIUM, base_url: "$pms/buildium"}
  - {id: int-rm, customer: acme, pms: RENTMANAGER, base_url: "$pms/rentmanager"}
YAML
start_listening service "$work/serve.log" "$gatehouse" serve --config "$work/gatehouse.yaml"
cat "$work/serve.log"
show "curl -X POST $service/v1/admin/sync   # read every integration's records into the cache"
admin /v1/admin/sync | pretty

step "Records are named by gatehouse's id; the PMS's id is x_id (it repeats across integrations)"
api GET '/v1/residents?x_id=5001'
cy="$(id_of 5001)"
ann="$(id_of 1001)"
bo="$(id_of 1002)"

step "Rent Manager has no notes on residents: rejected, every reason with its rule"
api PUT "/v1/residents/$cy" '{"last_name":"Park","notes":"call first","rent_period":"MONTHLY","rent_due_day":1}'

step "The same with ignore_unknown_fields=true: notes stripped, the job stored before the 202"
api PUT "/v1/residents/$cy?ignore_unknown_fields=true" '{"last_name":"Parker","notes":"call first","rent_period":"MONTHLY","rent_due_day":1}'
status_of "$(job_of)"
step "The same write through Rent Manager's own route (Propexo's /v1/residents/rentmanager/{id}): job_id and data"
api PUT "/v1/residents/rentmanager/$cy?ignore_unknown_fields=true" '{"last_name":"Parker","notes":"call first","rent_period":"MONTHLY","rent_due_day":1}'
status_of "$(job_of)"

step "Buildium keeps notes under the tenant: the write fans out into a child job"
api PUT "/v1/residents/$ann" '{"first_name":"Annie","last_name":"Lee","address_1":"1 Main St","city":"Boston","state":"MA","zip":"02110","country":"US","notes":"call first"}'
status_of "$(job_of)"
show "curl $pms/buildium/v1/leases/tenants/1001/notes   # in the PMS"
curl -s "$pms/buildium/v1/leases/tenants/1001/notes" | pretty

step "The cache still has Ann: it changes when the PMS sends the record back (the sync)"
api GET "/v1/residents/$ann"
show "curl -X POST $service/v1/admin/sync"
admin /v1/admin/sync | pretty
api GET "/v1/residents/$ann"

step "The PMS answers 503 after applying the write; the retry carries the same Idempotency-Key"
sim POST /_sim/faults '{"status":503,"apply":true}'
api PUT "/v1/residents/$ann" '{"first_name":"Annie","last_name":"Lee","address_1":"1 Main St","city":"Boston","state":"MA","zip":"02110","country":"US","email_1":"annie@example.com"}'
job="$(job_of)"
status_of "$job"
show "curl $pms/_sim/stats   # writes the PMS applied, by key"
curl -s "$pms/_sim/stats" | pretty

step "A failure only the PMS can see: tenant 1002 moved out"
api PUT "/v1/residents/$bo" '{"first_name":"Bo","last_name":"Diaz","address_1":"2 Main St","city":"Boston","state":"MA","zip":"02110","country":"US"}'
status_of "$(job_of)"

step "A create: write-status lists the record the PMS created, by gatehouse's id (x_id: the PMS's)"
api POST /v1/residents '{"integration_id":"int-bd","first_name":"Di","last_name":"Ng","address_1":"3 Main St","lease_id":"77"}'
status_of "$(job_of)"

step "Job outcomes in /metrics"
show "curl -H 'Authorization: Bearer demo-admin-2e8b5d1f9c7a4063' $service/metrics | grep jobs_total"
curl -s -H "Authorization: Bearer demo-admin-2e8b5d1f9c7a4063" "$service/metrics" | grep '^gatehouse_jobs_total\|^gatehouse_decisions_total'
