#include "server/server_app.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "ledger/base/status_macros.h"
#include "server/cluster_reconcile.h"
#include "server/follower_guard.h"

namespace clas::server {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(const ServerConfig& c) {
  if (c.tls_cert_file.empty() != c.tls_key_file.empty()) {
    return absl::InvalidArgumentError("tls_cert_file and tls_key_file go together");
  }
  if (c.tls_cert_file.empty()) {
    if (!IsLoopback(c.listen)) {
      return absl::InvalidArgumentError(
          absl::StrCat("listen = ", c.listen,
                       ": plain text is served on loopback only; give "
                       "tls_cert_file and tls_key_file to listen on another address"));
    }
    return grpc::InsecureServerCredentials();
  }
  ASSIGN_OR_RETURN(std::string cert, ReadFile(c.tls_cert_file));
  ASSIGN_OR_RETURN(std::string key, ReadFile(c.tls_key_file));
  grpc::SslServerCredentialsOptions options;
  options.pem_key_cert_pairs.push_back({key, cert});
  return grpc::SslServerCredentials(options);
}

// What to do about a damaged ledger, appended to every refusal of one.
std::string DamageAdvice(const std::string& dir) {
  return absl::StrFormat(
      "refusing to serve it: `clasctl verify --data %s` reports the whole damage; start with "
      "read_only = true (--read_only) to inspect it through the API, or restore a backup",
      dir);
}

// The data directory, checked before anything is opened or created in it: nothing is written
// in a directory this refuses.
absl::Status CheckDataDir(const ServerConfig& c) {
  namespace fs = std::filesystem;
  if (c.data_dir.empty()) return absl::InvalidArgumentError("data: the data directory is empty");
  const fs::path dir(c.data_dir);
  std::error_code error;
  const fs::file_status status = fs::status(dir, error);
  if (error && error != std::errc::no_such_file_or_directory) {
    return absl::UnavailableError(
        absl::StrFormat("data directory '%s' cannot be read: %s", c.data_dir, error.message()));
  }
  const std::string first_start = absl::StrFormat(
      "give the data directory of an existing ledger, or create_if_missing = true "
      "(--create_if_missing) on the first start of a new one");
  if (!fs::exists(status)) {
    if (c.read_only) {
      return absl::FailedPreconditionError(absl::StrFormat(
          "data directory '%s' does not exist: there is no ledger to inspect", c.data_dir));
    }
    if (!c.create_if_missing) {
      return absl::FailedPreconditionError(
          absl::StrFormat("data directory '%s' does not exist: %s", c.data_dir, first_start));
    }
    return absl::OkStatus();
  }
  if (!fs::is_directory(status)) {
    return absl::FailedPreconditionError(
        absl::StrFormat("data directory '%s' is not a directory", c.data_dir));
  }
  if (!fs::exists(dir / "CURRENT", error)) {
    // The token file (and its demo clear copy) may live in the data directory; anything else
    // is someone's files, among which no ledger is created.
    const fs::path tokens = fs::weakly_canonical(c.tokens_file, error);
    std::vector<std::string> others;
    for (auto it = fs::directory_iterator(dir, error); !error && it != fs::directory_iterator();
         it.increment(error)) {
      if (absl::StartsWith(it->path().filename().string(), "MANIFEST-")) {
        return absl::OkStatus();  // a ledger that lost CURRENT: the store's open names it
      }
      const fs::path entry = fs::weakly_canonical(it->path());
      if (entry == tokens || entry.string() == tokens.string() + ".clear") continue;
      others.push_back(it->path().filename().string());
    }
    if (error) {
      return absl::UnavailableError(
          absl::StrFormat("data directory '%s' cannot be listed: %s", c.data_dir, error.message()));
    }
    if (!others.empty()) {
      std::sort(others.begin(), others.end());
      if (others.size() > 3) others.resize(3);
      return absl::FailedPreconditionError(absl::StrFormat(
          "data directory '%s' is not a ledger: it has no RocksDB CURRENT file but holds other "
          "files ('%s', ...); give the ledger's directory, or an empty or new one with "
          "create_if_missing = true",
          c.data_dir, absl::StrJoin(others, "', '")));
    }
    if (c.read_only) {
      return absl::FailedPreconditionError(absl::StrFormat(
          "data directory '%s' holds no ledger: there is nothing to inspect", c.data_dir));
    }
    if (!c.create_if_missing) {
      return absl::FailedPreconditionError(
          absl::StrFormat("data directory '%s' holds no ledger yet: %s", c.data_dir, first_start));
    }
  }
  if (!c.read_only && ::access(c.data_dir.c_str(), W_OK) != 0) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "data directory '%s' is not writable (%s): make it writable, or start with read_only = "
        "true (--read_only) to serve it for inspection",
        c.data_dir, std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::StatusOr<TokenTable> LoadTokens(const std::string& path) {
  absl::StatusOr<TokenTable> tokens = LoadTokenFile(path);
  if (tokens.ok()) return tokens;
  return absl::Status(
      tokens.status().code(),
      absl::StrCat(tokens.status().message(),
                   " (the server needs its token file: one line 'sha256:<hex of SHA-256(token)> "
                   "<user> <role> <cafs or *>' per token, not writable by group or others; "
                   "--tokens FILE names it, --demo_tokens makes a demo one)"));
}

absl::StatusOr<std::unique_ptr<ledger::EventStore>> OpenStore(const ServerConfig& config) {
  ledger::Options options;
  options.path = config.data_dir;
  options.sync = config.sync;
  options.read_only = config.read_only;
  options.tolerate_damage = config.read_only;  // inspection shows what can be read
  // Written by replication only (in a cluster: until elected, cluster_node.h).
  options.replica = !config.follow.empty() || !config.cluster_etcd.empty();
  absl::StatusOr<std::unique_ptr<ledger::EventStore>> store = ledger::EventStore::Open(options);
  if (store.ok()) return store;
  const absl::Status& status = store.status();
  std::string advice;
  if (absl::IsDataLoss(status)) advice = DamageAdvice(config.data_dir);
  if (absl::IsUnavailable(status) && absl::StrContains(status.message(), "lock")) {
    advice = "another server (or a writing clasctl) runs on it: stop it first";
  }
  if (advice.empty()) return status;
  return absl::Status(status.code(), absl::StrCat(status.message(), "; ", advice));
}

// Verifies the chain and the indexes at start: the last `events` (0: none), or all of them.
// Returns what was found wrong, one sentence each; storage errors as errors.
absl::StatusOr<std::vector<std::string>> VerifyOnStart(const ledger::EventStore& store,
                                                       const ServerConfig& config,
                                                       uint64_t* verified) {
  *verified = 0;
  const uint64_t head = store.Head().position;
  const int64_t events = config.verify_on_start_events;
  if (head == 0 || (!config.verify_all_on_start && events <= 0)) return std::vector<std::string>();
  const uint64_t from = config.verify_all_on_start || head <= static_cast<uint64_t>(events)
                            ? 1
                            : head - static_cast<uint64_t>(events) + 1;
  std::vector<std::string> findings;
  ASSIGN_OR_RETURN(const ledger::VerifyReport chain, store.Verify(from, head));
  *verified = chain.events_checked;
  if (!chain.ok) {
    findings.push_back(absl::StrFormat("the hash chain breaks at position %d: %s",
                                       chain.first_bad_position, chain.problem));
    return findings;
  }
  ASSIGN_OR_RETURN(const ledger::VerifyReport indexes, store.VerifyIndexes(from, head));
  if (!indexes.ok) {
    findings.push_back(absl::StrFormat("the indexes break at position %d: %s",
                                       indexes.first_bad_position, indexes.problem));
  }
  return findings;
}

// In a read-only server, every command and append is refused after authentication, before the
// engine decides anything. The inner Guard's Caller is returned whole, still_valid included,
// so that a revoked token loses its streams on a read-only server too.
class ReadOnlyGuard final : public Guard {
 public:
  explicit ReadOnlyGuard(const Guard* inner) : inner_(inner) {}
  absl::StatusOr<Caller> Check(const grpc::ServerContext& context, Need need,
                               const std::string& caf_id) const override {
    ASSIGN_OR_RETURN(Caller caller, inner_->Check(context, need, caf_id));
    switch (need) {
      case Need::kCommand:
      case Need::kControleCommand:
      case Need::kBaremeCommand:
      case Need::kLedgerAppend:
        return absl::FailedPreconditionError(
            "the server is read-only (started with read_only = true to inspect the ledger): "
            "commands and appends are refused");
      default:
        return caller;
    }
  }

 private:
  const Guard* const inner_;
};

// The follower's settings when `follow` is set (FollowSettingsOf, replicator.h), nullopt for a
// leader; InvalidArgument for follow with read_only, or a wait for clas-min-position that is
// not positive.
absl::StatusOr<std::optional<FollowSettings>> FollowerSettings(const ServerConfig& config) {
  if (config.min_position_wait_max <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("min_position_wait_max must be positive");
  }
  const bool cluster = !config.cluster_etcd.empty();
  if (config.replication_acks < 0 || config.replication_acks > 8 ||
      config.replication_ack_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "replication_acks: 0 to 8 followers; replication_ack_timeout: positive");
  }
  if (!cluster && config.replication_acks > 0) {
    return absl::InvalidArgumentError(
        "replication_acks needs cluster_etcd: only a cluster's leader has followers to wait for");
  }
  if (config.follow.empty() && !cluster) return std::optional<FollowSettings>();
  if (cluster && !config.follow.empty()) {
    return absl::InvalidArgumentError(
        "cluster_etcd and follow go apart: in a cluster, etcd says whom to follow");
  }
  if (config.read_only) {
    return absl::InvalidArgumentError(absl::StrCat(
        cluster ? "cluster_etcd" : "follow",
        " and read_only go apart: a follower writes what it replicates"));
  }
  if (cluster && config.cluster_advertise.empty()) {
    return absl::InvalidArgumentError(
        "cluster_advertise is required with cluster_etcd: where the other nodes reach this one");
  }
  if (cluster) {  // the election's own checks, before anything is opened
    cluster::ElectionOptions election;
    election.etcd_endpoints = config.cluster_etcd;
    election.node_id = config.cluster_node_id;
    election.advertised_address = config.cluster_advertise;
    election.lease_ttl = config.cluster_lease_ttl;
    if (absl::Status checked = cluster::CheckElectionOptions(election); !checked.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("cluster: ", checked.message()));
    }
    if (config.cluster_size < 1 || config.cluster_size > kClusterSizeMax ||
        config.replication_acks >= config.cluster_size) {
      return absl::InvalidArgumentError(absl::StrCat(
          "cluster_size is ", config.cluster_size, ": required with cluster_etcd, the number of "
          "nodes of the cluster (1 to ", kClusterSizeMax, "), more than replication_acks (",
          config.replication_acks, ")"));
    }
  }
  // In a cluster the leader changes: the credentials are checked against this node's own
  // address (plain text between nodes on loopback only), and the leader filled in later.
  ASSIGN_OR_RETURN(FollowSettings settings,
                   FollowSettingsOf(cluster ? config.cluster_advertise : config.follow,
                                    config.follow_token_file, config.follow_tls,
                                    config.follow_tls_ca_file));
  return std::optional<FollowSettings>(std::move(settings));
}

