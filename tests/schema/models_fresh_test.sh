#!/usr/bin/env bash
# rules/models/ is what scripts/propexo_models.py makes of Propexo's OpenAPI document (never
# edited by hand). Skipped (77) where the document is not beside the checkout.
set -euo pipefail
source="$1"; document="$2"
[ -f "$document" ] || { echo "skipped: $document is not here"; exit 77; }
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
python3 "$source/scripts/propexo_models.py" "$document" "$tmp" 2>/dev/null
if ! diff -ru "$source/rules/models" "$tmp"; then
  echo "rules/models/ is stale: run scripts/propexo_models.py $document and commit the result" >&2
  exit 1
fi
echo "rules/models/ is what the generator makes of the document"
