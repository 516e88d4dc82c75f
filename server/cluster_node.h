// A node of a cluster (clas-ledgerd --cluster_etcd): etcd decides who leads (cluster/election.h),
// this class makes the node act on it.
//
//   elected (term T)  replication from the former leader stops; the log's term is raised to T
//                     (EventStore::RaiseTerm) and the store takes writes again
//                     (SetReplica(false)); TakesWrites() is true while etcd's lease holds.
//   lost              the store refuses writes at once (SetReplica(true), which returns once
//                     no local append can land any more); TakesWrites() was already false, from
//                     the instant the lease could lapse (Election::IsLeader).
//   following         a Replicator follows the leader etcd shows, with its term; when the
//                     leader changes, a new one follows the new leader.
//   diverged          this node's log holds records the leader's does not (a former leader's
//                     tail, written but never replicated): replication stops and on_diverged is
//                     called, for the process to restart; at its start, before anything reads
//                     the log, ReconcileWithLeader (cluster_reconcile.h) sets the tail aside
//                     into `set_aside_dir` (kept, never deleted, for audit) and the node follows.
//                     Why a restart rather than a set-aside in place: the engine's caches know
//                     streams by their versions, which the set-aside takes back; a process that
//                     starts anew holds no cache.
//
// Campaigning: a node campaigns only when no live node of the registry (cluster/registry.h) has
// a log ahead of its own (a later term, or the same term and more records); so the node elected
// holds every record a live node holds. Its own record (address, head, term, leading) is kept
// published while it runs.
//
// Thread-safety: thread-safe. Threads: the election's, the registry's, and one that keeps
// replication pointed at the leader.
#ifndef CLAS_SERVER_CLUSTER_NODE_H_
#define CLAS_SERVER_CLUSTER_NODE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "ledger/event_store.h"
#include "server/cluster/election.h"
#include "server/cluster/registry.h"
#include "server/follower_guard.h"
#include "server/replication_acks.h"
#include "server/replicator.h"

namespace clas::server {

// The most nodes a cluster has (replication_acks: 0 to 8 followers).
inline constexpr int kClusterSizeMax = 9;

struct ClusterSettings {
  std::vector<std::string> etcd_endpoints;  // "host:port" of one etcd cluster
  std::string node_id;                      // [A-Za-z0-9._-], 1 to 64, unique in the cluster
  std::string advertise;                    // where clients and the other nodes reach this node
  // etcd keys: the election under "<prefix>/leader", the registry under "<prefix>/nodes/".
  std::string prefix = "/clas-ledger";
  absl::Duration lease_ttl = absl::Seconds(5);
  // How many nodes the cluster has, and how many followers hold a write before it is
  // acknowledged: together they say how many live nodes an election needs
  // (cluster::CampaignQuorum). 0 <= replication_acks < cluster_size.
  int cluster_size = 1;
  int replication_acks = 0;
  // Where a diverged tail is set aside (a new file per occasion).
  std::string set_aside_dir;
  // How this node reaches a leader: the replica token and the channel's credentials (the leader
  // field is filled with each leader's address).
  FollowSettings follow;
};

// What the cluster node tells the server when its role changes; called on the election's
// thread, one at a time.
struct ClusterHooks {
  std::function<void(bool leading)> on_role;
  // Replication stopped on a record that does not chain (false), or runs (true).
  std::function<void(bool healthy)> on_replication;
  // This node's log holds records the leader's does not: the process should restart (above).
  std::function<void(const absl::Status& why)> on_diverged;
};

class ClusterNode final : public Leadership {
 public:
  // Checks the settings and starts: registry, then election. `store` is open as a replica
  // (Options::replica); `acks` (semi-synchronous acknowledgement: told of each new term, and
  // consulted before a write) outlives the node, as `store` does. InvalidArgument naming a bad
  // setting.
  static absl::StatusOr<std::unique_ptr<ClusterNode>> Start(ledger::EventStore* store,
                                                            ClusterSettings settings,
                                                            ClusterHooks hooks,
                                                            ReplicationAcks* acks);
  ClusterNode(const ClusterNode&) = delete;
  ClusterNode& operator=(const ClusterNode&) = delete;
  ~ClusterNode() override;  // Stop()

  // Resigns if leading, stops replication, leaves the registry; the store is left refusing
  // writes. Idempotent.
  void Stop();

  bool TakesWrites() const override;
  std::string LeaderAddress() const override;
  // While leading: Unavailable when fewer followers than replication_acks are live.
  absl::Status WriteRefusal() const override;
  // This node's term while it takes writes; nullopt otherwise (Ledger.Replicate refuses then).
  std::optional<uint64_t> LeaderTerm() const;
  // Where replication stands while following; nullopt while leading or waiting for a leader.
  std::optional<ReplicationProgress> Replication() const;
  const ClusterSettings& settings() const { return settings_; }

 private:
  ClusterNode(ledger::EventStore* store, ClusterSettings settings, ClusterHooks hooks,
              ReplicationAcks* acks);
  void OnElected(int64_t term);
  void OnLost(int64_t term);
  bool MayCampaign();
  // The last "not campaigning" line was logged and the quorum is still short: not again.
  std::atomic<bool> short_of_quorum_logged_{false};
  cluster::NodeRecord OwnRecord() const;
  // Keeps a replicator on the leader etcd shows while this node does not lead.
  void RunFollow();
  void StopReplicator() ABSL_EXCLUSIVE_LOCKS_REQUIRED(role_mu_);

  ledger::EventStore* const store_;
  const ClusterSettings settings_;
  const ClusterHooks hooks_;
  ReplicationAcks* const acks_;
  std::unique_ptr<cluster::NodeRegistry> registry_;
  std::unique_ptr<cluster::Election> election_;
  // The election once started, for the threads that may run before Start() set election_ (the
  // registry's, the election's own callbacks): null until then.
  std::atomic<cluster::Election*> election_view_{nullptr};
  std::thread follow_thread_;

  // Serialises the changes of role and of replicator (election thread, follow thread, Stop).
  // Taken before mu_, never while holding it.
  absl::Mutex role_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  // Set by the follow thread; stopped by it, by OnElected and by Stop.
  std::unique_ptr<Replicator> replicator_ ABSL_GUARDED_BY(role_mu_);
  std::string replicator_leader_ ABSL_GUARDED_BY(role_mu_);
  absl::Time refused_at_ ABSL_GUARDED_BY(role_mu_) = absl::InfinitePast();
  bool diverged_ ABSL_GUARDED_BY(role_mu_) = false;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool leading_ ABSL_GUARDED_BY(mu_) = false;
  int64_t term_ ABSL_GUARDED_BY(mu_) = 0;
  // The replicator's progress, for readers that must not wait for role_mu_.
  const Replicator* current_replicator_ ABSL_GUARDED_BY(mu_) = nullptr;
};

}  // namespace clas::server

#endif  // CLAS_SERVER_CLUSTER_NODE_H_
