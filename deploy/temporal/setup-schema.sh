#!/bin/sh
# Creates or upgrades Temporal's two PostgreSQL databases (`temporal` and `temporal_visibility`) with
# temporal-sql-tool: the same script for `npm run cluster:start` (scripts/cluster.sh) and for docker-compose.yml's
# one-shot `temporal-schema` job (temporalio/admin-tools). Safe to run again: an existing database is upgraded
# to the schema versions the server release ships, never recreated.
#   TEMPORAL_DB_HOST, TEMPORAL_DB_PORT, TEMPORAL_DB_USER, TEMPORAL_DB_PASSWORD   the PostgreSQL server
#   TEMPORAL_SQL_TOOL   the tool (default: temporal-sql-tool on PATH)
#   TEMPORAL_SCHEMA_DIR the server release's schema/postgresql/v12 folder (default: where admin-tools has it)
set -eu

tool="${TEMPORAL_SQL_TOOL:-temporal-sql-tool}"
schema_dir="${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}"
export SQL_PASSWORD="${TEMPORAL_DB_PASSWORD:-temporal}"

sql() {
  "$tool" --plugin postgres12 --endpoint "${TEMPORAL_DB_HOST:-postgresql}" --port "${TEMPORAL_DB_PORT:-5432}" \
    --user "${TEMPORAL_DB_USER:-temporal}" --database "$@"
}

for pair in "${TEMPORAL_DB_NAME:-temporal}:temporal" "${TEMPORAL_VISIBILITY_DB_NAME:-temporal_visibility}:visibility"; do
  db="${pair%%:*}"
  kind="${pair#*:}"
  sql "$db" create-database >/dev/null 2>&1 || true # already there: fine, anything else shows up below
  # setup-schema -v 0.0 makes the version tables on an empty database only; then update-schema applies every
  # versioned step past the database's current version (none on a second run).
  if ! sql "$db" update-schema --schema-dir "$schema_dir/$kind/versioned" >/dev/null 2>&1; then
    sql "$db" setup-schema --version 0.0
    sql "$db" update-schema --schema-dir "$schema_dir/$kind/versioned"
  fi
  echo "schema $db: $kind schema up to date"
done

# The app's own databases on the same server (the validator's ledger: VALIDATOR_DATABASE_URL); the validator makes
# its tables itself.
for db in ${APP_DATABASES-catering_validator}; do
  sql "$db" create-database >/dev/null 2>&1 || true
  echo "database $db: present"
done
