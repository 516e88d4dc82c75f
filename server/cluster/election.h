// Leader election of the cluster's nodes, decided by etcd (its Raft), never by our code.
//
// Each node runs an Election: it takes a lease from etcd and keeps it alive, then campaigns on
// etcd's Election service under `election_name` with the value "<node id>\n<address>". etcd
// makes the oldest key under that name the leader; the key lives as long as the lease. The
// leader's term is that key's creation revision: etcd's revisions only grow, so every new
// leader's term is greater than every earlier one's, and a record stamped with a term is
// fenced: a node that finds a greater term in its log or from etcd knows its own is over.
//
// Safety: a leader stops considering itself leader BEFORE etcd can give the lead to another
// node. A renewal sent at instant S and confirmed by etcd for a TTL T keeps the lease until at
// least S + T on etcd's clock (etcd counts T from when it receives the request, after S). This
// node is leader only until S + T - margin on its own monotonic clock (IsLeader() compares the
// time itself: no thread has to wake for it to turn false). Assumption: the two clocks advance
// at the same rate within margin / T (NTP-disciplined or free-running quartz drifts by parts
// per million: far less), and no clock jumps (steady_clock here; etcd's lease expiry runs on Go's
// monotonic clock). The margin also covers the time between a true IsLeader() and the effect of
// what the caller does on it; writes that must be fenced carry the term anyway. A leader that
// stepped down by itself revokes its lease (when etcd answers) and campaigns again anew.
//
// Bounds: every unary etcd call and lease renewal has `call_timeout`; a Campaign waits at most
// `campaign_wait_max` (then campaigns again, consulting may_campaign again); an Observe stream
// lasts `observe_refresh`, then the current leader is read again; retries after errors wait an
// exponential backoff from `backoff_min` to `backoff_max`, rotating through the endpoints.
//
// Thread-safety: thread-safe. Three threads of its own (lease, campaign, observe); callbacks run
// on the campaign thread, one at a time, and must not call Stop() or destroy the Election.
#ifndef CLAS_SERVER_CLUSTER_ELECTION_H_
#define CLAS_SERVER_CLUSTER_ELECTION_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "etcd/etcdserver/api/v3election/v3electionpb/v3election.pb.h"
#include "server/cluster/etcd_client.h"

namespace clas::server::cluster {

struct ElectionOptions {
  std::vector<std::string> etcd_endpoints;        // "host:port" of one etcd cluster, plain text
  std::string election_name = "/clas-ledger/leader";
  std::string node_id;                            // [A-Za-z0-9._-], 1 to 64 characters
  std::string advertised_address;                 // where others reach this node: 1 to 255
                                                  // printable ASCII characters, no space
  absl::Duration lease_ttl = absl::Seconds(5);    // asked of etcd, which may grant more
  // Zero: a quarter of the TTL etcd granted. Must be below half of it.
  absl::Duration margin = absl::ZeroDuration();
  absl::Duration call_timeout = absl::Seconds(1);
  absl::Duration campaign_wait_max = absl::Seconds(10);
  absl::Duration observe_refresh = absl::Seconds(5);
  absl::Duration backoff_min = absl::Milliseconds(100);
  absl::Duration backoff_max = absl::Seconds(2);
  // Consulted before each campaign, every `may_campaign_poll` while false, and again when the
  // campaign is won (false then: the node resigns at once and campaigns again later, without
  // having led); none: always.
  std::function<bool()> may_campaign;
  absl::Duration may_campaign_poll = absl::Milliseconds(200);
  std::function<void(int64_t term)> on_elected;   // this node now leads, with this term
  std::function<void(int64_t term)> on_lost;      // ... no longer leads (also on Stop)
};

// A leader as etcd shows it.
struct LeaderInfo {
  std::string node_id;
  std::string address;
  int64_t term = 0;  // the leader key's creation revision
};

class Election {
 public:
  // Checks the options and starts the threads; campaigning starts as soon as etcd grants a
  // lease. INVALID_ARGUMENT for a bad option; etcd being unreachable is not an error (retried).
  static absl::StatusOr<std::unique_ptr<Election>> Start(ElectionOptions options);
  Election(const Election&) = delete;
  Election& operator=(const Election&) = delete;
  // Stop().
  ~Election();

