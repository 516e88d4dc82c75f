// The loads clas-bench-cluster puts on a local cluster (tools/cluster/local_cluster.h), through
// the public API as a client would: Ledger.Append of events of a given size under the
// service-demo token (to streams ext/service-demo/...), Ledger.ReadStream of one stream, and a
// light writer that follows the leader through a failover. Every call has a deadline; a failed
// call is counted, never retried, but by the failover's writer (which retries the same event:
// the ledger's idempotency key).
//
// Thread-safety: a ClusterLoad runs its loads one at a time, from the thread that owns the
// cluster; each load runs threads of its own and joins them before it returns.
#ifndef CLAS_TOOLS_BENCH_CLUSTER_CLUSTER_LOAD_H_
#define CLAS_TOOLS_BENCH_CLUSTER_CLUSTER_LOAD_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "clas/v1/service.grpc.pb.h"
#include "tools/bench/cluster/figures.h"
#include "tools/cluster/local_cluster.h"

namespace clas::bench {

// The most threads a load runs, and the largest batch (Ledger.Append takes 256 events a call).
inline constexpr int kLoadThreadsMax = 64;
inline constexpr int kBatchEventsMax = 256;
// How often the followers' lag is sampled during the concurrent append.
inline constexpr absl::Duration kLagSampleInterval = absl::Milliseconds(50);

class ClusterLoad {
 public:
  // `cluster` outlives this object. REQUIRES: 0 < payload_bytes <= 65 536.
  ClusterLoad(local_cluster::LocalCluster* cluster, std::string token, size_t payload_bytes);

  // Waits until a leader takes writes, every node is in the registry and a first append has been
  // acknowledged (with --replication_acks=N: held by N followers too); the leader's index, or
  // DeadlineExceeded after `wait`.
  absl::StatusOr<int> AwaitReady(absl::Duration wait);
  // One writer: `batch` events per Ledger.Append call, each batch a new stream, for `seconds`.
  CallFigures AppendBatches(int leader, int batch, double seconds);
  // `writers` threads, each appending 1 event per call to its own stream, for `seconds`; with
  // `lag` set, the followers' lag sampled meanwhile every kLagSampleInterval.
  CallFigures AppendConcurrent(int leader, int writers, double seconds, LagFigures* lag);
  // Waits until every follower holds the leader's head as it is now; the seconds waited, or
  // DeadlineExceeded after `wait`.
  absl::StatusOr<double> AwaitFollowers(int leader, absl::Duration wait);
  // Appends a stream of `events` events for the reads, then waits until every node holds it; the
  // stream's id.
  absl::StatusOr<std::string> PrepareReadStream(int leader, int events, absl::Duration wait);
  // `threads` threads reading the whole of `stream` (ReadStream, `events` expected) from the
  // nodes of `nodes` in turn (thread t reads from nodes[t % size]), for `seconds`. A read that
  // answers fewer events counts as an error.
  CallFigures Reads(const std::vector<int>& nodes, const std::string& stream, int events,
                    int threads, double seconds);
  // Kills (SIGKILL) the leader `kills` times while a light writer appends; each time, the
  // duration until the writer's next acknowledgement (from the new leader), then the killed
  // node is started again and the cluster waited for (`recover_wait`) before the next kill.
  absl::StatusOr<FailoverFigures> Failovers(int kills, absl::Duration recover_wait);

  // The head of node i's log (ReadResponse.head_position of a read of an empty stream).
  absl::StatusOr<uint64_t> Head(int node);

 private:
  v1::Ledger::Stub& stub(int node) { return *stubs_.at(node); }
  // The payload of the n-th event of a load: payload_bytes of random bytes, cut at an offset of
  // its own from a larger random source, so that neighbouring events do not carry the same
  // bytes (RocksDB would compress them away in its table files).
  std::string Payload(uint64_t n) const;
  void Authorise(grpc::ClientContext* context, absl::Duration deadline) const;
  // One append of `count` events, ids "<tag>-<first>" to "<tag>-<first + count - 1>".
  grpc::Status Append(int node, const std::string& stream, const std::string& tag, uint64_t first,
                      int count, v1::AppendResponse* response);
  // Waits until every node's head is at `position` or past it.
  absl::Status AwaitPosition(uint64_t position, absl::Duration wait);
  // Samples the lag of every follower once into the two lists; false when a read failed.
  bool SampleLag(int leader, std::vector<double>* from_heads, std::vector<double>* from_registry);
  // Waits until every node is in the registry, follows the leader's term and holds its records
  // up to a few, and every channel is connected.
  absl::Status AwaitWhole(absl::Duration wait);

  local_cluster::LocalCluster* const cluster_;
  const std::string token_;
  const size_t payload_bytes_;
  const std::string payload_source_;
  std::vector<std::unique_ptr<v1::Ledger::Stub>> stubs_;
  // Distinguishes the streams and event ids of successive loads on one cluster.
  int load_count_ = 0;
};

}  // namespace clas::bench

#endif  // CLAS_TOOLS_BENCH_CLUSTER_CLUSTER_LOAD_H_
