#!/usr/bin/env bash
# Opens the generated HTML page in headless Chromium: the capability matrix must be there (with
# the page's script applied), and a screenshot is kept under the build folder for people to see.
set -euo pipefail
gatehouse="$1"; source="$2"; chromium="$3"; out="$4"
mkdir -p "$out"
"$gatehouse" docs --rules "$source/rules" --format html --out "$out"
profile="$(mktemp -d)"; trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --user-data-dir="$profile" --window-size=1400,1000)
dom="$("$chromium" "${flags[@]}" --dump-dom "file://$out/index.html" 2>/dev/null)"
grep -q 'id="capability-matrix"' <<<"$dom" || { echo "no capability matrix in the page" >&2; exit 1; }
grep -q '<td class="yes">yes</td>' <<<"$dom" || { echo "the page's script did not mark offered operations" >&2; exit 1; }
grep -q '<input id="search"' <<<"$dom" || { echo "no search box" >&2; exit 1; }
"$chromium" "${flags[@]}" --screenshot="$out/screenshot.png" "file://$out/index.html" >/dev/null 2>&1
test -s "$out/screenshot.png" || { echo "no screenshot" >&2; exit 1; }
echo "capability matrix rendered; screenshot at $out/screenshot.png"
