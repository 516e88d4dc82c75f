#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test. Exits non-zero on any failure.
#
# Stages, all run by default (CI), or the ones named in CLAS_TEST_STAGES, in this order:
#   api    buf lint of proto/, and buf breaking against the released API (proto/clas-v1-api.binpb)
#   unit   the suite in ./build (the ordinary build), ctest
#   asan   the suite built with AddressSanitizer + UndefinedBehaviorSanitizer in ./build-san
#          (clang, CLAS_SANITIZE=ON), ctest; any report fails the test
#   tsan   the concurrency tests built with ThreadSanitizer in ./build-tsan (CLAS_TSAN=ON)
#   fuzz   each libFuzzer target for CLAS_FUZZ_SECONDS (default 20) seconds: tools/fuzz.sh, on
#          the same ./build-san (its libraries carry the fuzzers' coverage instrumentation)
# e.g. CLAS_TEST_STAGES=unit tools/test.sh for the quick loop of a developer.
set -euo pipefail
cd "$(dirname "$0")/.."
stages="${CLAS_TEST_STAGES:-api unit asan tsan fuzz}"
jobs="${CLAS_JOBS:-2}"
tools/setup.sh

# ccache as tools/build.sh sets it: shared by clones and worktrees, precompiled headers cached.
export CCACHE_BASEDIR="$PWD"
# With -g, ccache would hash the build directory too (the debug info names it): not across trees.
export CCACHE_NOHASHDIR=1
export CCACHE_SLOPPINESS="pch_defines,time_macros,include_file_mtime,include_file_ctime"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# configure DIR OPTION...: once, the first time.
configure() {
  local dir="$1"
  shift
  [ -f "$dir/build.ninja" ] || cmake -S . -B "$dir" -G Ninja "${launcher[@]}" "$@" >/dev/null
}
has_stage() { [[ " $stages " == *" $1 "* ]]; }
timings=()
timed() {  # timed NAME COMMAND...: runs it, remembers its duration
  local name="$1" start=$SECONDS
  shift
  echo "=== stage $name"
  "$@"
  timings+=("$name $((SECONDS - start))s")
}

# The concurrency tests (tests/CMakeLists.txt, tsan_tests): the event log's concurrent writers,
# group commit and subscriptions, and the token table reloaded while calls authenticate and open
# calls recheck their token (every test of auth_test.cc). The server's gRPC tests, the revocation
# tests included, are left out: Debian's gRPC is not built for ThreadSanitizer, whose reports
# inside it (its own locks, which it cannot see) are not ours. tests/tsan_absl.cc makes Abseil's
# locks visible to it.

unit() {
  tools/build.sh
  ctest --test-dir build --output-on-failure -j "$jobs" --timeout 900
}

asan() {
  # -O1 (CMAKE_BUILD_TYPE=Debug here): what the sanitizers' authors advise, and a quicker build.
  # tools/fuzz.sh configures ./build-san the same way.
  CC=clang CXX=clang++ configure build-san -DCMAKE_BUILD_TYPE=Debug -DCLAS_SANITIZE=ON
  ninja -C build-san -j "$jobs"
  # The random histories and the simulation in a quarter of their seeds (they were half of this
  # stage's test time): the sanitizers watch the code's memory and arithmetic, which every seed
  # runs through the same functions; stage unit runs all the seeds, for the rules.
  CLAS_PROPERTY_SEEDS_PER_BLOCK=6 CLAS_SIM_SEEDS=20 \
  ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1" \
    UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
    LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0" \
    ctest --test-dir build-san --output-on-failure -j "$jobs" --timeout 900
}

tsan() {
  configure build-tsan -DCMAKE_BUILD_TYPE=Debug -DCLAS_TSAN=ON
  ninja -C build-tsan -j "$jobs" tsan_tests
  TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp" \
    ctest --test-dir build-tsan --output-on-failure -j "$jobs" --timeout 900 -R '^tsan\.'
}

fuzz() {
  tools/fuzz.sh --seconds "${CLAS_FUZZ_SECONDS:-20}"
}

# The API's schemas: every rule of proto/buf.yaml, and nothing incompatible with the released
# API (the README's "Using the API from another language" says how to refresh it at a release).
api() {
  local buf=tools/buf/node_modules/.bin/buf  # installed by tools/setup.sh
  "$buf" lint proto
  "$buf" breaking proto --against proto/clas-v1-api.binpb
}

for stage in api unit asan tsan fuzz; do
  if has_stage "$stage"; then timed "$stage" "$stage"; fi
done
echo "=== stages: ${timings[*]}"