  // Resigns if leading, revokes the lease (each one bounded attempt), and joins the threads.
  // Idempotent.
  void Stop();

  // Whether this node leads now: elected, and its lease confirmed within TTL - margin.
  bool IsLeader() const;
  // This node's term while it leads (IsLeader()), else 0.
  int64_t Term() const;
  // The leader etcd last showed (Leader, Observe), this node included; nullopt when none.
  std::optional<LeaderInfo> ObservedLeader() const;
  // Waits until IsLeader() == `leading`, at most `timeout`; returns whether it is so.
  bool AwaitLeading(bool leading, absl::Duration timeout) const;

  // For tests: while paused, no lease renewal is sent and no new grant, revocation or campaign
  // starts, as if this process were frozen or cut from etcd; IsLeader() still answers from the
  // clock, and the step-down (on_lost) still happens when the lease's validity lapses.
  void PauseKeepAlivesForTesting(bool paused);

 private:
  using Clock = std::chrono::steady_clock;
  explicit Election(ElectionOptions options);

  void RunLease();
  void RunCampaign();
  void RunObserve();
  absl::Status CampaignOnce();
  absl::StatusOr<std::optional<v3electionpb::LeaderKey>> WaitForLeadership(int64_t lease_id);
  absl::Status ConfirmLeadership(const v3electionpb::LeaderKey& key);
  void Lead(const v3electionpb::LeaderKey& key);
  absl::Status ReleaseLease();
  void SetObserved(std::optional<LeaderInfo> leader);
  absl::Status EnsureLease();
  bool LeaseValidLocked(Clock::time_point now) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool CampaignAllowedLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool RenewalDueLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool LeadershipEndedLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool LeadingIsLocked(bool leading) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool SleepUnlessStopping(absl::Duration duration);

  const ElectionOptions options_;
  const std::string value_;  // "<node id>\n<address>"
  EtcdClient etcd_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool paused_ ABSL_GUARDED_BY(mu_) = false;
  int64_t lease_id_ ABSL_GUARDED_BY(mu_) = 0;            // 0: none held
  absl::Duration lease_ttl_ ABSL_GUARDED_BY(mu_);        // as granted
  absl::Duration margin_ ABSL_GUARDED_BY(mu_);           // for this lease
  bool lease_gone_ ABSL_GUARDED_BY(mu_) = false;         // etcd said it no longer exists
  Clock::time_point lease_valid_until_ ABSL_GUARDED_BY(mu_);  // last confirmed send + TTL - margin
  int64_t revoke_pending_ ABSL_GUARDED_BY(mu_) = 0;      // a lease to revoke before a new one
  bool leading_ ABSL_GUARDED_BY(mu_) = false;
  int64_t term_ ABSL_GUARDED_BY(mu_) = 0;
  std::optional<LeaderInfo> observed_ ABSL_GUARDED_BY(mu_);

  std::thread lease_thread_;
  std::thread campaign_thread_;
  std::thread observe_thread_;
};

// OK, or INVALID_ARGUMENT naming the first option out of its bounds (those of ElectionOptions'
// comments). Election::Start checks the same; a server may check its flags with it first.
absl::Status CheckElectionOptions(const ElectionOptions& options);

// The value a node campaigns with, and back.
std::string EncodeLeaderValue(const std::string& node_id, const std::string& address);
LeaderInfo DecodeLeaderValue(const std::string& value, int64_t term);

}  // namespace clas::server::cluster

#endif  // CLAS_SERVER_CLUSTER_ELECTION_H_
