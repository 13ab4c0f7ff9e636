#!/usr/bin/env bash
# Temporal dev server lifecycle: start | stop | status.
# State lives in .temporal/dev-server/temporal.sqlite, so orders survive a server restart.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PID_FILE="$DEV_DIR/server.pid"
LOG_FILE="$DEV_DIR/server.log"
ADDRESS="$DEV_IP:$DEV_PORT"
SEARCH_ATTRIBUTES="OrderStatus CustomerId MatchStatus"

healthy() {
  "$TEMPORAL_BIN" operator cluster health --address "$ADDRESS" --command-timeout 2s >/dev/null 2>&1
}

running_pid() {
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null || true)"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

start() {
  bash "$ROOT_DIR/scripts/provision.sh" cli >/dev/null
  if healthy; then
    say "Temporal dev server already answering on $ADDRESS"
    register_search_attributes
    return
  fi
  mkdir -p "$DEV_DIR"
  say "starting Temporal dev server on $ADDRESS (Web UI on http://localhost:$DEV_UI_PORT), log: $LOG_FILE"
  # SQLite pragmas: the dev server's default file mode (rollback journal, synchronous=FULL) fsyncs every
  # history write and serialises readers behind writers, which makes a persistent dev server several times
  # slower than the in-memory one. WAL lets the UI and visibility queries read while workflows write, and
  # synchronous=NORMAL in WAL mode still never corrupts the file: at worst a power cut loses the last
  # moments of commits, acceptable for a dev server whose purpose is surviving process restarts.
  nohup "$TEMPORAL_BIN" server start-dev \
    --ip "$DEV_IP" --port "$DEV_PORT" --ui-port "$DEV_UI_PORT" \
    --db-filename "$DEV_DIR/temporal.sqlite" \
    --ui-codec-endpoint "${TEMPORAL_UI_CODEC_ENDPOINT:-$CODEC_ENDPOINT}" \
    --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal \
    $(for name in $SEARCH_ATTRIBUTES; do echo --search-attribute "$name=Keyword"; done) \
    --log-level warn >"$LOG_FILE" 2>&1 &
  echo $! >"$PID_FILE"
  local deadline=$((SECONDS + 90))
  until healthy; do
    if ! running_pid >/dev/null; then
      tail -n 30 "$LOG_FILE" >&2 || true
      die "the dev server exited during start-up (log above; is port $DEV_PORT or $DEV_UI_PORT taken?)"
    fi
    ((SECONDS < deadline)) || die "the dev server did not answer on $ADDRESS within 90s (log: $LOG_FILE)"
    sleep 0.5
  done
  register_search_attributes
  say "Temporal dev server ready on $ADDRESS"
}

# --search-attribute only takes effect when the SQLite file is new; an existing file from an older checkout
# gets the attributes it lacks here.
register_search_attributes() {
  local existing name
  existing="$("$TEMPORAL_BIN" operator search-attribute list --address "$ADDRESS")"
  for name in $SEARCH_ATTRIBUTES; do
    grep -qw "$name" <<<"$existing" ||
      "$TEMPORAL_BIN" operator search-attribute create --address "$ADDRESS" --name "$name" --type Keyword >/dev/null
  done
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    say "Temporal dev server is not running (from this checkout)"
    rm -f "$PID_FILE"
    return
  fi
  kill -TERM "$pid"
  for _ in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  rm -f "$PID_FILE"
  say "Temporal dev server stopped"
}

status() {
  if healthy; then say "Temporal dev server answering on $ADDRESS, Web UI http://localhost:$DEV_UI_PORT"; else say "Temporal dev server not answering on $ADDRESS"; return 1; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: $0 start|stop|status" ;;
esac
