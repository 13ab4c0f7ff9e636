#!/usr/bin/env bash
# Runs a command on a supported Node (22.13 or later): the machine's, or where it is older the Node 24 that
# scripts/node24.sh provisions, which node_modules was then installed for. What the npm scripts that run the app's
# code go through, so that `npm run cli` on an older Node runs what `npm start` installed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
use_supported_node quiet
exec "$@"
