#!/bin/sh
# Registers the namespace and the app's search attributes on a running cluster: the same script for
# `npm run cluster:start` (scripts/cluster.sh, which retries it until it succeeds) and for docker-compose.yml's
# one-shot `temporal-namespace` job (temporalio/admin-tools, restarted on failure). Exits non-zero while the
# cluster cannot take it yet; a second run changes nothing.
#   TEMPORAL_ADDRESS    the frontend (default temporal-frontend:7233)
#   TEMPORAL_NAMESPACE  default `default`, kept for NAMESPACE_RETENTION (default 72h)
#   TEMPORAL_CLI        the temporal CLI (default: temporal on PATH)
set -eu

cli="${TEMPORAL_CLI:-temporal}"
address="${TEMPORAL_ADDRESS:-temporal-frontend:7233}"
namespace="${TEMPORAL_NAMESPACE:-default}"

if ! "$cli" operator namespace describe --address "$address" --namespace "$namespace" >/dev/null 2>&1; then
  "$cli" operator namespace create --address "$address" --namespace "$namespace" \
    --retention "${NAMESPACE_RETENTION:-72h}" >/dev/null
  echo "namespace $namespace: created"
fi

existing="$("$cli" operator search-attribute list --address "$address" --namespace "$namespace")"
for name in OrderStatus CustomerId MatchStatus; do
  if ! printf '%s\n' "$existing" | grep -qw "$name"; then
    "$cli" operator search-attribute create --address "$address" --namespace "$namespace" \
      --name "$name" --type Keyword >/dev/null
    echo "search attribute $name: registered"
  fi
done
