#!/usr/bin/env bash
# Provisions the Temporal toolchain this project runs against, into .temporal/tools (git-ignored):
#   - the `temporal` CLI (dev server + Web UI): the one on PATH, else built from its Go module,
#     else downloaded from temporal.download when that is reachable;
#   - the Java time-skipping test server: Maven artifact io.temporal:temporal-test-server and a launcher
#     the SDK starts as `server.executable: {type: 'existing-path'}`; without Java the SDK downloads its own;
#   - a Chromium for the Web UI test (driven by playwright-core): CHROMIUM_PATH, else one on PATH, else
#     Debian's `chromium` package when running as root.
# Idempotent: a second run finds the stamped versions and builds nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CLI_MODULE="github.com/temporalio/cli/cmd/temporal"
# v1.5.1 is the newest tag `go install` accepts: later tags carry a `replace` directive.
CLI_VERSION="v1.5.1"
TEST_SERVER_VERSION="1.38.0"

mkdir -p "$TOOLS_DIR/bin"

provision_cli() {
  local target="$TOOLS_DIR/bin/temporal" stamp="$TOOLS_DIR/bin/temporal.source"
  local on_path
  on_path="$(PATH="$(path_without_tools)" command -v temporal || true)"
  if [[ -n "$on_path" ]]; then
    ln -sfn "$on_path" "$target"
    echo "path:$on_path" >"$stamp"
    say "temporal CLI: using $on_path ($("$on_path" --version 2>/dev/null | head -1))"
    return
  fi
  if [[ -x "$target" && "$(cat "$stamp" 2>/dev/null)" == "go:$CLI_VERSION" ]]; then
    say "temporal CLI: $CLI_VERSION already built at $target"
    return
  fi
  if command -v go >/dev/null 2>&1; then
    say "temporal CLI: building $CLI_MODULE@$CLI_VERSION with $(go version | awk '{print $3}')"
    say "  (first build downloads the Temporal server's modules and compiles them: 3-10 minutes on 2 cores)"
    rm -f "$target"
    local started=$SECONDS
    GOBIN="$TOOLS_DIR/bin" go install "$CLI_MODULE@$CLI_VERSION" 2>&1 |
      sed -u 's/^/  go: /' | grep --line-buffered -v '^  go: go: downloading' || true
    [[ -x "$target" ]] || die "go install $CLI_MODULE@$CLI_VERSION did not produce $target (see the output above)"
    echo "go:$CLI_VERSION" >"$stamp"
    say "temporal CLI: built in $((SECONDS - started))s"
    return
  fi
  if internet_reachable; then
    local os arch
    os="$(uname -s | tr '[:upper:]' '[:lower:]')"
    arch="$(uname -m)"; [[ "$arch" == "x86_64" ]] && arch="amd64"; [[ "$arch" == "aarch64" ]] && arch="arm64"
    say "temporal CLI: no Go toolchain; downloading the latest release for $os/$arch from temporal.download"
    curl -fsSL "https://temporal.download/cli/archive/latest?platform=$os&arch=$arch" | tar -xz -C "$TOOLS_DIR/bin" temporal
    echo "download:latest" >"$stamp"
    return
  fi
  die "no temporal CLI: put one on PATH (https://docs.temporal.io/cli), or install Go >= 1.23 so it can be built from source, or allow access to temporal.download"
}

provision_test_server() {
  local dir="$TOOLS_DIR/test-server" launcher="$TOOLS_DIR/test-server/temporal-test-server"
  if [[ -x "$launcher" && "$(cat "$dir/version" 2>/dev/null)" == "$TEST_SERVER_VERSION" ]]; then
    say "time-skipping test server: $TEST_SERVER_VERSION already at $launcher"
    return
  fi
  if ! command -v java >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1; then
    rm -f "$launcher"
    if internet_reachable; then
      say "time-skipping test server: no Java 17 + Maven; tests will let the Temporal SDK download its own build"
      return
    fi
    die "no time-skipping test server: install Java 17+ and Maven (apt-get install openjdk-17-jdk-headless maven), or allow access to temporal.download"
  fi
  say "time-skipping test server: fetching io.temporal:temporal-test-server:$TEST_SERVER_VERSION and its dependencies with Maven"
  mkdir -p "$dir"
  cat >"$dir/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.provision</groupId>
  <artifactId>temporal-test-server-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId><version>$TEST_SERVER_VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-nop</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
EOF
  rm -rf "$dir/lib"
  (cd "$dir" && mvn -B -q -ntp -Dstyle.color=never dependency:copy-dependencies -DoutputDirectory=lib) ||
    die "Maven could not fetch io.temporal:temporal-test-server:$TEST_SERVER_VERSION (is Maven Central reachable?)"
  cat >"$launcher" <<'EOF'
#!/usr/bin/env bash
# Launches the Java time-skipping test server: temporal-test-server <port> [--enable-time-skipping]
exec java ${TEMPORAL_TEST_SERVER_JAVA_OPTS:--Xss1m} -cp "$(dirname "$0")/lib/*" io.temporal.testserver.TestServer "$@"
EOF
  chmod +x "$launcher"
  echo "$TEST_SERVER_VERSION" >"$dir/version"
  say "time-skipping test server: $TEST_SERVER_VERSION ready ($(ls "$dir/lib" | wc -l) jars)"
}

provision_chromium() {
  local found="${CHROMIUM_PATH:-}" name
  if [[ -z "$found" ]]; then
    for name in chromium chromium-browser google-chrome; do
      found="$(command -v "$name" || true)"
      [[ -n "$found" ]] && break
    done
  fi
  if [[ -z "$found" ]] && apt_install_as_root chromium "the Web UI test"; then
    found="$(command -v chromium || true)"
  fi
  [[ -n "$found" && -x "$found" ]] ||
    die "no Chromium for the Web UI test: run \`sudo apt-get install chromium\` (Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium or Chrome executable"
  echo "$found" >"$TOOLS_DIR/chromium.path"
  say "chromium: $found"
}

provision_cli
provision_test_server
provision_chromium
# The Temporal server, its SQL tool, the Web UI server and PostgreSQL, for `npm run cluster:start` and its tests.
bash "$(dirname "${BASH_SOURCE[0]}")/provision-cluster.sh"
say "toolchain ready under $TOOLS_DIR"
