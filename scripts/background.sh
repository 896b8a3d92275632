# Sourced by scripts that run gatehouse programs in the background (the demo, the load benchmark).
#
#   start_listening VAR LOG COMMAND...
#     starts COMMAND in the background (stdout to LOG, stderr to LOG.err), waits for its
#     "listening on HOST:PORT" line and sets VAR to http://HOST:PORT. Exits the script if the
#     program does not come up within 10 s.
#   stop_background
#     stops every program started so (call it from an EXIT trap).
#
# VAR is set by name rather than printed: a `$(start ...)` would run in a subshell, and the
# program's pid would never reach stop_background.
background_pids=()

start_listening() {
  local var="$1" log="$2"
  shift 2
  "$@" >"$log" 2>"$log.err" &
  background_pids+=($!)
  local url
  for _ in $(seq 100); do
    url="$(sed -n 's/.*listening on \([0-9.]*:[0-9]*\).*/http:\/\/\1/p' "$log" 2>/dev/null | head -1)"
    if [ -n "$url" ]; then
      printf -v "$var" '%s' "$url"
      return
    fi
    sleep 0.1
  done
  echo "could not start $*: $(cat "$log.err")" >&2
  exit 1
}

stop_background() {
  for pid in "${background_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
