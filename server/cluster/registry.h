// The nodes of a cluster as etcd knows them. Each node publishes, under "<prefix><node id>", a
// record of where it is reached and where its log stands, attached to a lease of its own: a
// node that dies, or is cut from etcd, vanishes from the registry within the lease's TTL. A node
// reads the others' records to decide whether it may campaign (none alive is ahead of it), and
// `clasctl cluster status` reads them to show the cluster.
//
// Thread-safety: NodeRegistry is thread-safe; one thread of its own publishes.
#ifndef CLAS_SERVER_CLUSTER_REGISTRY_H_
#define CLAS_SERVER_CLUSTER_REGISTRY_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/cluster/etcd_client.h"

namespace clas::server::cluster {

// Where the registry's keys live by default: "<prefix><node id>".
inline constexpr char kNodesPrefixDefault[] = "/clas-ledger/nodes/";
// The most nodes a registry lists; more is an error, never a silent cut.
inline constexpr int64_t kNodesMax = 64;

// One node as it last published itself.
struct NodeRecord {
  std::string node_id;
  std::string address;     // where clients and the other nodes reach it, "host:port"
  uint64_t position = 0;   // its log's head
  uint64_t term = 0;       // its log's term: that of the last leader whose records it took
  bool leading = false;    // it leads (and takes writes)
  // Its --cluster_size and --replication_acks, which say how many live nodes an election needs
  // (CampaignQuorum); 0 and 0 in the record of a node that does not publish them.
  int32_t cluster_size = 0;
  int32_t replication_acks = 0;
  friend bool operator==(const NodeRecord&, const NodeRecord&) = default;
};

// "clas-node 1" then one "key=value" line per field: readable with etcdctl. cluster_size and
// replication_acks are optional when decoding (an earlier node did not write them).
std::string EncodeNodeRecord(const NodeRecord& record);
// InvalidArgument naming what is wrong.
absl::StatusOr<NodeRecord> DecodeNodeRecord(absl::string_view text);

// Whether `a`'s log is ahead of `b`'s: a later term, or the same term and a further position.
// A node may campaign only when no live node is ahead of it: a later term wins over a longer
// log, because a former leader's tail beyond what the next leader took was never acknowledged
// by the cluster and is set aside.
bool IsAhead(const NodeRecord& a, const NodeRecord& b);

// How many nodes must be live (itself included) for a node to campaign, so that one of them
// holds every acknowledged write: a write is acknowledged once the leader and `replication_acks`
// followers hold it, i.e. on replication_acks + 1 of the cluster_size nodes, so any
// cluster_size - replication_acks of them include one that holds it (with 3 nodes and 1 ack:
// 2). 1 without acks: the leader's disk alone holds an acknowledged write, and no election can
// keep it when that node is lost. REQUIRES: 0 <= replication_acks < cluster_size.
int CampaignQuorum(int cluster_size, int replication_acks);

// Whether the node of record `mine` may campaign, seeing `live` (the registry's records, its own
// among them or not): at least `quorum` live nodes counting itself, and none of the others ahead
// of it (IsAhead). Without the quorum, a node that missed writes could lead while the nodes that
// hold them are down or restarting at once, and those writes would be set aside.
bool MayCampaignWith(const NodeRecord& mine, const std::vector<NodeRecord>& live, int quorum);

// Every node of the registry under `prefix`, in node id order; a record that does not decode is
// an error naming its key.
absl::StatusOr<std::vector<NodeRecord>> ReadNodes(EtcdClient& etcd, const std::string& prefix);

struct RegistryOptions {
  std::vector<std::string> etcd_endpoints;
  std::string prefix = kNodesPrefixDefault;
  absl::Duration lease_ttl = absl::Seconds(5);
  absl::Duration call_timeout = absl::Seconds(1);
  // How often the record is read again and, when it changed, published.
  absl::Duration publish_interval = absl::Milliseconds(100);
  // This node's record now; called on the registry's thread. Its node_id never changes.
  std::function<NodeRecord()> record;
};

class NodeRegistry {
 public:
  // Starts publishing (etcd unreachable is retried, not an error). InvalidArgument for an
  // option out of bounds.
  static absl::StatusOr<std::unique_ptr<NodeRegistry>> Start(RegistryOptions options);
  NodeRegistry(const NodeRegistry&) = delete;
  NodeRegistry& operator=(const NodeRegistry&) = delete;
  ~NodeRegistry();  // Stop()

  // Revokes the lease (one bounded attempt: the record goes at once) and joins the thread.
  // Idempotent.
  void Stop();

  // Every live node, this one included, read from etcd now.
  absl::StatusOr<std::vector<NodeRecord>> Nodes();
  // Whether this node's record, as last built, is published under a live lease.
  bool Published() const;

 private:
  explicit NodeRegistry(RegistryOptions options);
  void Run();
  // One round: a lease if none, a renewal when due, a put when the record changed.
  absl::Status PublishOnce();

  const RegistryOptions options_;
  EtcdClient etcd_;
  std::thread thread_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool published_ ABSL_GUARDED_BY(mu_) = false;
  // Touched by the registry's thread only.
  int64_t lease_id_ = 0;
  absl::Duration lease_ttl_;
  absl::Time renewed_at_;
  std::optional<NodeRecord> last_put_;
};

}  // namespace clas::server::cluster

#endif  // CLAS_SERVER_CLUSTER_REGISTRY_H_
