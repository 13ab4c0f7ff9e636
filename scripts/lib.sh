# Shared by the scripts in this folder: locations and small helpers. Sourced, not run.
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="$ROOT_DIR/.temporal/tools"
TEMPORAL_BIN="$TOOLS_DIR/bin/temporal"
DEV_DIR="${TEMPORAL_DEV_DIR:-$ROOT_DIR/.temporal/dev-server}"
DEV_IP="${TEMPORAL_DEV_IP:-127.0.0.1}"
DEV_PORT="${TEMPORAL_DEV_PORT:-7233}"
DEV_UI_PORT="${TEMPORAL_DEV_UI_PORT:-8233}"
CODEC_ENDPOINT="http://127.0.0.1:${CODEC_PORT:-8888}"

say() { printf '\033[1m==>\033[0m %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

path_without_tools() {
  local IFS=: out=() p
  for p in $PATH; do [[ "$p" == "$TOOLS_DIR/bin" ]] || out+=("$p"); done
  echo "${out[*]}"
}

internet_reachable() {
  curl -sfI -m 5 -o /dev/null https://temporal.download/ 2>/dev/null
}

# Payload encryption needs a key before any client or worker starts; the key file is made once, mode 0600.
ensure_codec_keys() {
  (cd "$ROOT_DIR" && node_modules/.bin/tsx src/bin/codec-keys.ts create) | sed 's/^/==> codec keys: /'
}

# Installs a Debian package when this runs as root on a machine with apt-get; returns 1 (installing nothing) where
# it cannot, so the caller can say what to install by hand.
apt_install_as_root() {
  local package=$1 purpose=$2
  [[ "$(id -u)" == "0" ]] && command -v apt-get >/dev/null 2>&1 || return 1
  say "$package: installing Debian's $package package for $purpose (apt-get)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null) ||
    die "apt-get install $package failed (see above)"
}

# The supported Node is 22.13 or later (23.4 or later on the odd line; package.json engines): the first releases
# whose `node:sqlite`, which the validator's ledger uses, needs no flag. Where the machine's `node` is older, Node 24
# from the npm registry (scripts/node24.sh) goes first on PATH for this script and everything it starts, npm included
# (its launcher runs on the `node` on PATH). `quiet`: say nothing unless Node 24 has to be fetched.
use_supported_node() {
  local version
  version="$(node -p 'process.versions.node' 2>/dev/null || echo 0.0.0)"
  node_is_supported "$version" && return
  bash "$ROOT_DIR/scripts/node24.sh"
  export PATH="$TOOLS_DIR/node24/bin:$PATH"
  [[ "${1:-}" == quiet ]] || say "Node $(node --version) (.temporal/tools/node24; the machine's Node $version is older than 22.13)"
}

# Whether Node <version> (e.g. 22.13.0) is one package.json's engines accepts.
node_is_supported() {
  local major minor
  IFS=. read -r major minor _ <<<"$1"
  ((major >= 24 || (major == 23 && minor >= 4) || (major == 22 && minor >= 13)))
}

# node_modules as package-lock.json has it. Nothing in it is compiled (its native binaries are prebuilt Node-API
# ones, which load in any Node), so it serves whichever supported Node runs.
ensure_node_modules() {
  if [[ ! -d "$ROOT_DIR/node_modules/@temporalio/worker" || "$ROOT_DIR/package-lock.json" -nt "$ROOT_DIR/node_modules/.package-lock.json" ]]; then
    say "installing npm dependencies from package-lock.json"
    # The lock lists every platform's native binaries (test/package-lock.test.ts keeps it so), so `npm ci` installs
    # exactly it, anywhere.
    (cd "$ROOT_DIR" && npm ci --no-audit --no-fund)
  fi
}

# `npm run build` when dist/ is missing or older than anything it is made of: the app processes run from dist/.
ensure_build() {
  local bundle="$ROOT_DIR/dist/workflow-bundle.js"
  if [[ -f "$bundle" ]] && [[ -z "$(cd "$ROOT_DIR" && find src workflows activities package-lock.json tsconfig.json \
    tsconfig.build.json -newer "$bundle" -print -quit)" ]]; then
    return
  fi
  say "building dist/ (tsc and the prebuilt workflow bundle)"
  (cd "$ROOT_DIR" && npm run -s build) | sed 's/^/    /'
}
