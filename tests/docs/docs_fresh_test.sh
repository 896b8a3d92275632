#!/usr/bin/env bash
# The generated docs committed under docs/capabilities/ match what the rules generate now.
# Regenerate with: make docs
set -euo pipefail
gatehouse="$1"; source="$2"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
"$gatehouse" docs --rules "$source/rules" --out "$tmp"
"$gatehouse" docs --rules "$source/rules" --format html --out "$tmp"
if ! diff -ru "$source/docs/capabilities" "$tmp"; then
  echo "docs/capabilities/ is stale: run 'make docs' and commit the result" >&2
  exit 1
fi
echo "docs/capabilities/ is up to date"
