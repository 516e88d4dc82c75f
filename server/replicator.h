// The follower's side of replication (clas-ledgerd --follow): a thread that asks the leader's
// Ledger.Replicate for the records after its own head, stores each item with
// EventStore::AppendReplicated (which checks both hash chains before writing anything), and
// follows the leader live. A broken stream (the leader restarting, the network) is resumed
// from the follower's own head after a backoff; a record that does not continue the log here
// (a forged or forked record, a leader behind the follower) stops replication for good, loudly:
// an ERROR line on stderr, on_stop called, Progress().stopped set. Nothing of such a record is
// stored: the follower never holds a fork.
//
// Each stream starts AT the follower's head (not after it): the leader's record there must be the
// follower's own, byte for byte, else the two logs forked (Progress().diverged): a former leader's
// tail that no one else took, which a cluster node sets aside (cluster_node.h). Terms fence
// deposed leaders: an item of a term older than the log's (EventStore::term) is not taken (the
// stream is resumed later, from whoever leads then); a later term is recorded in the log once
// the item is stored.
//
// Thread-safety: Start, Stop and the destructor from one thread; Progress from any.
#ifndef CLAS_SERVER_REPLICATOR_H_
#define CLAS_SERVER_REPLICATOR_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "clas/v1/service.grpc.pb.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/security/credentials.h"
#include "ledger/event_store.h"

namespace clas::server {

// Backoff between two attempts to reach the leader: doubled after each failure from the
// smallest to the largest, back to the smallest once an item arrived.
inline constexpr absl::Duration kReplicationBackoffMin = absl::Milliseconds(50);
inline constexpr absl::Duration kReplicationBackoffMax = absl::Seconds(5);
// A follower reports what it holds after each item it stored, and at least this often.
inline constexpr absl::Duration kReportInterval = absl::Milliseconds(500);

struct FollowSettings {
  // The leader, "host:port".
  std::string leader;
  // The bearer token of a principal of role replica at the leader (auth.h).
  std::string token;
  // Plain text, or TLS with the roots the operator gave (server_app.cc builds them).
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  // A node of a cluster (cluster_node.h), which reacts to a stop itself; else a read replica,
  // stopped until an operator restarts it.
  bool in_cluster = false;
  // This node's id in the cluster, in its reports to the leader (Ledger.ReportReplicated).
  std::string node_id;
};

// The settings of a follower of `leader` ("host:port"): the token is the only word of
// `token_file` (a principal of role replica at the leader); TLS with the PEM roots of
// `tls_ca_file`, or with the system's roots when `tls`, else plain text, to a loopback leader
// only (the token would cross the network in clear). InvalidArgument naming the setting (no
// port, no token file, plain text off loopback); Unavailable for a file that cannot be read.
absl::StatusOr<FollowSettings> FollowSettingsOf(const std::string& leader,
                                                const std::string& token_file, bool tls,
                                                const std::string& tls_ca_file);

// Where replication stands; read by the metrics.
struct ReplicationProgress {
  uint64_t position = 0;         // the follower's head
  uint64_t leader_position = 0;  // the leader's head, as its last item said (0: none yet)
  uint64_t errors_stream = 0;    // streams that broke or could not open (then retried)
  uint64_t errors_refused = 0;   // records refused here (then stopped): 0 or 1
  bool stopped = false;          // stopped for good by a refused record
  bool diverged = false;         // ... because the leader's log does not hold this node's head
  std::string failure;           // why, when stopped
};

class Replicator {
 public:
  // `store` is a replica (ledger::Options::replica) and outlives this object. `on_stop` is
  // called once, on the replication thread, with the refusal that stopped it.
  Replicator(ledger::EventStore* store, FollowSettings settings,
             std::function<void(const absl::Status&)> on_stop);
  Replicator(const Replicator&) = delete;
  Replicator& operator=(const Replicator&) = delete;
  ~Replicator();  // Stop()

  // Starts the replication thread. REQUIRES: called once.
  void Start();
  // Cancels the stream in flight and joins the thread. Idempotent.
  void Stop();

  ReplicationProgress Progress() const;

 private:
  // How one stream ended.
  enum class StreamEnd { kRetry, kRefused, kDiverged, kStopping };

  void Run();
  // Opens one stream from the head + 1 and stores what it brings until it ends.
  StreamEnd FollowOnce(absl::Status* why);
  // Stores one item's records. nullopt when stored (or a heartbeat); kRefused with the store's
  // refusal; kRetry with a storage error or an older term (the stream is then resumed from the
  // head). `first`: the stream's first item, whose first record must be the one at the head.
  std::optional<StreamEnd> Store(v1::ReplicateResponse& item, bool first, absl::Status* why);
  // nullopt when the item's first record is the one at this log's head (then dropped from it);
  // kDiverged when it is another; kRetry for a storage error.
  std::optional<StreamEnd> CheckHead(v1::ReplicateResponse& item, absl::Status* why);
  // The reporting thread: tells the leader what this node holds (Ledger.ReportReplicated)
  // whenever an item was stored, and every kReportInterval, on a thread of its own so that the
  // replication thread reads the next item while a report is on its way.
  void RunReports();
  // One report, when the head or the term changed or kReportInterval passed; a failed report is
  // sent again at the next round.
  void Report();
  // Sleeps `duration` unless Stop is called meanwhile; false when stopping.
  bool Sleep(absl::Duration duration);

  ledger::EventStore* const store_;
  const FollowSettings settings_;
  const std::function<void(const absl::Status&)> on_stop_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Ledger::Stub> stub_;
  std::thread thread_;
  std::thread reporter_;
  // Touched by the reporting thread only.
  uint64_t reported_position_ = 0;
  uint64_t reported_term_ = 0;
  absl::Time reported_at_ = absl::InfinitePast();

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool stored_ ABSL_GUARDED_BY(mu_) = false;  // an item was stored since the last report
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;  // the stream in flight
  ReplicationProgress progress_ ABSL_GUARDED_BY(mu_);
};

}  // namespace clas::server

#endif  // CLAS_SERVER_REPLICATOR_H_
