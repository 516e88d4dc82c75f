#!/usr/bin/env bash
# A three-node clas-ledger cluster on this machine, for trying failover by hand: one etcd and
# three clas-ledgerd (n1, n2, n3 on 127.0.0.1:50061..50063), their data and logs under
# ${CLAS_CLUSTER_DIR:-./cluster}. Each node is restarted when it exits (as systemd's
# Restart=on-failure would), so that a former leader that must set its tail aside comes back.
#
#   tools/cluster.sh start        build if needed, start etcd and the three nodes
#   tools/cluster.sh status       clasctl cluster status
#   tools/cluster.sh kill n2      SIGKILL node n2 (its supervisor starts it again in 2 s)
#   tools/cluster.sh pause n2     SIGSTOP node n2 (its lease lapses: another node leads)
#   tools/cluster.sh resume n2    SIGCONT node n2
#   tools/cluster.sh stop         stop everything
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${CLAS_CLUSTER_DIR:-./cluster}"
etcd_port=2389
acks="${CLAS_REPLICATION_ACKS:-1}"
bin=build/server/clas-ledgerd
ctl=build/tools/clasctl/clasctl

node_port() { echo $((50060 + ${1#n})); }

start() {
  [ -x "$bin" ] && [ -x "$ctl" ] || { tools/setup.sh; tools/build.sh; }
  mkdir -p "$dir"
  etcd --name cluster-etcd --data-dir "$dir/etcd" \
    --listen-client-urls "http://127.0.0.1:$etcd_port" \
    --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$((etcd_port + 1))" \
    --initial-advertise-peer-urls "http://127.0.0.1:$((etcd_port + 1))" \
    --initial-cluster "cluster-etcd=http://127.0.0.1:$((etcd_port + 1))" \
    --log-level error >"$dir/etcd.log" 2>&1 &
  echo $! >"$dir/etcd.pid"
  # One token file for the three nodes, with the replica token they follow each other with:
  # --demo_tokens writes it before the start checks (a missing data directory) stop the server.
  "$bin" --tokens "$dir/tokens" --demo_tokens --data "$dir/no-such-dir" >/dev/null 2>&1 || true
  awk '$1 == "replica-demo" { print $2 }' "$dir/tokens.clear" >"$dir/replica.token"
  chmod 600 "$dir/replica.token"
  for n in n1 n2 n3; do
    mkdir -p "$dir/$n"
    (
      while [ ! -e "$dir/stopping" ]; do
        "$bin" --data "$dir/$n/data" --create_if_missing --tokens "$dir/tokens" \
          --listen "127.0.0.1:$(node_port $n)" --advertise "127.0.0.1:$(node_port $n)" \
          --node_id "$n" --cluster_etcd "127.0.0.1:$etcd_port" --replication_acks "$acks" --cluster_size 3 \
          --follow_token_file "$dir/replica.token" --metrics_listen= \
          >>"$dir/$n/node.log" 2>&1 &
        echo $! >"$dir/$n/pid"
        wait $! || true
        sleep 2
      done
    ) </dev/null >/dev/null 2>&1 &
    echo $! >"$dir/$n/supervisor.pid"
  done
  sleep 4
  status || true
  echo "tokens in clear: $dir/tokens.clear; logs: $dir/n*/node.log"
}

status() { "$ctl" cluster status --etcd "127.0.0.1:$etcd_port"; }

signal() {
  [ -e "$dir/$2/pid" ] || { echo "no node $2 under $dir" >&2; exit 2; }
  kill "-$1" "$(cat "$dir/$2/pid")"
}

stop() {
  touch "$dir/stopping"
  for n in n1 n2 n3; do
    [ -e "$dir/$n/supervisor.pid" ] && kill "$(cat "$dir/$n/supervisor.pid")" 2>/dev/null || true
    [ -e "$dir/$n/pid" ] && kill -CONT "$(cat "$dir/$n/pid")" 2>/dev/null || true
    [ -e "$dir/$n/pid" ] && kill "$(cat "$dir/$n/pid")" 2>/dev/null || true
  done
  sleep 2
  [ -e "$dir/etcd.pid" ] && kill "$(cat "$dir/etcd.pid")" 2>/dev/null || true
  rm -f "$dir/stopping"
}

case "${1:-}" in
  start) rm -f "$dir/stopping"; start ;;
  status) status ;;
  kill) signal KILL "${2:?node}" ;;
  pause) signal STOP "${2:?node}" ;;
  resume) signal CONT "${2:?node}" ;;
  stop) stop ;;
  *) sed -n '2,13p' "$0"; exit 2 ;;
esac
