// The clas-ledger server: the store on its data directory, the engine, the four services,
// health and reflection, on one listening address; a leader, or a follower of one (follow).
// Used by the binary (main.cc) and by the end-to-end tests, which start it on a free loopback
// port.
//
// Health (grpc.health.v1): "" SERVING while the server runs; "clas.v1.Conventions" SERVING
// where writes are taken (a leader), NOT_SERVING on a follower or a read-only server;
// kReplicationHealthService, on a follower only, SERVING while replication runs (or retries
// a broken stream) and NOT_SERVING once a record that does not chain stopped it.
//
// Thread-safety: Start and Shutdown from one thread; everything else is served by gRPC.
#ifndef CLAS_SERVER_SERVER_APP_H_
#define CLAS_SERVER_SERVER_APP_H_

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/server.h"
#include "ledger/event_store.h"
#include "projections/engine/engine.h"
#include "server/cluster_node.h"
#include "server/metrics.h"
#include "server/open_subscriptions.h"
#include "server/replicator.h"
#include "server/security.h"
#include "server/services.h"
#include "server/store_event_log.h"

namespace clas::server {

// The health service name of a follower's replication (see above).
inline constexpr char kReplicationHealthService[] = "clas.replication";
// clas-ledgerd's exit status when it must be started again (on_restart_needed): not one of those
// its systemd unit refuses to restart on (1 to 3).
inline constexpr int kExitRestart = 75;

// Every setting of the server, each a flag of the binary and a key of its config file.
struct ServerConfig {
  std::string data_dir = "./data";
  std::string listen = "127.0.0.1:50051";   // port 0 = any free port (tests)
  std::string tls_cert_file;                 // both or neither
  std::string tls_key_file;
  std::string tokens_file;                   // required
  bool sync = true;                          // fsync before acknowledging (never off in production)
  // Serve a ledger for inspection: the store opened read-only tolerating damage (what cannot be
  // read is reported, not refused), reads and audits served, every command and append refused
  // with FAILED_PRECONDITION.
  bool read_only = false;
  // A missing data directory, or one holding no ledger yet, is created (empty) only when this is
  // set: a first start says so. Defaults to true here for embedders and tests; clas-ledgerd's
  // flag defaults to false.
  bool create_if_missing = true;
  int max_message_bytes = 4 << 20;           // per request and per response
  int max_concurrent_streams = 64;           // per connection (subscriptions, replays)
  int64_t verify_on_start_events = 100'000;  // verify the chain's last N events at start (0: off)
  bool verify_all_on_start = false;          // verify the whole chain and indexes at start
  ServiceLimits limits;
  // Where the Prometheus metrics are served over HTTP ("host:port", port 0: any free port;
  // metrics.h); empty: none. Empty here for embedders and tests; clas-ledgerd's flag defaults
  // to kMetricsListenDefault, on loopback.
  std::string metrics_listen;
  // Follow the leader at this address ("host:port") as a read replica (replicator.h): the
  // ledger is a replica of the leader's, written by replication only; reads, audits and
  // subscriptions are served from it; every write is refused UNAVAILABLE naming the leader
  // (follower_guard.h). Empty: this node is the leader (the only node). Not with read_only.
  std::string follow;
  // With follow: the file holding the bearer token (its only word) of a principal of role
  // replica at the leader; and TLS to the leader, with these PEM roots or, with follow_tls
  // alone, the system's (neither: plain text, to a loopback leader only).
  std::string follow_token_file;
  bool follow_tls = false;
  std::string follow_tls_ca_file;
  // Be a node of a cluster (cluster_node.h) whose leader etcd elects: these etcd endpoints
  // ("host:port"); empty: no cluster. With cluster_node_id (unique in the cluster) and
  // cluster_advertise (where clients and the other nodes reach this node); follow_token_file
  // and follow_tls / follow_tls_ca_file say how this node reaches the leader. Not with follow
  // or read_only. The node takes writes only while it leads; a former leader's tail that no
  // other node took is set aside at start into <data_dir>/set-aside.
  std::vector<std::string> cluster_etcd;
  std::string cluster_node_id;
  std::string cluster_advertise;
  std::string cluster_prefix = "/clas-ledger";
  absl::Duration cluster_lease_ttl = absl::Seconds(5);
  // How many nodes the cluster has (required with cluster_etcd, 1 to kClusterSizeMax, the same
  // on every node): a node campaigns only while cluster_size - replication_acks nodes are live,
  // itself included (cluster::CampaignQuorum), so that a node that missed acknowledged writes
  // never leads while those that hold them are all down.
  int cluster_size = 0;
  // Semi-synchronous acknowledgement in a cluster: the leader answers a write only once this
  // many followers hold it durably, waiting at most replication_ack_timeout (within the call's
  // deadline; then UNAVAILABLE: retry with the same request id), and refuses writes, writing
  // nothing, while fewer followers are live. 0: answered once durable on the leader.
  int replication_acks = 0;
  absl::Duration replication_ack_timeout = absl::Seconds(5);
  // Called when the node's log holds records the leader's does not (a former leader's tail seen
  // while running): the process should exit and be started again (clas-ledgerd exits with
  // kExitRestart). Empty: logged only.
  std::function<void()> on_restart_needed;
  // Longest a read waits for the position of its clas-min-position metadata (follower_guard.h).
  absl::Duration min_position_wait_max = absl::Seconds(10);
  // Tests only: Ledger.Replicate hands each record it sends to this hook, which may forge it.
  std::function<void(ledger::StoredRecord&)> replicate_hook_for_tests;
  // More services served on the same port beside the ledger's (a benchmark's echo, for one):
  // not owned, each must outlive the server. Empty in clas-ledgerd.
  std::vector<grpc::Service*> extra_services;
};

class LedgerServer {
 public:
  // Checks the data directory, loads the tokens, opens the store, verifies the chain's tail (or
  // all of it) with its indexes, and starts listening. Nothing is created or written when it
  // fails. InvalidArgument for a bad setting (TLS half given, plain text off loopback);
  // FailedPrecondition for a data directory that is missing or holds no ledger (without
  // create_if_missing), holds other files than a ledger, is not writable (without read_only),
  // or holds a ledger of a newer format; the token file's errors, naming it; DataLoss when the
  // ledger is damaged or its chain or indexes do not verify (unless read_only, which serves it
  // for inspection and lists what it found in findings()). Every message names the path and
  // what to do.
  static absl::StatusOr<std::unique_ptr<LedgerServer>> Start(const ServerConfig& config);
  ~LedgerServer();