// The cluster node's view of who leads, for guards made before the node is.
class ClusterLeadership final : public Leadership {
 public:
  void Set(const ClusterNode* node) { node_.store(node); }
  bool TakesWrites() const override {
    const ClusterNode* node = node_.load();
    return node != nullptr && node->TakesWrites();
  }
  std::string LeaderAddress() const override {
    const ClusterNode* node = node_.load();
    return node == nullptr ? "" : node->LeaderAddress();
  }

 private:
  std::atomic<const ClusterNode*> node_{nullptr};
};

}  // namespace

bool IsLoopback(const std::string& address) {
  return absl::StartsWith(address, "127.") || absl::StartsWith(address, "[::1]:") ||
         absl::StartsWith(address, "localhost:");
}

absl::StatusOr<std::unique_ptr<LedgerServer>> LedgerServer::Start(const ServerConfig& config) {
  std::unique_ptr<LedgerServer> s(new LedgerServer());
  s->config_ = config;
  ASSIGN_OR_RETURN(auto credentials, Credentials(config));
  if (config.tokens_file.empty()) {
    return absl::InvalidArgumentError("tokens_file is required: every call needs a bearer token");
  }
  ASSIGN_OR_RETURN(std::optional<FollowSettings> follow, FollowerSettings(config));
  RETURN_IF_ERROR(CheckDataDir(config));
  ASSIGN_OR_RETURN(TokenTable tokens, LoadTokens(config.tokens_file));
  ASSIGN_OR_RETURN(s->store_, OpenStore(config));
  std::vector<std::string> findings = s->store_->Damage();
  const absl::Time verify_start = absl::Now();
  ASSIGN_OR_RETURN(std::vector<std::string> verified,
                   VerifyOnStart(*s->store_, config, &s->verified_on_start_));
  s->verify_time_ = absl::Now() - verify_start;
  findings.insert(findings.end(), verified.begin(), verified.end());
  if (!findings.empty() && !config.read_only) {
    return absl::DataLossError(absl::StrFormat("the ledger at '%s' does not verify: %s; %s",
                                               config.data_dir, absl::StrJoin(findings, "; "),
                                               DamageAdvice(config.data_dir)));
  }
  if (findings.empty() && s->verified_on_start_ > 0) {
    s->chain_verified_to_.store(s->store_->Head().position);
  }
  if (!config.cluster_etcd.empty()) RETURN_IF_ERROR(s->ReconcileCluster(*follow));
  s->findings_ = std::move(findings);
  s->log_ = std::make_unique<StoreEventLog>(s->store_.get());
  s->engine_ = std::make_unique<Engine>(s->log_.get());
  s->guard_ = std::make_unique<TokenGuard>(std::move(tokens));
  // A read replica's settings go to its replicator; a cluster node's stay for JoinCluster.
  const bool writes_at_start = !config.read_only && !follow.has_value();
  s->MakeGuardsAndReplicator(config.cluster_etcd.empty() ? std::move(follow) : std::nullopt);
  ServiceLimits limits = config.limits;
  limits.read_bytes_max =
      std::min<int64_t>(limits.read_bytes_max, int64_t{config.max_message_bytes} / 4 * 3);
  limits.answer_bytes_max =
      std::min<int64_t>(limits.answer_bytes_max, int64_t{config.max_message_bytes} / 4 * 3);
  ServiceDeps deps{.engine = s->engine_.get(),
                   .store = s->store_.get(),
                   .guard = s->position_guard_.get(),
                   .limits = limits,
                   .stopping = &s->stopping_,
                   .subscriptions = &s->subscriptions_,
                   .chain_verified_to = &s->chain_verified_to_,
                   .replicate_hook_for_tests = config.replicate_hook_for_tests};
  if (!config.cluster_etcd.empty()) {
    deps.leader_term = [node = &s->cluster_]() -> std::optional<uint64_t> {
      return *node == nullptr ? std::nullopt : (*node)->LeaderTerm();
    };
    s->acks_ = std::make_unique<ReplicationAcks>(config.replication_acks);
    deps.acks = s->acks_.get();
    deps.replication_ack_timeout = config.replication_ack_timeout;
  }
  RETURN_IF_ERROR(s->ServeMetrics());
  deps.calls = s->metrics_.get();
  s->conventions_ = std::make_unique<ConventionsService>(deps);
  s->queries_ = std::make_unique<QueriesService>(deps);
  s->audit_ = std::make_unique<AuditService>(deps);
  s->ledger_ = std::make_unique<LedgerService>(deps);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config.listen, credentials, &s->port_);
  builder.SetMaxReceiveMessageSize(config.max_message_bytes);
  builder.SetMaxSendMessageSize(config.max_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, config.max_concurrent_streams);
  builder.RegisterService(s->conventions_.get());
  builder.RegisterService(s->queries_.get());
  builder.RegisterService(s->audit_.get());
  builder.RegisterService(s->ledger_.get());
  for (grpc::Service* extra : config.extra_services) builder.RegisterService(extra);
  s->server_ = builder.BuildAndStart();
  if (s->server_ == nullptr || s->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", config.listen));
  }
  grpc::HealthCheckServiceInterface* health = s->server_->GetHealthCheckService();
  health->SetServingStatus("clas.v1.Conventions", writes_at_start);
  if (s->replicator_ != nullptr) {
    health->SetServingStatus(kReplicationHealthService, true);
    s->replicator_->Start();
  }
  if (!config.cluster_etcd.empty()) RETURN_IF_ERROR(s->JoinCluster(*std::move(follow)));
  return s;
}

