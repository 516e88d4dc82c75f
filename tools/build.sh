#!/usr/bin/env bash
# Configures and builds clas-ledger in ./build with Ninja (two parallel jobs by default).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${CLAS_JOBS:-2}"
# ccache (tools/setup.sh installs it) keeps compilations across clean builds; paths are hashed
# relative to the repository, so that every clone and worktree of it shares them.
export CCACHE_BASEDIR="$PWD"
# With -g, ccache would hash the build directory too (the debug info names it): not across trees.
export CCACHE_NOHASHDIR=1
# The test programs' precompiled headers (tests/CMakeLists.txt) are cached too.
export CCACHE_SLOPPINESS="pch_defines,time_macros,include_file_mtime,include_file_ctime"
# clang when installed (tools/setup.sh installs it, for the sanitizer build too): it compiled our
# libraries in 60 to 75 % of g++'s time, the test files in under half. `CXX=g++ tools/build.sh` in a new
# build directory builds with g++; the ThreadSanitizer build of tools/test.sh is g++'s.
if [ -z "${CXX:-}" ] && command -v clang++ >/dev/null; then
  export CXX=clang++
fi
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
if [ ! -f build/build.ninja ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="${CLAS_BUILD_TYPE:-RelWithDebInfo}" \
    "${launcher[@]}" >/dev/null
fi
ninja -C build -j "$jobs" "$@"
