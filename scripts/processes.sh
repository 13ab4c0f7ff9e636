#!/usr/bin/env bash
# Background app processes for the quick start: start <name> | stop <name> | stop-all.
# Each runs the compiled entry point (dist/, built when stale) in its own session, so stopping the session stops it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RUN_DIR="$ROOT_DIR/.temporal/run"
mkdir -p "$RUN_DIR"

declare -A ENTRY=([worker]=dist/src/bin/order-worker.js [validator]=dist/src/bin/validator-worker.js [codec-server]=dist/src/bin/codec-server.js)
# The order worker's heap limit, for its main thread and its workflow thread alike: the sticky cache is sized from it,
# and a limit well under the machine's default makes V8 collect replays' garbage before RSS grows past it
# (docs/benchmark.md#soak-open-orders-on-one-order-worker). The Dockerfile and compose run it with the same flag.
declare -A NODE_FLAGS=([worker]=--max-old-space-size=1024)

pid_of() {
  local pid
  pid="$(cat "$RUN_DIR/$1.pid" 2>/dev/null || true)"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

start() {
  local name=$1 entry=${ENTRY[$1]:-}
  [[ -n "$entry" ]] || die "unknown process $name (worker, validator, codec-server)"
  if pid_of "$name" >/dev/null; then
    say "$name already running (pid $(pid_of "$name"))"
    return
  fi
  rm -f "$RUN_DIR/$name.pid"
  ensure_build
  # The shell writes its own pid and then becomes node, so the pid file names the session leader whatever
  # setsid did to get there.
  (cd "$ROOT_DIR" && setsid bash -c 'echo $$ >"$1"; exec node $3 "$2"' _ "$RUN_DIR/$name.pid" "$entry" "${NODE_FLAGS[$name]:-}" \
    >"$RUN_DIR/$name.log" 2>&1 </dev/null &)
  for _ in $(seq 1 20); do [[ -s "$RUN_DIR/$name.pid" ]] && break; sleep 0.1; done
  say "$name started (pid $(cat "$RUN_DIR/$name.pid"), log .temporal/run/$name.log)"
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
  stop-all) stop validator; stop worker; stop codec-server ;;
  *) die "usage: $0 start|stop <worker|validator|codec-server> | stop-all" ;;
esac