ClusterSettings LedgerServer::ClusterSettingsOf(FollowSettings follow) const {
  return ClusterSettings{
      .etcd_endpoints = config_.cluster_etcd,
      .node_id = config_.cluster_node_id,
      .advertise = config_.cluster_advertise,
      .prefix = config_.cluster_prefix,
      .lease_ttl = config_.cluster_lease_ttl,
      .cluster_size = config_.cluster_size,
      .replication_acks = config_.replication_acks,
      .set_aside_dir = (std::filesystem::path(config_.data_dir) / "set-aside").string(),
      .follow = std::move(follow)};
}

absl::Status LedgerServer::ReconcileCluster(const FollowSettings& follow) {
  const ClusterSettings settings = ClusterSettingsOf(follow);
  const absl::StatusOr<std::optional<ledger::SetAsideResult>> set_aside = ReconcileWithLeader(
      store_.get(), settings, settings.lease_ttl + absl::Seconds(2));
  if (!set_aside.ok()) {
    // The leader unreachable now: the node starts anyway; if its log holds a tail the leader's
    // does not, replication finds it and the node is started again.
    std::fprintf(stderr, "clas-ledgerd: cluster: the log was not compared with a leader's: %s\n",
                 std::string(set_aside.status().message()).c_str());
    return absl::OkStatus();
  }
  if (set_aside->has_value()) {
    const ledger::SetAsideResult& r = **set_aside;
    std::fprintf(stderr,
                 "clas-ledgerd: cluster: positions %llu to %llu (%llu records) were this node's "
                 "only, never taken by the cluster: set aside into %s; the log now ends at %llu\n",
                 static_cast<unsigned long long>(r.first_position),
                 static_cast<unsigned long long>(r.last_position),
                 static_cast<unsigned long long>(r.count), r.path.c_str(),
                 static_cast<unsigned long long>(store_->Head().position));
  }
  return absl::OkStatus();
}

