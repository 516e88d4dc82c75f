#!/usr/bin/env bash
# Configures and builds clas-ledger in ./build with Ninja (two parallel jobs by default).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${CLAS_JOBS:-2}"
if [ ! -f build/build.ninja ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="${CLAS_BUILD_TYPE:-RelWithDebInfo}" >/dev/null
fi
ninja -C build -j "$jobs" "$@"
