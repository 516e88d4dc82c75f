#!/usr/bin/env bash
# Runs the benchmark suite of BENCHMARKS.md and writes it (see tools/bench/).
#
#   tools/bench.sh [--scales 1,10,100] [--smoke] [--out FILE] [--seconds S] [--work DIR]
#                  [--build-dir DIR] [--datasets-only] [--rewrite] [--cluster-only]
#
# Builds the release build (tools/build.sh; --build-dir uses an existing build instead), starts
# a private PostgreSQL 15 (its own directory, socket and port; fsync and synchronous_commit on;
# stopped on every exit), builds the datasets, runs clas-bench-store, clas-bench-recompute and,
# when built, clas-bench-query for each scale, clas-bench-command once, then clas-bench-cluster
# once (a cluster of three clas-ledgerd on etcd, which it starts itself; skipped where
# /usr/bin/etcd is missing), prints the tables and writes FILE (default BENCHMARKS.md): the
# table of the datasets' rows, then the section "## The cluster" with the cluster's.
#
# Datasets, kept between runs under WORK (default build/bench, or $CLAS_BENCH_WORK):
#   WORK/x1/ledger   the ×1 ledger: clas-demo's national dataset (seed 1)
#   WORK/xK/ledger   the ×K ledger: K copies of ×1 (clas-bench-store scale), copy k under the
#                    Caf ids "<caf>.k<k>" (caf-75.k3), the barème once
# Each is flushed and compacted once written (EventStore::Compact): every event in table files,
# as in a ledger that has run for some time, none in a write-ahead log replayed at each open.
# Each is a RocksDB ledger directory as clas-ledgerd's --data DIR, opened by ledger::EventStore.
# The programs get `--scale N --data WORK/xN/ledger --rows FILE` (and `--pg CONNINFO` but
# clas-bench-recompute) and append one JSON row per figure to FILE; they must not modify the
# ledger (copy it to write).
#
# --datasets-only: builds the datasets of --scales (as below) and stops; nothing is measured.
# --rewrite: writes FILE again from the last run's rows and description in WORK, with the head
# and notes as they are now (after editing the notes); nothing is measured.
# --cluster-only: runs clas-bench-cluster alone (rows in WORK/cluster) and writes the section
# "## The cluster" of FILE anew, leaving what comes before it as it is; no PostgreSQL, no
# dataset. With --rewrite: that section again from the last cluster run in WORK.
#
# --smoke: a small dataset (4 Cafs, 200 actions a school year) at ×1 and ×2 (clas-bench-query at
# ×1 only, with CLAS_BENCH_SMOKE=1 in its environment), one second per
# append measurement, clas-bench-cluster --smoke, output in WORK (default build/bench-smoke);
# fails when a row is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

scales="1,10,100"
smoke=0
out=""
seconds=""
work="${CLAS_BENCH_WORK:-}"
build_dir=""
datasets_only=0
rewrite=0
cluster_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --scales) scales="$2"; shift 2 ;;
    --smoke) smoke=1; shift ;;
    --out) out="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --build-dir) build_dir="$2"; shift 2 ;;
    --datasets-only) datasets_only=1; shift ;;
    --rewrite) rewrite=1; shift ;;
    --cluster-only) cluster_only=1; shift ;;
    -h|--help) sed -n '2,36p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if [ "$smoke" = 1 ]; then
  scales="1,2"
  seconds="${seconds:-1}"
  work="${work:-${build_dir:-build}/bench-smoke}"
  out="${out:-$work/BENCHMARKS.md}"
  demo_flags=(--cafs 4 --actions 200)
else
  seconds="${seconds:-5}"
  work="${work:-build/bench}"
  out="${out:-BENCHMARKS.md}"
  demo_flags=()
fi
command_line="tools/bench.sh --scales $scales"
load_at_start="$(cut -d' ' -f1-3 /proc/loadavg)"
[ "$smoke" = 0 ] || command_line="tools/bench.sh --smoke"
cluster_command_line="tools/bench.sh"
[ "$smoke" = 0 ] || cluster_command_line+=" --smoke"
[ "$cluster_only" = 0 ] || cluster_command_line+=" --cluster-only"

# The machine, for the descriptions of the runs (WORK/run.md, WORK/cluster/run.md).
describe_machine() {
  local fs disk_dev rota commit
  fs="$(findmnt -no SOURCE,FSTYPE -T "$work" 2>/dev/null | head -1 || true)"
  disk_dev="$(echo "$fs" | awk '{print $1}' | sed 's#/dev/##; s/[0-9]*$//')"
  rota="$(cat "/sys/block/$disk_dev/queue/rotational" 2>/dev/null || echo "?")"
  commit="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo " (with uncommitted changes)")"
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $commit"
  echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores available"
  echo "- memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "- disk: $fs ($( [ "$rota" = 0 ] && echo "non-rotational" || echo "rotational: $rota")), data under the work directory"
  echo "- compiler: $("$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build_dir/CMakeCache.txt")" --version | head -1)"
}

