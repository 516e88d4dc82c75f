// The rows of clas-bench-cluster (rows.h), built from what its runs measured: each of our
// figures beside its baseline of the same run (see main.cc for the list).
//
// Thread-safety: functions on values.
#ifndef CLAS_TOOLS_BENCH_CLUSTER_CLUSTER_ROWS_H_
#define CLAS_TOOLS_BENCH_CLUSTER_CLUSTER_ROWS_H_

#include <string>
#include <vector>

#include "tools/bench/cluster/figures.h"
#include "tools/bench/rows.h"

namespace clas::bench {

// The goal: with one follower's acknowledgement, batches at 60 % of the throughput
// without.
inline constexpr double kBatchAcksRatioMin = 0.60;

struct ClusterSettings {
  std::string ledgerd;
  double seconds = 10;  // each measured load
  int batch = 100;
  int writers = 16;
  int readers = 16;
  int read_events = 20;
  int payload_bytes = 512;
  int kills = 10;
  int lease_seconds = 5;
  bool keep_files = false;
};

// A cluster's two append runs, and the followers' lag during the concurrent one.
struct AppendRun {
  CallFigures batches;
  CallFigures concurrent;
  LagFigures lag;
  // How long after each run the last follower held the leader's head (each run starts with
  // every follower caught up).
  double batches_catch_up_seconds = 0;
  double concurrent_catch_up_seconds = 0;
};

struct ReadRun {
  CallFigures leader;     // every reader on the leader
  CallFigures followers;  // the readers spread over the followers
};

struct ClusterFigures {
  CallFigures disk_sync;  // synced 4 KiB appends on the nodes' disk, alone (disk_sync.h)
  AppendRun acks0;        // --replication_acks=0
  AppendRun acks1;        // --replication_acks=1, the cluster of the reads and the failovers
  ReadRun reads;
  FailoverFigures failover;
};

// The rows cluster_disk_sync, cluster_append_batch, cluster_append_concurrent,
// cluster_follower_lag (acks = 1), cluster_follower_lag_acks0, cluster_reads and
// cluster_failover, in that order.
std::vector<Row> ClusterRows(const ClusterSettings& settings, const ClusterFigures& figures);

}  // namespace clas::bench

#endif  // CLAS_TOOLS_BENCH_CLUSTER_CLUSTER_ROWS_H_
