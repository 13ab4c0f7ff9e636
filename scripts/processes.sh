#!/usr/bin/env bash
# Background app processes for the quick start: start <name> | stop <name> | stop-all.
# Each runs the compiled entry point (dist/, built when stale) in its own session, so stopping the session stops it,
# on the Node `npm start` runs (lib.sh's use_supported_node). `start` returns once the process says it is up, or fails
# with its log's last lines. CATERING_RUN_DIR moves the pid and log files (default .temporal/run).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
use_supported_node quiet

RUN_DIR="${CATERING_RUN_DIR:-$ROOT_DIR/.temporal/run}"
mkdir -p "$RUN_DIR"

declare -A ENTRY=([worker]=dist/src/bin/order-worker.js [validator]=dist/src/bin/validator-worker.js [codec-server]=dist/src/bin/codec-server.js [desk]=dist/src/bin/desk.js)
# The order worker's heap limit, for its main thread and its workflow thread alike: the sticky cache is sized from it,
# and a limit well under the machine's default makes V8 collect replays' garbage before RSS grows past it
# (docs/benchmark.md#soak-open-orders-on-one-order-worker). The Dockerfile and compose run it with the same flag.
declare -A NODE_FLAGS=([worker]=--max-old-space-size=1024)
# The line each process logs once it serves: a worker once it polls, a server once it listens.
declare -A READY=([worker]='^orders: polling' [validator]='^credit-card-validation: polling' [codec-server]='^codec server on ' [desk]='^desk on ')
READY_TIMEOUT_S=60

pid_of() {
  local pid
  pid="$(cat "$RUN_DIR/$1.pid" 2>/dev/null || true)"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

start() {
  local name=$1 entry=${ENTRY[$1]:-}
  [[ -n "$entry" ]] || die "unknown process $name (worker, validator, codec-server, desk)"
  if pid_of "$name" >/dev/null; then
    say "$name already running (pid $(pid_of "$name"))"
    return
  fi
  rm -f "$RUN_DIR/$name.pid"
  ensure_build
  # The shell writes its own pid and then becomes node, so the pid file names the session leader whatever
  # setsid did to get there; `exec` leaves no subshell waiting on it with the caller's stdout open.
  (cd "$ROOT_DIR" && exec setsid bash -c 'echo $$ >"$1"; exec node $3 "$2"' _ "$RUN_DIR/$name.pid" "$entry" "${NODE_FLAGS[$name]:-}" \
    >"$RUN_DIR/$name.log" 2>&1 </dev/null &)
  for _ in $(seq 1 20); do [[ -s "$RUN_DIR/$name.pid" ]] && break; sleep 0.1; done
  local pid log="$RUN_DIR/$name.log" waited=0
  pid="$(cat "$RUN_DIR/$name.pid" 2>/dev/null || true)"
  until grep -qE "${READY[$name]}" "$log" 2>/dev/null; do
    local problem=""
    if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$RUN_DIR/$name.pid"
      problem="$name exited at start"
    elif ((waited >= READY_TIMEOUT_S * 10)); then
      problem="$name did not come up within ${READY_TIMEOUT_S}s (pid $pid)"
    fi
    [[ -z "$problem" ]] || { tail -n 20 "$log" >&2 || true; die "$problem (log $log; its last lines above)"; }
    sleep 0.1
    waited=$((waited + 1))
  done
  say "$name started (pid $pid, log ${log#"$ROOT_DIR"/})"
}

stop() {
  local name=$1 pid
  pid="$(pid_of "$name")" || { rm -f "$RUN_DIR/$name.pid"; return; }
  # SIGTERM lets the worker finish in-flight tasks (WORKER_SHUTDOWN_GRACE, 20 s by default, + 5 s) and close its connection.
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$RUN_DIR/$name.pid"
  say "$name stopped"
}

case "${1:-}" in
  start) start "$2" ;;
  stop) stop "$2" ;;
  stop-all) stop desk; stop validator; stop worker; stop codec-server ;;
  *) die "usage: $0 start|stop <worker|validator|codec-server|desk> | stop-all" ;;
esac
