#!/usr/bin/env bash
# The test command (`npm test`): installs what is missing, provisions the Temporal servers, then
# typecheck, lint, format check and every jest suite against real Temporal servers.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT_DIR"

ensure_node_modules
bash scripts/provision.sh
ensure_codec_keys

say "typecheck"
node_modules/.bin/tsc --noEmit -p .
# What the app processes and the image run; test/build.test.ts starts the order worker from it.
ensure_build
say "lint and format"
node_modules/.bin/eslint .
node_modules/.bin/prettier --check . >/dev/null || { node_modules/.bin/prettier --list-different .; die "files above are not formatted: npm run format"; }

# The JSON reports are what .ci/run counts (both passes); jest's own summary is for people.
mkdir -p .temporal
rm -f .temporal/jest-results.json .temporal/jest-results-node24.json
status=0
say "jest under Node $(node --version) (time-skipping test server, dev server, real worker processes)"
node_modules/.bin/jest --ci --json --outputFile=.temporal/jest-results.json "$@" || status=$?

# The whole suite again under Node 24, the active LTS, while machines still run Node 20. TEST_NODE24=0 skips it.
if [[ "${TEST_NODE24:-1}" == 0 ]]; then
  say "Node 24 pass skipped (TEST_NODE24=0)"
elif [[ "$(node --version)" == v24.* ]]; then
  say "Node 24 pass: the pass above already ran on Node 24"
else
  bash scripts/node24.sh
  say "jest under Node $("$TOOLS_DIR/node24/bin/node" --version)"
  PATH="$TOOLS_DIR/node24/bin:$PATH" NODE_OPTIONS="--require $ROOT_DIR/scripts/node24-addons.cjs ${NODE_OPTIONS:-}" \
    "$TOOLS_DIR/node24/bin/node" node_modules/.bin/jest --ci --json --outputFile=.temporal/jest-results-node24.json \
    "$@" || status=$?
fi
exit $status
