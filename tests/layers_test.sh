#!/usr/bin/env bash
# The layers depend downwards only: grammar <- engine <- service/store <- service/write and
# service/dispatch <- bindings. The engine never includes the write path's headers, the store
# neither the service's nor the dispatcher's, and nothing outside the engine reaches into its
# private headers (engine/src). usage: layers_test.sh SOURCE_DIR
set -euo pipefail
cd "$1"
failed=0
forbid() {  # forbid DESCRIPTION PATTERN DIR...
  local what="$1" pattern="$2"; shift 2
  local hits
  hits="$(grep -rnE "$pattern" "$@" --include='*.cpp' --include='*.hpp' --include='*.h' || true)"
  if [[ -n "$hits" ]]; then
    echo "FAIL: $what:"; echo "$hits"; failed=1
  fi
}
write_path='#include "gatehouse/(store|service|dispatch)/|#include "gatehouse/digest.hpp"'
forbid "the grammar and the engine include the write path" "$write_path" grammar engine
forbid "the store includes the service or the dispatcher" '#include "gatehouse/(service|dispatch)/' service/store
forbid "the service includes the dispatcher" '#include "gatehouse/dispatch/' service/write
forbid "the dispatcher includes the service" '#include "gatehouse/service/' service/dispatch
forbid "the HTTP server includes the dispatcher" '#include "gatehouse/dispatch/' service/http_server
# Engine-private headers are the ones under engine/src (json_text.hpp, evaluator_internal.hpp, ...).
private="$(cd engine/src && ls ./*.hpp | sed 's#^\./##' | paste -sd'|')"
forbid "the write path includes the engine's private headers" "#include \"($private)\"" service bindings
if [[ $failed -eq 0 ]]; then echo "layers respected"; fi
exit $failed