absl::Status LedgerServer::JoinCluster(FollowSettings follow) {
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  ClusterHooks hooks{
      .on_role = [health](bool leading) {
        health->SetServingStatus("clas.v1.Conventions", leading);
        health->SetServingStatus(kReplicationHealthService, !leading);
      },
      .on_replication = [health](bool healthy) {
        health->SetServingStatus(kReplicationHealthService, healthy);
      },
      .on_diverged = [restart = config_.on_restart_needed](const absl::Status&) {
        if (restart) restart();
      }};
  ASSIGN_OR_RETURN(cluster_, ClusterNode::Start(store_.get(), ClusterSettingsOf(std::move(follow)),
                                                std::move(hooks), acks_.get()));
  static_cast<ClusterLeadership*>(leadership_.get())->Set(cluster_.get());
  return absl::OkStatus();
}

void LedgerServer::MakeGuardsAndReplicator(std::optional<FollowSettings> follow) {
  const Guard* guard = guard_.get();
  if (config_.read_only) {
    read_only_guard_ = std::make_unique<ReadOnlyGuard>(guard);
    guard = read_only_guard_.get();
  }
  if (!config_.cluster_etcd.empty()) {
    leadership_ = std::make_unique<ClusterLeadership>();
  } else if (follow.has_value()) {
    leadership_ = std::make_unique<FixedLeader>(config_.follow);
    // Called on the replication thread, which Shutdown stops before the server.
    replicator_ =
        std::make_unique<Replicator>(store_.get(), *std::move(follow), [this](const absl::Status&) {
          server_->GetHealthCheckService()->SetServingStatus(kReplicationHealthService, false);
        });
  }
  if (leadership_ != nullptr) {
    follower_guard_ = std::make_unique<FollowerGuard>(guard, leadership_.get());
    guard = follower_guard_.get();
  }
  position_guard_ = std::make_unique<PositionGuard>(guard, store_.get(),
                                                    config_.min_position_wait_max,
                                                    leadership_.get());
}

