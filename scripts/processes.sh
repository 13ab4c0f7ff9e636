#!/usr/bin/env bash
# Background app processes for the quick start: start <name> | stop <name> | stop-all.
# Each runs in its own session so that stopping it stops tsx and the node process under it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RUN_DIR="$ROOT_DIR/.temporal/run"
mkdir -p "$RUN_DIR"

declare -A ENTRY=([worker]=src/worker.ts [validator]=src/validator.ts)

pid_of() {
  local pid
  pid="$(cat "$RUN_DIR/$1.pid" 2>/dev/null || true)"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

start() {
  local name=$1 entry=${ENTRY[$1]:-}
  [[ -n "$entry" ]] || die "unknown process $name (worker, validator)"
  if pid_of "$name" >/dev/null; then
    say "$name already running (pid $(pid_of "$name"))"
    return
  fi
  (cd "$ROOT_DIR" && setsid nohup node_modules/.bin/tsx "$entry" >"$RUN_DIR/$name.log" 2>&1 </dev/null & echo $! >"$RUN_DIR/$name.pid")
  say "$name started (pid $(cat "$RUN_DIR/$name.pid"), log .temporal/run/$name.log)"
}

stop() {
  local name=$1 pid
  pid="$(pid_of "$name")" || { rm -f "$RUN_DIR/$name.pid"; return; }
  # SIGTERM lets the worker finish in-flight tasks and close its connection.
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$RUN_DIR/$name.pid"
  say "$name stopped"
}

case "${1:-}" in
  start) start "$2" ;;
  stop) stop "$2" ;;
  stop-all) stop validator; stop worker ;;
  *) die "usage: $0 start|stop <worker|validator> | stop-all" ;;
esac
