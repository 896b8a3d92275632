#!/usr/bin/env bash
# `make demo`: checks the bundled rules and decides sample requests with them; then starts the
# PMS simulator and `gatehouse serve` on loopback and walks writes end to end: decided, queued,
# carried to the PMS (with retries), reported in write-status, and read back into the cache.
set -uo pipefail
gatehouse="$1"
simulator="$2"
here="$(cd "$(dirname "$0")" && pwd)"

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "$2"; }

step "Compile the bundled rules" "gatehouse check"
"$gatehouse" check || exit 1

step "PMSs, models and operations" "gatehouse list"
"$gatehouse" list

step "ACCEPT: Buildium takes notes on a resident update" \
  "gatehouse eval --pms BUILDIUM --model residents --op update scripts/demo/accept.json"
"$gatehouse" eval --pms BUILDIUM --model residents --op update --pretty "$here/demo/accept.json"
echo "(exit $?)"

step "STRIP: Rent Manager has no notes field; the caller asked to drop unsupported fields" \
  "gatehouse eval --pms RENTMANAGER --model residents --op update --ignore-unknown-fields scripts/demo/strip.json"
"$gatehouse" eval --pms RENTMANAGER --model residents --op update --ignore-unknown-fields --pretty "$here/demo/strip.json"
echo "(exit $?)"

step "REJECT: every problem at once, each with its JSON Pointer and rule" \
  "gatehouse eval --pms RENTMANAGER --model residents --op update scripts/demo/reject.json"
"$gatehouse" eval --pms RENTMANAGER --model residents --op update --pretty "$here/demo/reject.json"
echo "(exit $?)"

step "REJECT 405: Rent Manager does not create properties (its reference page says so)" \
  "echo '{\"integration_id\": \"int-rm\", \"name\": \"Main St Lofts\"}' | gatehouse eval --pms RENTMANAGER --model properties --op create"
echo '{"integration_id": "int-rm", "name": "Main St Lofts"}' | "$gatehouse" eval --pms RENTMANAGER --model properties --op create --pretty
echo "(exit $?)"

step "A named operation, by its route's name: cancel an applicant appointment in Rent Manager" \
  "echo '{\"integration_id\": \"int-rm\", \"event_id\": \"ev_1\"}' | gatehouse eval --pms RENTMANAGER --model events/appointments/applicants --op cancel"
echo '{"integration_id": "int-rm", "event_id": "ev_1"}' | "$gatehouse" eval --pms RENTMANAGER --model events/appointments/applicants --op cancel --pretty
echo "(exit $?)"

exec "$here/demo-service.sh" "$gatehouse" "$simulator"
