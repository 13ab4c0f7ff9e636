#!/usr/bin/env bash
# The test command (`npm test`): on a supported Node (lib.sh's use_supported_node), installs what is missing,
# provisions the Temporal servers, Chromium and the cluster, then typecheck, lint, format check and every jest
# suite, once, against real Temporal servers.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT_DIR"

use_supported_node
ensure_node_modules
bash scripts/provision.sh all
ensure_codec_keys

say "typecheck"
node_modules/.bin/tsc --noEmit -p .
# What the app processes and the image run; test/build.test.ts starts the order worker from it.
ensure_build
say "lint and format"
node_modules/.bin/eslint .
node_modules/.bin/prettier --check . >/dev/null || { node_modules/.bin/prettier --list-different .; die "files above are not formatted: npm run format"; }

# The JSON report is what .ci/run counts; jest's own summary is for people.
mkdir -p .temporal
rm -f .temporal/jest-results.json
say "jest under Node $(node --version) (time-skipping test server, dev server, cluster, real worker processes)"
exec node_modules/.bin/jest --ci --json --outputFile=.temporal/jest-results.json "$@"