# clas-bench-cluster once, its rows in WORK/cluster/rows.jsonl and its run's description in
# WORK/cluster/run.md; where /usr/bin/etcd is missing (exit 77), no rows and a run.md saying so.
run_cluster() {
  local flags=() start status=0
  [ "$smoke" = 0 ] || flags=(--smoke)
  rm -rf "$work/cluster"
  mkdir -p "$work/cluster"
  start="$(uptime | sed 's/.*load average: //')"
  echo "bench.sh: the cluster (clas-bench-cluster ${flags[*]:-})"
  set +e
  TMPDIR="$work/cluster" "$cluster_bin" --rows "$work/cluster/rows.jsonl" \
    --ledgerd "$build_dir/server/clas-ledgerd" "${flags[@]}" | tee "$work/cluster/out.log"
  status="${PIPESTATUS[0]}"
  set -e
  [ "$status" = 0 ] || [ "$status" = 77 ] || { echo "bench.sh: clas-bench-cluster failed" >&2; exit 1; }
  {
    echo "- command: \`$cluster_command_line\` ($(head -1 "$work/cluster/out.log"))"
    describe_machine
    echo "- etcd $(/usr/bin/etcd --version 2>/dev/null | awk '/etcd Version/ {print $3}'), one member; the 3 clas-ledgerd, etcd and the benchmark's client on this machine, their data on this disk"
    echo "- load average (uptime) when it started: $start; when it ended: $(uptime | sed 's/.*load average: //')"
  } >"$work/cluster/run.md"
  [ "$status" = 0 ] || echo "- skipped: /usr/bin/etcd is missing" >>"$work/cluster/run.md"
}

# The section "## The cluster": the run, the table of WORK/cluster/rows.jsonl, the notes.
cluster_section() {
  echo "## The cluster"
  echo
  cat "$work/cluster/run.md"
  if [ -s "$work/cluster/rows.jsonl" ]; then
    echo
    "$store_bin" render --rows "$work/cluster/rows.jsonl"
  fi
  echo
  cat tools/bench/BENCHMARKS.cluster.md
}

# The table of WORK/rows.jsonl, between the head and the notes, with the run of WORK/run.md.
write_file() {
  local table
  table="$("$store_bin" render --rows "$work/rows.jsonl")"
  echo
  echo "$table"
  {
    cat tools/bench/BENCHMARKS.head.md
    echo
    echo "## The run"
    echo
    cat "$work/run.md"
    echo
    echo "$table"
    echo
    cat tools/bench/BENCHMARKS.notes.md
    if [ -f "$work/cluster/run.md" ]; then
      echo
      cluster_section
    fi
  } >"$out"
  echo
  echo "bench.sh: wrote $out"
}

# 1. The release build.
if [ -z "$build_dir" ]; then
  build_dir=build
  tools/build.sh clas_bench_store clas_bench_recompute clas_demo_main clas_bench_cluster
  if ninja -C build -t targets all 2>/dev/null | grep -q '^clas_bench_query:'; then
    tools/build.sh clas_bench_query
  fi
fi
store_bin="$build_dir/tools/bench/clas-bench-store"
recompute_bin="$build_dir/tools/bench/clas-bench-recompute"
query_bin="$build_dir/tools/bench/query/clas-bench-query"
command_bin="$build_dir/tools/bench/query/clas-bench-command"
demo_bin="$build_dir/tools/demo/clas-demo"
cluster_bin="$build_dir/tools/bench/cluster/clas-bench-cluster"
for b in "$store_bin" "$recompute_bin" "$demo_bin" "$cluster_bin"; do
  [ -x "$b" ] || { echo "bench.sh: $b is not built" >&2; exit 1; }
done
mkdir -p "$work"
work="$(cd "$work" && pwd)"
if [ "$cluster_only" = 1 ]; then
  if [ "$rewrite" = 1 ]; then
    [ -f "$work/cluster/run.md" ] || { echo "bench.sh: no cluster run in $work to write again" >&2; exit 1; }
  else
    run_cluster
  fi
  section="$(cluster_section)"
  echo
  echo "$section"
  before=""
  [ ! -f "$out" ] || before="$(sed '/^## The cluster$/,$d' "$out")"
  { [ -z "$before" ] || printf '%s\n\n' "$before"; echo "$section"; } >"$out"
  echo
  echo "bench.sh: wrote the section \"The cluster\" of $out"
  exit 0
fi
if [ "$rewrite" = 1 ]; then
  [ -f "$work/run.md" ] && [ -f "$work/rows.jsonl" ] ||
    { echo "bench.sh: no run in $work to write again" >&2; exit 1; }
  write_file
  exit 0
fi

# 2. A private PostgreSQL 15, stopped on every exit path.
pg_bin=/usr/lib/postgresql/15/bin
pg_dir="$(mktemp -d /tmp/clas-bench-pg.XXXXXX)"
pg_port=$((20000 + RANDOM % 20000))
as_pg=()
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$pg_dir"
  as_pg=(runuser -u postgres --)
