#!/usr/bin/env bash
# `npm run benchmark`: on a supported Node, with dist/ up to date (the soak runs the built order worker, as
# `npm start` does), then scripts/benchmark.ts with the arguments given.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT_DIR"
use_supported_node quiet
ensure_node_modules
bash scripts/provision.sh cli
ensure_build
exec node_modules/.bin/tsx scripts/benchmark.ts "$@"
