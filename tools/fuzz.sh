#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz in ./build-san (clang, AddressSanitizer and
# UndefinedBehaviorSanitizer: the build of tools/test.sh's asan stage, which the fuzzers share)
# and runs each for a fixed time.
#
#   tools/fuzz.sh [--seconds N] [--fork J] [TARGET...]
#
#   TARGET      event_record, commands, import, token_file (default: all four, one after another)
#   --seconds   time per target (default 60; CI runs 20)
#   --fork      J fuzzing processes per target (libFuzzer's -fork), for long runs on more cores
#
# Each target reads its seeds (tests/fuzz/corpus/<target>) and regressions
# (tests/fuzz/regressions/<target>) and writes what it finds new to a work corpus outside the
# repository, $CLAS_FUZZ_WORK/<target> (default ~/.cache/clas-ledger-fuzz), kept from run to run so
# that a long run continues where the last one stopped. A crash is written to
# $CLAS_FUZZ_WORK/crashes/<target>/; fix the code, then copy the input into
# tests/fuzz/regressions/<target>/ so that ctest replays it for ever (fuzz/<target>.replay).
# Exits 1 if any target found a crash, 0 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
fork=0
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --fork) fork="$2"; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -eq 0 ] && targets=(event_record commands import token_file)
for t in "${targets[@]}"; do
  if [ ! -d "tests/fuzz/corpus/$t" ]; then
    echo "fuzz.sh: no target '$t' (tests/fuzz/corpus/$t is missing)" >&2
    exit 2
  fi
done

# ccache as tools/build.sh sets it: shared by clones and worktrees, precompiled headers cached.
export CCACHE_BASEDIR="$PWD"
# With -g, ccache would hash the build directory too (the debug info names it): not across trees.
export CCACHE_NOHASHDIR=1
export CCACHE_SLOPPINESS="pch_defines,time_macros,include_file_mtime,include_file_ctime"
work="${CLAS_FUZZ_WORK:-${XDG_CACHE_HOME:-$HOME/.cache}/clas-ledger-fuzz}"
build=build-san
if [ ! -f "$build/build.ninja" ]; then  # configured as tools/test.sh does
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DCLAS_SANITIZE=ON "${launcher[@]}" >/dev/null
fi
ninja -C "$build" -j "${CLAS_JOBS:-2}" $(printf '%s_fuzz ' "${targets[@]}")

export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
failed=()
for t in "${targets[@]}"; do
  mkdir -p "$work/$t" "$work/crashes/$t"
  log="$work/$t.log"
  extra=()
  [ "$fork" -gt 0 ] && extra=(-fork="$fork" -ignore_crashes=0)
  dirs=("$work/$t" "tests/fuzz/corpus/$t")
  [ -d "tests/fuzz/regressions/$t" ] && dirs+=("tests/fuzz/regressions/$t")
  echo "== fuzz $t for ${seconds}s (work corpus $work/$t)"
  status=0
  "$build/tests/fuzz/${t}_fuzz" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=3072 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$work/crashes/$t/" "${extra[@]}" \
    "${dirs[@]}" >"$log" 2>&1 || status=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
  echo "   ${execs:-?} executions, work corpus $(ls "$work/$t" | wc -l) inputs, log $log"
  if [ "$status" -ne 0 ]; then
    echo "   FOUND A CRASH (exit $status):" >&2
    grep -E 'ERROR: [A-Za-z]+Sanitizer|ERROR: libFuzzer|fuzz property failed|check failed|runtime error|Test unit written' \
      "$log" | head -5 >&2 || true
    failed+=("$t")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: crashes in ${failed[*]}; inputs in $work/crashes/" >&2
  exit 1
fi
