// The figures of clas-bench-cluster and their arithmetic, apart from the cluster so that they are
// tested alone: distributions of samples (nearest-rank percentiles), what a load measured, and
// the followers' lag as the registry of nodes shows it.
//
// Thread-safety: functions on values.
#ifndef CLAS_TOOLS_BENCH_CLUSTER_FIGURES_H_
#define CLAS_TOOLS_BENCH_CLUSTER_FIGURES_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "server/cluster/registry.h"

namespace clas::bench {

struct Distribution {
  size_t count = 0;
  double p50 = 0;
  double p99 = 0;
  double max = 0;
};

// Calls of one load: what succeeded, what failed, and each successful call's latency.
struct CallFigures {
  int64_t calls = 0;
  int64_t errors = 0;
  uint64_t events = 0;  // appended or read by the successful calls
  double seconds = 0;
  Distribution latency_ms;
  std::string first_error;
  double events_per_second() const { return seconds > 0 ? events / seconds : 0; }
  double calls_per_second() const { return seconds > 0 ? calls / seconds : 0; }
};

// The followers' lag behind the leader, in events, sampled during a load: read from each node
// (the head its ReadStream answer carries, the followers' first, then the leader's) and from the
// registry in etcd (each node's published record).
struct LagFigures {
  Distribution from_heads;
  Distribution from_registry;
  int64_t failed_samples = 0;
};

struct FailoverFigures {
  std::vector<double> seconds;  // each kill until the new leader acknowledged a write
  int64_t writes = 0;           // acknowledged by the light writer over all rounds
};

// The samples' median, 99th percentile (nearest rank: the smallest sample with at least 99 % of
// the samples at or below it) and largest; all zero when there is none.
Distribution Summarise(std::vector<double> samples);

// How far each follower is behind the leader, in events, in one read of the registry: the
// leading record's position minus each other record's, 0 for one published later than the
// leader's and ahead of it. Empty when no record, or more than one, says it leads (an election
// under way).
std::vector<double> LagsFromRecords(const std::vector<server::cluster::NodeRecord>& records);

}  // namespace clas::bench

#endif  // CLAS_TOOLS_BENCH_CLUSTER_FIGURES_H_
