#!/usr/bin/env bash
# A Temporal cluster on this machine, laid out the way a production one is: start | stop | status.
#   - PostgreSQL with its data under $CLUSTER_DIR/postgres, on its own port;
#   - the `temporal` and `temporal_visibility` schemas created or upgraded by temporal-sql-tool
#     (deploy/temporal/setup-schema.sh, the script docker-compose.yml's schema job runs);
#   - the frontend, history, matching and worker services as four processes, each with its own log and pid,
#     all from deploy/temporal/config.yaml and deploy/temporal/dynamicconfig.yaml (docker-compose.yml's files);
#   - namespace `default` with the app's search attributes; the Web UI, its codec endpoint the codec server.
# Idempotent: `start` starts whatever is not running (a service killed with -9 comes back; the rest is left
# alone) and the database keeps every workflow across a stop and start.
#
# Settings (all optional), so that tests can run a second cluster beside the one a person started:
#   TEMPORAL_CLUSTER_DIR      state and logs (default .temporal/cluster)
#   TEMPORAL_CLUSTER_PORT     frontend gRPC (default 7333); history, matching, worker and the frontend's HTTP
#                             port follow it (+1, +2, +6, +10), their membership ports at +100
#   TEMPORAL_CLUSTER_PG_PORT  PostgreSQL (default 55432)
#   TEMPORAL_CLUSTER_UI_PORT  Web UI (default 8333; 0 for none)
#   TEMPORAL_CLUSTER_SHARDS   history shards (default 4; fixed when the database is made)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CLUSTER_DIR="${TEMPORAL_CLUSTER_DIR:-$ROOT_DIR/.temporal/cluster}"
PORT="${TEMPORAL_CLUSTER_PORT:-7333}"
PG_PORT="${TEMPORAL_CLUSTER_PG_PORT:-55432}"
UI_PORT="${TEMPORAL_CLUSTER_UI_PORT:-8333}"
SHARDS="${TEMPORAL_CLUSTER_SHARDS:-4}"
ADDRESS="127.0.0.1:$PORT"
SERVICES="history matching frontend worker"
STARTED="" # the services this run started, watched while it waits
DEPLOY_DIR="$ROOT_DIR/deploy/temporal"
SERVER_BIN="$TOOLS_DIR/bin/temporal-server"
SQL_TOOL="$TOOLS_DIR/bin/temporal-sql-tool"
UI_BIN="$TOOLS_DIR/bin/temporal-ui-server"
DB_USER=temporal
DB_PASSWORD="${TEMPORAL_CLUSTER_PG_PASSWORD:-temporal}"

mkdir -p "$CLUSTER_DIR"
CLUSTER_DIR="$(cd "$CLUSTER_DIR" && pwd)"
PG_DIR="$CLUSTER_DIR/postgres"
# As root, PostgreSQL runs as `postgres`, which must reach its folder; under a folder closed to it (a home
# directory, a mkdtemp folder) the data goes to /var/tmp instead, in a folder named after this cluster's, so
# that it is found again on the next start.
if [[ "$(id -u)" == "0" ]] && id postgres >/dev/null 2>&1 && ! runuser -u postgres -- test -x "$CLUSTER_DIR"; then
  PG_DIR="/var/tmp/catering-cluster-postgres-$(printf '%s' "$CLUSTER_DIR" | md5sum | cut -c1-12)"
  echo "$PG_DIR" >"$CLUSTER_DIR/postgres.location"
fi

offset() {
  case "$1" in
    frontend) echo 0 ;; history) echo 1 ;; matching) echo 2 ;; worker) echo 6 ;;
  esac
}

# PostgreSQL refuses to run as root; as root it runs as the `postgres` account Debian's package makes.
pg_user() {
  if [[ "$(id -u)" == "0" ]]; then
    id postgres >/dev/null 2>&1 || die "running as root and there is no 'postgres' account to run PostgreSQL as"
    echo postgres
  else
    id -un
  fi
}

as_pg() {
  local user
  user="$(pg_user)"
  if [[ "$user" == "$(id -un)" ]]; then "$@"; else runuser -u "$user" -- "$@"; fi
}

pg_bin() {
  local dir
  dir="$(cat "$TOOLS_DIR/postgres.bindir" 2>/dev/null || true)"
  [[ -x "$dir/pg_ctl" ]] || die "PostgreSQL not provisioned: run npm run provision"
  echo "$dir/$1"
}

