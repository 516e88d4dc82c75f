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
  # Reliability (fuzzing and sanitizers): clang with its sanitizer and libFuzzer runtimes.
  clang libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