absl::Status LedgerServer::ServeMetrics() {
  if (config_.metrics_listen.empty()) return absl::OkStatus();
  metrics_ = std::make_unique<ServerMetrics>(
      MetricsSources{.store = store_.get(),
                     .engine = engine_.get(),
                     .authenticator = &guard_->authenticator(),
                     .subscriptions = &subscriptions_,
                     .chain_verified_to = &chain_verified_to_,
                     .replication = [this] { return replication(); }});
  return metrics_->Serve(config_.metrics_listen);
}

void LedgerServer::Shutdown(absl::Duration grace) {
  if (shut_down_) return;
  shut_down_ = true;
  stopping_.store(true);
  // Replication first: it writes to the store and reports to the health service. A cluster
  // node resigns: the store refuses writes from then on.
  if (replicator_ != nullptr) replicator_->Stop();
  if (cluster_ != nullptr) cluster_->Stop();
  if (server_ != nullptr) {  // null when Start failed before listening
    server_->Shutdown(std::chrono::system_clock::now() +
                      std::chrono::microseconds(absl::ToInt64Microseconds(grace)));
    server_->Wait();
  }
  metrics_.reset();  // no scrape reads the store once it is closed
  if (leadership_ != nullptr && !config_.cluster_etcd.empty()) {
    static_cast<ClusterLeadership*>(leadership_.get())->Set(nullptr);
  }
  cluster_.reset();
  engine_.reset();
  log_.reset();
  store_.reset();  // closes RocksDB: every acknowledged append was synced already
}

void LedgerServer::Wait() {
  if (server_ != nullptr && !shut_down_) server_->Wait();
}

absl::Status LedgerServer::ReloadTokens() {
  absl::StatusOr<TokenTable> tokens = LoadTokenFile(config_.tokens_file);
  if (metrics_ != nullptr) metrics_->TokensReloaded(tokens.ok());
  if (!tokens.ok()) return tokens.status();
  guard_->authenticator().Reload(*std::move(tokens));
  return absl::OkStatus();
}

std::optional<ReplicationProgress> LedgerServer::replication() const {
  if (cluster_ != nullptr) return cluster_->Replication();
  if (replicator_ == nullptr) return std::nullopt;
  return replicator_->Progress();
}

LedgerServer::~LedgerServer() { Shutdown(absl::Seconds(5)); }

}  // namespace clas::server