running_pid() {
  local pid
  pid="$(cat "$CLUSTER_DIR/$1.pid" 2>/dev/null || true)"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

listening() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

healthy() {
  "$TEMPORAL_BIN" operator cluster health --address "$ADDRESS" --command-timeout 2s 2>/dev/null | grep -q SERVING
}

pg_running() {
  as_pg "$(pg_bin pg_ctl)" status -D "$PG_DIR/data" >/dev/null 2>&1
}

start_postgres() {
  mkdir -p "$PG_DIR"
  chown "$(pg_user)" "$PG_DIR"
  as_pg test -w "$PG_DIR" ||
    die "the '$(pg_user)' account cannot write $PG_DIR (a parent folder is closed to it): set TEMPORAL_CLUSTER_DIR to a folder it can reach"
  if [[ ! -f "$PG_DIR/data/PG_VERSION" ]]; then
    say "postgresql: creating the database cluster in $PG_DIR/data"
    local pwfile="$PG_DIR/.pwfile"
    (umask 077 && echo "$DB_PASSWORD" >"$pwfile")
    chown "$(pg_user)" "$pwfile"
    as_pg "$(pg_bin initdb)" -D "$PG_DIR/data" -U "$DB_USER" --pwfile="$pwfile" \
      --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 ||
      { rm -f "$pwfile"; cat "$PG_DIR/initdb.log" >&2; die "initdb failed (log above)"; }
    rm -f "$pwfile"
  fi
  if pg_running; then
    return
  fi
  say "postgresql: starting on 127.0.0.1:$PG_PORT, log $PG_DIR/postgres.log"
  # TCP on the loopback only and no Unix socket (its path length and folder are machine-specific).
  as_pg "$(pg_bin pg_ctl)" start -w -t 60 -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200" >/dev/null ||
    { tail -n 20 "$PG_DIR/postgres.log" >&2; die "PostgreSQL did not start (is port $PG_PORT taken?)"; }
}

setup_schemas() {
  TEMPORAL_SQL_TOOL="$SQL_TOOL" TEMPORAL_SCHEMA_DIR="$TOOLS_DIR/temporal-schema/postgresql/v12" \
    TEMPORAL_DB_HOST=127.0.0.1 TEMPORAL_DB_PORT="$PG_PORT" TEMPORAL_DB_USER="$DB_USER" \
    TEMPORAL_DB_PASSWORD="$DB_PASSWORD" sh "$DEPLOY_DIR/setup-schema.sh" >"$CLUSTER_DIR/schema.log" 2>&1 ||
    { cat "$CLUSTER_DIR/schema.log" >&2; die "schema setup failed (log above)"; }
  grep -E '^(schema|database) ' "$CLUSTER_DIR/schema.log" | sed 's/^/==> /' || true
}

# The environment deploy/temporal/config.yaml is rendered with; docker-compose.yml sets the same names.
service_env() {
  local name
  echo "TEMPORAL_DB_HOST=127.0.0.1" "TEMPORAL_DB_PORT=$PG_PORT" "TEMPORAL_DB_USER=$DB_USER" \
    "TEMPORAL_DB_PASSWORD=$DB_PASSWORD" "NUM_HISTORY_SHARDS=$SHARDS" "BIND_ON_IP=127.0.0.1" \
    "TEMPORAL_BROADCAST_ADDRESS=127.0.0.1" "FRONTEND_HTTP_PORT=$((PORT + 10))" \
    "DYNAMIC_CONFIG_FILE_PATH=$DEPLOY_DIR/dynamicconfig.yaml"
  for name in $SERVICES; do
    local upper
    upper="$(tr '[:lower:]' '[:upper:]' <<<"$name")"
    echo "${upper}_GRPC_PORT=$((PORT + $(offset "$name")))" "${upper}_MEMBERSHIP_PORT=$((PORT + 100 + $(offset "$name")))"
  done
}

start_service() {
  local name="$1"
  if running_pid "$name" >/dev/null; then
    return
  fi
  say "temporal $name: starting, log $CLUSTER_DIR/$name.log"
  # shellcheck disable=SC2046
  env $(service_env) nohup "$SERVER_BIN" --config-file "$DEPLOY_DIR/config.yaml" --allow-no-auth \
    start --service "$name" >>"$CLUSTER_DIR/$name.log" 2>&1 &
  echo $! >"$CLUSTER_DIR/$name.pid"
  STARTED="$STARTED $name"
}

start_ui() {
  [[ "$UI_PORT" != "0" ]] || return 0
  if running_pid ui >/dev/null; then
    return
  fi
  say "temporal web ui: starting on http://localhost:$UI_PORT, log $CLUSTER_DIR/ui.log"
  TEMPORAL_ADDRESS="$ADDRESS" TEMPORAL_UI_PORT="$UI_PORT" \
    TEMPORAL_CODEC_ENDPOINT="${TEMPORAL_UI_CODEC_ENDPOINT:-$CODEC_ENDPOINT}" \
    TEMPORAL_CORS_ORIGINS="http://localhost:$UI_PORT,http://127.0.0.1:$UI_PORT" TEMPORAL_HIDE_LOGS=true \
    TEMPORAL_NOTIFY_ON_NEW_VERSION=false \
    nohup "$UI_BIN" --root "$TOOLS_DIR/ui-server" --env docker start >>"$CLUSTER_DIR/ui.log" 2>&1 &
  echo $! >"$CLUSTER_DIR/ui.pid"
}

wait_for() {
  local what="$1" seconds="$2"
  shift 2
  local deadline=$((SECONDS + seconds)) name
  until "$@"; do
    for name in $STARTED; do
      running_pid "$name" >/dev/null ||
        { tail -n 30 "$CLUSTER_DIR/$name.log" >&2; die "temporal $name exited during start-up (log above)"; }
    done
    ((SECONDS < deadline)) || die "$what not within ${seconds}s (logs: $CLUSTER_DIR/*.log)"
    sleep 1
  done
}

# deploy/temporal/setup-namespace.sh (docker-compose.yml's namespace job): fails until the cluster can take it.
namespace_ready() {
  TEMPORAL_CLI="$TEMPORAL_BIN" TEMPORAL_ADDRESS="$ADDRESS" TEMPORAL_NAMESPACE=default \
    sh "$DEPLOY_DIR/setup-namespace.sh" >>"$CLUSTER_DIR/namespace.log" 2>&1
}

# A workflow list answers only once the frontend knows the namespace and visibility is reachable: what a worker
# and a client need before they start.
visibility_ready() {
  "$TEMPORAL_BIN" workflow count --address "$ADDRESS" --namespace default --command-timeout 5s >/dev/null 2>&1
}

start() {
  bash "$ROOT_DIR/scripts/provision.sh" cli
  bash "$ROOT_DIR/scripts/provision.sh" cluster
  start_postgres
  setup_schemas
  local name
  # One at a time, each once it listens: on a new database the first service writes the cluster's metadata
  # record, and services starting together race to insert it.
  for name in $SERVICES; do
    start_service "$name"
    wait_for "temporal $name listening on 127.0.0.1:$((PORT + $(offset "$name")))" 90 listening "$((PORT + $(offset "$name")))"
  done
  wait_for "the cluster answering SERVING on $ADDRESS" 120 healthy
  wait_for "namespace default and its search attributes (log: $CLUSTER_DIR/namespace.log)" 90 namespace_ready
  wait_for "visibility queries" 60 visibility_ready
  start_ui
  say "Temporal cluster ready: frontend $ADDRESS, $SHARDS history shards, PostgreSQL 127.0.0.1:$PG_PORT"
  [[ "$UI_PORT" == "0" ]] || say "Web UI http://localhost:$UI_PORT (codec endpoint ${TEMPORAL_UI_CODEC_ENDPOINT:-$CODEC_ENDPOINT})"
  say "export TEMPORAL_ADDRESS=$ADDRESS"
  say "export VALIDATOR_DATABASE_URL=postgres://$DB_USER:$DB_PASSWORD@127.0.0.1:$PG_PORT/catering_validator   # validators sharing one ledger"
}

stop_pid_file() {
  local name="$1" pid
  if pid="$(running_pid "$name")"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    say "stopped $name"
  fi
  rm -f "$CLUSTER_DIR/$name.pid"
}

stop() {
  local name
  for name in ui frontend worker matching history; do stop_pid_file "$name"; done
  if [[ -f "$PG_DIR/data/PG_VERSION" ]] && pg_running; then
    as_pg "$(pg_bin pg_ctl)" stop -w -D "$PG_DIR/data" -m fast >/dev/null
    say "stopped postgresql"
  fi
  say "Temporal cluster stopped (state kept in $CLUSTER_DIR)"
}

status() {
  local name pid ok=0
  for name in $SERVICES ui; do
    if pid="$(running_pid "$name")"; then say "$name: running (pid $pid)"; else say "$name: not running"; fi
  done
  if [[ -f "$PG_DIR/data/PG_VERSION" ]] && pg_running; then say "postgresql: running on $PG_PORT"; else say "postgresql: not running"; fi
  if healthy; then say "cluster answering SERVING on $ADDRESS"; else say "cluster not answering on $ADDRESS"; ok=1; fi
  return $ok
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: $0 start|stop|status" ;;
esac
