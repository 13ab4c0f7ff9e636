#!/usr/bin/env bash
# Provisions what `npm run cluster:start` (scripts/cluster.sh) and the cluster test suite run, into .temporal/tools
# (git-ignored), called by scripts/provision.sh:
#   - temporal-server and temporal-sql-tool, built from the Temporal server's Go module at SERVER_VERSION;
#   - temporal-ui-server, the Web UI, built from its Go module at UI_VERSION;
#   - PostgreSQL: a `postgres`/`initdb` on PATH, else Debian's usual place (/usr/lib/postgresql/<n>/bin), else
#     Debian's `postgresql` package when running as root. The folder used is written to
#     .temporal/tools/postgres.bindir.
# Pinned and stamped: a second run finds the stamps and builds nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The newest server release, the minor of the dev server that CLI 1.9.1 embeds (1.32.0); this
# project's workers, CLI and the README's commands run unchanged on both.
SERVER_MODULE="go.temporal.io/server"
SERVER_VERSION="v1.32.2"
UI_MODULE="github.com/temporalio/ui-server/v2"
# The newest UI server whose dependencies the Go module proxy serves: v2.58.x needs go.temporal.io/api v1.64.0, which
# it does not. Web UI 2.56 against server 1.32, as the dev server's 2.54 is.
UI_VERSION="v2.56.4"
# The server's and the UI server's go.mod ask for Go 1.26.10: the Go command fetches that toolchain from the module proxy when the
# installed one is older, and keeps a newer one.
SERVER_GOTOOLCHAIN="${SERVER_GOTOOLCHAIN:-go1.26.10+auto}"

BIN="$TOOLS_DIR/bin"
mkdir -p "$BIN"

# go_build <binary name> <module>/<package path> <version> [GOTOOLCHAIN]: go install into a scratch GOBIN (every
# package here is called `server` or `sql`), then the binary under its own name, stamped with what was built.
go_build() {
  local name="$1" package="$2" version="$3" toolchain="${4:-}"
  local target="$BIN/$name" stamp="$BIN/$name.source" want="go:$package@$version"
  if [[ -x "$target" && "$(cat "$stamp" 2>/dev/null)" == "$want" ]]; then
    say "$name: $version already built at $target"
    return
  fi
  command -v go >/dev/null 2>&1 ||
    die "no Go toolchain to build $name: install Go >= 1.23 (https://go.dev/dl/), which fetches the Go version $package asks for"
  say "$name: building $package@$version (first build: a few minutes on 2 cores)"
  local scratch started=$SECONDS
  scratch="$(mktemp -d "$TOOLS_DIR/gobin.XXXXXX")"
  env ${toolchain:+GOTOOLCHAIN=$toolchain} GOBIN="$scratch" nice -n 5 go install "$package@$version" 2>&1 |
    sed -u 's/^/  go: /' | grep --line-buffered -v '^  go: go: downloading' || true
  local built
  built="$(find "$scratch" -maxdepth 1 -type f -perm -u+x | head -1)"
  [[ -n "$built" ]] || { rm -rf "$scratch"; die "go install $package@$version produced no binary (see the output above)"; }
  mv -f "$built" "$target"
  rm -rf "$scratch"
  echo "$want" >"$stamp"
  say "$name: built in $((SECONDS - started))s"
}

# The schemas ship in the server's module; the build above leaves that module in the Go module cache.
provision_schemas() {
  local dest="$TOOLS_DIR/temporal-schema" stamp="$TOOLS_DIR/temporal-schema/version" src
  if [[ -d "$dest/postgresql/v12" && "$(cat "$stamp" 2>/dev/null)" == "$SERVER_VERSION" ]]; then
    say "temporal schemas: $SERVER_VERSION already at $dest"
    return
  fi
  src="$(go env GOMODCACHE)/$SERVER_MODULE@$SERVER_VERSION/schema"
  if [[ ! -d "$src" ]]; then
    (cd "$TOOLS_DIR" && GOTOOLCHAIN="$SERVER_GOTOOLCHAIN" go mod download "$SERVER_MODULE@$SERVER_VERSION") ||
      die "could not download $SERVER_MODULE@$SERVER_VERSION for its schemas"
  fi
  [[ -d "$src/postgresql/v12" ]] || die "no PostgreSQL schemas at $src/postgresql/v12"
  rm -rf "$dest"
  mkdir -p "$dest"
  cp -R "$src/postgresql" "$dest/"
  chmod -R u+w "$dest"
  echo "$SERVER_VERSION" >"$stamp"
  say "temporal schemas: $SERVER_VERSION copied to $dest"
}

# The UI server reads its settings from <root>/config/<env>.yaml; its module's docker.yaml is a template over
# environment variables (TEMPORAL_ADDRESS, TEMPORAL_UI_PORT, TEMPORAL_CODEC_ENDPOINT, ...), as in the
# temporalio/ui image that docker-compose.yml runs.
provision_ui_config() {
  local dest="$TOOLS_DIR/ui-server" src
  if [[ -f "$dest/config/docker.yaml" && "$(cat "$dest/version" 2>/dev/null)" == "$UI_VERSION" ]]; then
    return
  fi
  src="$(go env GOMODCACHE)/github.com/temporalio/ui-server/v2@$UI_VERSION/config"
  [[ -f "$src/docker.yaml" ]] || die "no UI server config at $src (did the build of $UI_MODULE@$UI_VERSION run?)"
  rm -rf "$dest"
  mkdir -p "$dest/config"
  cp "$src/docker.yaml" "$src/base.yaml" "$dest/config/" 2>/dev/null || cp "$src/docker.yaml" "$dest/config/"
  chmod -R u+w "$dest"
  echo "$UI_VERSION" >"$dest/version"
}

provision_postgres() {
  local stamp="$TOOLS_DIR/postgres.bindir" dir="" candidate
  if command -v initdb >/dev/null 2>&1 && command -v postgres >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dir="$(dirname "$(command -v initdb)")"
  else
    for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
      if [[ -x "$candidate/initdb" && -x "$candidate/postgres" && -x "$candidate/pg_ctl" ]]; then
        dir="$candidate"
        break
      fi
    done
  fi
  if [[ -z "$dir" ]] && apt_install_as_root postgresql "the cluster"; then
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r | head -1)"
  fi
  [[ -n "$dir" && -x "$dir/initdb" ]] ||
    die "no PostgreSQL for the cluster: install it (sudo apt-get install postgresql, brew install postgresql@15) or put its initdb/postgres/pg_ctl on PATH"
  echo "$dir" >"$stamp"
  say "postgresql: $("$dir/postgres" --version) from $dir"
}

go_build temporal-server "$SERVER_MODULE/cmd/server" "$SERVER_VERSION" "$SERVER_GOTOOLCHAIN"
go_build temporal-sql-tool "$SERVER_MODULE/cmd/tools/sql" "$SERVER_VERSION" "$SERVER_GOTOOLCHAIN"
go_build temporal-ui-server "$UI_MODULE/cmd/server" "$UI_VERSION" "$SERVER_GOTOOLCHAIN"
provision_ui_config
provision_schemas
provision_postgres