  // Stops accepting calls, ends streams with a resumable position, waits up to `grace` for calls
  // in flight, then closes the store. Idempotent.
  void Shutdown(absl::Duration grace);
  // Blocks until Shutdown has completed.
  void Wait();
  // Re-reads the token file (SIGHUP).
  absl::Status ReloadTokens();

  int port() const { return port_; }
  // The port the metrics are served on; 0 when metrics_listen is empty.
  int metrics_port() const { return metrics_ == nullptr ? 0 : metrics_->port(); }
  // Where replication stands on a follower; nullopt on a leader.
  std::optional<ReplicationProgress> replication() const;
  // The node of the cluster; null outside a cluster.
  const ClusterNode* cluster() const { return cluster_.get(); }
  // The metrics; null when metrics_listen is empty.
  const ServerMetrics* metrics() const { return metrics_.get(); }
  // What the start found wrong in a ledger served read-only; empty when it verified.
  const std::vector<std::string>& findings() const { return findings_; }
  // The events the start verified, and how long it took.
  uint64_t verified_on_start() const { return verified_on_start_; }
  absl::Duration verify_time() const { return verify_time_; }
  Engine& engine() { return *engine_; }
  ledger::EventStore& store() { return *store_; }

 private:
  LedgerServer() = default;
  // Starts serving the metrics on config_.metrics_listen, unless it is empty; Serve's errors.
  // REQUIRES: the store, the engine and the guard are made.
  absl::Status ServeMetrics();
  // Chains the guards every service asks (TokenGuard, then ReadOnlyGuard or FollowerGuard,
  // then PositionGuard) and, with `follow` (not in a cluster), makes the replicator (started
  // once the server listens). REQUIRES: the store and guard_ are made.
  void MakeGuardsAndReplicator(std::optional<FollowSettings> follow);
  // In a cluster: sets aside a former leader's tail (before the engine reads the log).
  absl::Status ReconcileCluster(const FollowSettings& follow);
  // In a cluster, once the server listens: joins it (election, registry, replication).
  absl::Status JoinCluster(FollowSettings follow);
  ClusterSettings ClusterSettingsOf(FollowSettings follow) const;

  ServerConfig config_;
  std::unique_ptr<ledger::EventStore> store_;
  std::unique_ptr<StoreEventLog> log_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<TokenGuard> guard_;
  std::unique_ptr<Guard> read_only_guard_;  // wraps guard_ when read_only
  std::unique_ptr<Guard> follower_guard_;   // wraps guard_ when following
  std::unique_ptr<Guard> position_guard_;   // wraps the one above: clas-min-position
  // Follows the leader when config_.follow is set; stopped before the server and the store.
  std::unique_ptr<Replicator> replicator_;
  // Where writes go: a FixedLeader with follow, the cluster node's view in a cluster.
  std::unique_ptr<Leadership> leadership_;
  // In a cluster: the node (stopped before the server, destroyed after it).
  std::unique_ptr<ClusterNode> cluster_;
  // In a cluster: what the followers hold, which a write waits for.
  std::unique_ptr<ReplicationAcks> acks_;
  std::atomic<bool> stopping_{false};
  OpenSubscriptions subscriptions_;
  // The highest position a verification of the chain that passed reached (metrics.h).
  std::atomic<uint64_t> chain_verified_to_{0};
  // Stopped before what it reads (Shutdown); counts the calls of the services below.
  std::unique_ptr<ServerMetrics> metrics_;
  std::unique_ptr<ConventionsService> conventions_;
  std::unique_ptr<QueriesService> queries_;
  std::unique_ptr<AuditService> audit_;
  std::unique_ptr<LedgerService> ledger_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::vector<std::string> findings_;
  uint64_t verified_on_start_ = 0;
  absl::Duration verify_time_;
  bool shut_down_ = false;
};

// True when `address` ("host:port") is a loopback address (127.0.0.0/8, [::1], localhost).
bool IsLoopback(const std::string& address);

}  // namespace clas::server

#endif  // CLAS_SERVER_SERVER_APP_H_
