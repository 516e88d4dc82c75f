// A cluster on this machine, as tools/cluster.sh starts one and as its clients see it: a
// single-member etcd (etcd_process.h) and N clas-ledgerd nodes n1, n2, ... (ledger_node_process.h)
// on free loopback ports, under a temporary directory, with the demo tokens of
// server/demo_tokens.h (service-demo, auditeur, replica-demo, ...). The leader is found as a
// client and `clasctl cluster status` find it: etcd's leader key names a node, whose registry
// record (server/cluster/registry.h) says it leads. The cluster's tests (tests/cluster) and its
// benchmark (tools/bench/cluster) start their clusters with it.
//
// Thread-safety: Leader(), Records(), channel(), Token() and the const accessors may be called
// from any thread; Supervise(), AwaitLeader() and the control of the nodes (node(i).Kill(),
// Start(), ...) belong to the thread that owns the cluster.
#ifndef CLAS_TOOLS_CLUSTER_LOCAL_CLUSTER_H_
#define CLAS_TOOLS_CLUSTER_LOCAL_CLUSTER_H_

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "server/cluster/etcd_client.h"
#include "server/cluster/registry.h"
#include "tools/cluster/etcd_process.h"
#include "tools/cluster/ledger_node_process.h"

namespace clas::local_cluster {

// The etcd prefix of the nodes' election and registry: clas-ledgerd's default --cluster_prefix.
inline constexpr char kClusterPrefix[] = "/clas-ledger";
// The most nodes a local cluster starts.
inline constexpr int kLocalNodesMax = 9;

struct LocalClusterOptions {
  std::string ledgerd_binary;  // the clas-ledgerd to start
  int nodes = 3;               // 1 to kLocalNodesMax
  int lease_seconds = 2;       // --cluster_lease_seconds
  int replication_acks = 0;    // --replication_acks
  // The Caf of the demo tokens (an agent "agent-<caf>" each, server/demo_tokens.h).
  std::vector<std::string> cafs = {"caf-75"};
  // More flags for every node (after the cluster's own, so that they win).
  std::vector<std::string> extra_flags;
};

class LocalCluster {
 public:
  // Starts etcd, waits until it answers, then starts the nodes (without waiting for a leader:
  // AwaitLeader). FailedPrecondition when etcd's or clas-ledgerd's binary is missing;
  // InvalidArgument for an option out of bounds; etcd's error when it does not start.
  static absl::StatusOr<std::unique_ptr<LocalCluster>> Start(LocalClusterOptions options);
  LocalCluster(const LocalCluster&) = delete;
  LocalCluster& operator=(const LocalCluster&) = delete;
  // Kills the nodes and etcd (SIGKILL); removes the directory unless KeepFiles() was called.
  ~LocalCluster();

  int size() const { return static_cast<int>(nodes_.size()); }
  LedgerNodeProcess& node(int i) { return *nodes_.at(i); }
  const LedgerNodeProcess& node(int i) const { return *nodes_.at(i); }
  // A channel to node i, made once; after a restart it reconnects within 200 ms of a call.
  const std::shared_ptr<grpc::Channel>& channel(int i) const { return channels_.at(i); }
  const std::filesystem::path& dir() const { return dir_; }
  std::string etcd_endpoint() const { return etcd_.endpoint(); }
  // The clear token of a demo user ("service-demo", "auditeur", ...); NotFound for another.
  absl::StatusOr<std::string> Token(const std::string& user_id) const;
  // The directory (every node's data and node.log) stays after the cluster is gone.
  void KeepFiles() { keep_files_ = true; }

  // Starts again every node that exited by itself (a former leader restarting to set its tail
  // aside exits with 75), as systemd would. Returns how many it restarted.
  int Supervise();
  // The node that leads and takes writes, as etcd and the registry show it; nullopt when etcd
  // names no leader, or names one whose record does not say it leads (yet).
  std::optional<int> Leader();
  // Waits for a leader other than `not_this`, supervising the nodes meanwhile; nullopt after
  // `wait`.
  std::optional<int> AwaitLeader(std::optional<int> not_this, absl::Duration wait);
  // The registry: every live node's record, in node id order; etcd's error otherwise.
  absl::StatusOr<std::vector<server::cluster::NodeRecord>> Records();
  // The index of the node of that id, or reached at that address; nullopt for none.
  std::optional<int> IndexOfNodeId(absl::string_view node_id) const;
  std::optional<int> IndexOfAddress(absl::string_view address) const;

 private:
  LocalCluster() = default;
  absl::Status StartAll(const LocalClusterOptions& options);

  EtcdProcess etcd_;
  std::unique_ptr<server::cluster::EtcdClient> etcd_client_;
  std::filesystem::path dir_;
  bool keep_files_ = false;
  std::vector<std::unique_ptr<LedgerNodeProcess>> nodes_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_;
};

}  // namespace clas::local_cluster

#endif  // CLAS_TOOLS_CLUSTER_LOCAL_CLUSTER_H_
