#!/usr/bin/env bash
# Installs what clas-ledger needs from Debian 12's archive, and nothing when all is there.
# Non-interactive and idempotent; quiet when there is nothing to do.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  # Keeps compilations across builds, clones and worktrees (tools/build.sh); mold links.
  ccache mold
  librocksdb-dev
  libprotobuf-dev protobuf-compiler
  libgrpc++-dev protobuf-compiler-grpc
  libabsl-dev
  libgtest-dev libgmock-dev
  libssl-dev openssl
  # The server's Prometheus metrics endpoint (server/metrics.h): prometheus-cpp core and pull.
  prometheus-cpp-dev
  # The allocator of the ordinary build (CMakeLists.txt, CLAS_JEMALLOC).
  libjemalloc-dev
  # Benchmarks (tools/bench): PostgreSQL 15, the usual alternative they are measured against.
  postgresql-15 libpq-dev
  # The Debian package (tools/package.sh, tests/tools/package_*): dpkg-shlibdeps computes its
  # dependencies, systemd-analyze checks its unit.
  dpkg-dev systemd
  # The compiler of tools/build.sh, and of the sanitizer build and the fuzzers with its runtimes.
  clang libclang-rt-14-dev
  # The Python client (clients/python) and its test: gRPC for Debian's /usr/bin/python3.
  python3-grpcio
  # The cluster's leader election (server/cluster/): etcd 3.4 decides who leads; its tests start
  # their own etcd (etcd-server), etcdctl helps by hand (etcd-client). Its v3 API's .proto files
  # are ours to compile: a trimmed copy in proto/third_party/etcd/.
  etcd-server etcd-client
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# buf (tools/buf) runs on Node.js: Debian's nodejs and npm, unless a Node.js with its npm is
# already installed (Debian's npm conflicts with other builds of nodejs).
command -v npm >/dev/null || missing+=(nodejs npm)

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# buf, the API's linter and breaking-change checker (tools/test.sh, stage api), at the version
# tools/buf/package-lock.json pins; again whenever the lock file changed since.
buf_dir="$(dirname "$0")/buf"
if [ ! -x "$buf_dir/node_modules/.bin/buf" ] ||
  [ "$buf_dir/package-lock.json" -nt "$buf_dir/node_modules/.package-lock.json" ]; then
  echo "Installing buf (npm ci in tools/buf)"
  (cd "$buf_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