fi
cleanup() {
  if [ -f "$pg_dir/db/postmaster.pid" ]; then
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/db" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$pg_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
"${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/db" -A trust -U postgres --no-sync >"$pg_dir/initdb.log" 2>&1 ||
  { cat "$pg_dir/initdb.log" >&2; exit 1; }
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/db" -l "$pg_dir/server.log" -w \
  -o "-k $pg_dir -p $pg_port -c listen_addresses='' -c fsync=on -c synchronous_commit=on -c full_page_writes=on -c max_connections=64" \
  start >/dev/null || { cat "$pg_dir/server.log" >&2; exit 1; }
pg="host=$pg_dir port=$pg_port user=postgres dbname=postgres"

# 3. The datasets.
stamp="$(git rev-parse HEAD:tools/demo 2>/dev/null || echo none) $(git hash-object tools/bench/dataset.cc) ${demo_flags[*]:-national} compacted"
ledger_of() { echo "$work/x$1/ledger"; }
if [ "$(cat "$work/x1/ready" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$work/x1"
  mkdir -p "$work/x1"
  echo "bench.sh: ×1 dataset (clas-demo ${demo_flags[*]:-})"
  "$demo_bin" --data "$(ledger_of 1)" "${demo_flags[@]}" >"$work/x1/demo.log" 2>&1 ||
    { tail -20 "$work/x1/demo.log" >&2; exit 1; }
  "$store_bin" compact --data "$(ledger_of 1)"
  echo "$stamp" >"$work/x1/ready"
fi
IFS=, read -r -a scale_list <<<"$scales"
for n in "${scale_list[@]}"; do
  [ "$n" = 1 ] && continue
  if [ "$(cat "$work/x$n/ready" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$work/x$n"
    mkdir -p "$work/x$n"
    echo "bench.sh: ×$n dataset"
    "$store_bin" scale --from "$(ledger_of 1)" --scale "$n" --data "$(ledger_of "$n")"
    echo "$stamp" >"$work/x$n/ready"
  fi
done
[ "$datasets_only" = 0 ] || { echo "bench.sh: datasets ready under $work"; exit 0; }

# 4. The benchmarks.
rows="$work/rows.jsonl"
: >"$rows"
first=1
for n in "${scale_list[@]}"; do
  echo "bench.sh: ×$n"
  skip=()
  [ "$first" = 1 ] || skip=(--skip_append)
  first=0
  "$store_bin" --scale "$n" --data "$(ledger_of "$n")" --pg "$pg" --rows "$rows" \
    --seconds "$seconds" --work "$work/x$n/scratch" "${skip[@]}"
  "$recompute_bin" --scale "$n" --data "$(ledger_of "$n")" --rows "$rows"
  if [ -x "$query_bin" ] && { [ "$smoke" = 0 ] || [ "$n" = "${scale_list[0]}" ]; }; then
    before=$(wc -l <"$rows")
    CLAS_BENCH_SMOKE=$smoke "$query_bin" --scale "$n" --data "$(ledger_of "$n")" --pg "$pg" --rows "$rows"
    [ "$(wc -l <"$rows")" -gt "$before" ] || { echo "bench.sh: clas-bench-query wrote no row" >&2; exit 1; }
  fi
done
# The cost of one command against its convention's age: on ledgers of its own, once.
if [ -x "$command_bin" ]; then
  echo "bench.sh: command cost against the convention's age"
  smoke_flag=()
  [ "$smoke" = 0 ] || smoke_flag=(--smoke)
  "$command_bin" --rows "$rows" --work "$work/command" "${smoke_flag[@]}"
  rm -rf "$work/command"
fi

# The cluster, once.
run_cluster

# Every row of clas-bench-store is there (the smoke test's check).
missing=0
for n in "${scale_list[@]}"; do
  for r in rebuild rebuild_rss rebuild_log_order rebuild_log_order_rss recompute_national; do
    grep -q "\"row\": \"$r\", .*\"scale\": $n," "$rows" || { echo "bench.sh: row $r ×$n missing" >&2; missing=1; }
  done
done
for r in append_batch append_concurrent command_notify command_acompte command_retry; do
  grep -q "\"row\": \"$r\"" "$rows" || { echo "bench.sh: row $r missing" >&2; missing=1; }
done
if [ -x /usr/bin/etcd ]; then
  for r in cluster_disk_sync cluster_append_batch cluster_append_concurrent cluster_follower_lag \
           cluster_follower_lag_acks0 cluster_reads cluster_failover; do
    grep -q "\"row\": \"$r\"" "$work/cluster/rows.jsonl" ||
      { echo "bench.sh: row $r missing" >&2; missing=1; }
  done
fi
[ "$missing" = 0 ] || exit 1

# 5. The table and BENCHMARKS.md: the run's description kept beside its rows (WORK/run.md), so
# that --rewrite can write the file again from them with edited notes.
{
  echo "- command: \`$command_line\`"
  describe_machine
  echo "- kernel: $(uname -sr); PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}')"
  echo "- load average when it started: $load_at_start; when it ended: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$work/run.md"
write_file
