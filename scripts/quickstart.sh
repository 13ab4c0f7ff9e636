#!/usr/bin/env bash
# `npm start`: the whole system on this machine. Installs and provisions what is missing, starts the dev
# server, the order worker, the validator, the codec server and the desk, runs the sample orders and says where to look.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT_DIR"

use_supported_node
ensure_node_modules
# The CLI (its dev server and Web UI) is all the quick start runs; the cluster, the test servers and Chromium are
# provisioned by the commands that use them.
bash scripts/provision.sh cli
ensure_codec_keys
ensure_build
bash scripts/dev-server.sh start
export TEMPORAL_ADDRESS="${TEMPORAL_ADDRESS:-$DEV_IP:$DEV_PORT}"

bash scripts/processes.sh start codec-server
bash scripts/processes.sh start desk
DESK_URL="http://${DESK_HOST:-127.0.0.1}:${DESK_PORT:-8080}"
DESK_TOKEN_FILE="${DESK_TOKEN_FILE:-.temporal/desk-token}"
# The order worker joins the worker deployment `catering-orders` at its release's version (src/infra/config.ts), as it does
# however it is started; the first version makes itself current (docs/changing-workflows.md).
bash scripts/processes.sh start worker
# The validator starts only after the first sample order is in: it shows an order accepted and waiting
# while the CreditCardValidator is away, as the reference requires.
bash scripts/processes.sh stop validator
node_modules/.bin/tsx src/bin/demo.ts before-validator
bash scripts/processes.sh start validator
node_modules/.bin/tsx src/bin/demo.ts

run_id="$(node -p 'require(require("path").resolve(process.argv[1])).runId' "${CATERING_DATA_DIR:-.temporal/data}/demo-run.json")"
# One order as a shop's website places it, through the desk's API, left for its customer and caterer to answer through
# their links (the desk's pages).
desk_order="$run_id-desk"
desk_token="$(cat "$DESK_TOKEN_FILE")"
desk_api() { curl -fsS -H "authorization: Bearer $desk_token" -H 'content-type: application/json' "$@"; }
desk_api -X POST "$DESK_URL/api/orders" -o /dev/null -d @- <<JSON
{"orderId": "$desk_order", "customerId": "customer-grace", "amount": 180, "currency": "EUR",
 "card": {"number": "4111 1111 1111 1111", "expiry": "12/30", "holder": "Grace Hopper"},
 "menus": [{"menuId": "A", "catererId": "caterer-anna"}, {"menuId": "B", "catererId": "caterer-ben"}]}
JSON
# The order hands its menus to its match in an activity just after it answers: until then the links are a 503 with
# Retry-After, which curl's --retry waits out.
links="$(desk_api --retry 20 -X POST "$DESK_URL/api/orders/$desk_order/links" -d "{}")"
link() { node -p "const l = JSON.parse(process.argv[1]); $1" "$links"; }

cat <<INFO

$(say "running")
  Web UI        http://localhost:$DEV_UI_PORT  (filter: OrderStatus = "Confirmed", MatchStatus = "AwaitingConfirmations")
                payloads decoded by the codec server $CODEC_ENDPOINT, card numbers masked to the last four digits
  desk          $DESK_URL   (operator token in $DESK_TOKEN_FILE; API $DESK_URL/api/openapi.json)
                order $desk_order awaits its customer and caterers:
                customer     $(link 'l.customer.url')
                caterer-anna $(link 'l.caterers.find((c) => c.catererId === "caterer-anna").url')
  Temporal      $TEMPORAL_ADDRESS   ($TEMPORAL_BIN --codec-endpoint $CODEC_ENDPOINT workflow show --workflow-id order-$run_id-matched)
                histories hold ciphertext only: without --codec-endpoint the CLI shows encrypted payloads
  logs          .temporal/run/{worker,validator,codec-server,desk}.log, .temporal/dev-server/server.log
  keys          .temporal/codec-keys (AES-256-GCM, mode 0600; npm run codec-keys -- rotate)
  alerts        .temporal/data/alerts.jsonl        confirmations  .temporal/data/order-confirmations.jsonl
  versions      npm run cli -- versions   ($TEMPORAL_BIN worker deployment describe --name catering-orders)
  try           npm run cli -- list      npm run cli -- help
                curl -H "authorization: Bearer \$(cat $DESK_TOKEN_FILE)" $DESK_URL/api/orders/$desk_order
  stop          npm run stop   (state stays in .temporal/dev-server/temporal.sqlite)
INFO
