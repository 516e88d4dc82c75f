#include "tools/cluster/local_cluster.h"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "ledger/base/status_macros.h"
#include "server/demo_tokens.h"

namespace clas::local_cluster {
namespace {

// `count` distinct loopback ports free now.
std::vector<int> FreePorts(int count) {
  std::vector<int> ports;
  while (static_cast<int>(ports.size()) < count) {
    const auto [a, b] = FreeLoopbackPorts();
    ports.push_back(a);
    if (static_cast<int>(ports.size()) < count) ports.push_back(b);
  }
  return ports;
}

std::string TokensPath(const std::filesystem::path& dir) { return (dir / "tokens").string(); }

}  // namespace

absl::StatusOr<std::unique_ptr<LocalCluster>> LocalCluster::Start(LocalClusterOptions options) {
  if (options.nodes < 1 || options.nodes > kLocalNodesMax) {
    return absl::InvalidArgumentError(
        absl::StrCat("nodes = ", options.nodes, ": 1 to ", kLocalNodesMax));
  }
  if (options.lease_seconds < 1 || options.replication_acks < 0 ||
      options.replication_acks >= options.nodes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "lease_seconds = ", options.lease_seconds, ", replication_acks = ",
        options.replication_acks, ": a lease of 1 s or more, acks from 0 to nodes - 1"));
  }
  if (!std::filesystem::exists(kEtcdBinary)) {
    return absl::FailedPreconditionError(absl::StrCat(kEtcdBinary, " is missing"));
  }
  if (access(options.ledgerd_binary.c_str(), X_OK) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(options.ledgerd_binary, " is not an executable clas-ledgerd"));
  }
  std::unique_ptr<LocalCluster> cluster(new LocalCluster());
  RETURN_IF_ERROR(cluster->StartAll(options));
  return cluster;
}

absl::Status LocalCluster::StartAll(const LocalClusterOptions& options) {
  static int count = 0;
  dir_ = std::filesystem::temp_directory_path() /
         absl::StrCat("clas-cluster-", getpid(), "-", count++);
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  RETURN_IF_ERROR(etcd_.Start());
  etcd_client_ = std::make_unique<server::cluster::EtcdClient>(
      std::vector<std::string>{etcd_.endpoint()}, absl::Seconds(1), absl::Seconds(1));
  RETURN_IF_ERROR(server::EnsureDemoTokens(TokensPath(dir_), options.cafs));
  ASSIGN_OR_RETURN(const std::string replica_token, Token("replica-demo"));
  std::ofstream(dir_ / "replica.token") << replica_token << "\n";
  std::vector<std::string> flags = {
      absl::StrCat("--tokens=", TokensPath(dir_)),
      absl::StrCat("--follow_token_file=", (dir_ / "replica.token").string()),
      absl::StrCat("--cluster_etcd=", etcd_.endpoint()),
      absl::StrCat("--cluster_lease_seconds=", options.lease_seconds),
      absl::StrCat("--replication_acks=", options.replication_acks),
      absl::StrCat("--cluster_size=", options.nodes),
      "--create_if_missing",
      "--metrics_listen=",
      "--log_requests=false",
      "--shutdown_grace_seconds=1"};
  flags.insert(flags.end(), options.extra_flags.begin(), options.extra_flags.end());
  const std::vector<int> ports = FreePorts(options.nodes);
  for (int i = 0; i < options.nodes; ++i) {
    const std::string id = absl::StrCat("n", i + 1);
    std::filesystem::create_directories(dir_ / id);
    nodes_.push_back(std::make_unique<LedgerNodeProcess>(options.ledgerd_binary, id, dir_ / id,
                                                         ports[i], flags));
    if (!nodes_.back()->Start()) {
      return absl::InternalError(absl::StrCat("cannot start ", options.ledgerd_binary));
    }
    // Reconnect soon after a restart rather than after gRPC's growing back-off (up to two
    // minutes), which would hold a client away from a node long after it is back.
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 50);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 200);
    channels_.push_back(grpc::CreateCustomChannel(nodes_.back()->address(),
                                                  grpc::InsecureChannelCredentials(), args));
  }
  return absl::OkStatus();
}

LocalCluster::~LocalCluster() {
  nodes_.clear();  // each killed
  etcd_.Kill();
  if (!keep_files_ && !dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

absl::StatusOr<std::string> LocalCluster::Token(const std::string& user_id) const {
  return server::DemoToken(TokensPath(dir_), user_id);
}

int LocalCluster::Supervise() {
  int restarted = 0;
  for (auto& node : nodes_) {
    if (node->running() && node->Reap() >= 0) {
      restarted += node->Start() ? 1 : 0;
    }
  }
  return restarted;
}

std::optional<int> LocalCluster::Leader() {
  const auto leader = etcd_client_->Leader(absl::StrCat(kClusterPrefix, "/leader"));
  if (!leader.ok() || !leader->has_value()) return std::nullopt;
  const std::string& value = (*leader)->value();
  const std::string id = value.substr(0, value.find('\n'));
  const auto records = Records();
  if (!records.ok()) return std::nullopt;
  for (const auto& record : *records) {
    if (record.node_id == id && record.leading) return IndexOfNodeId(id);
  }
  return std::nullopt;
}

std::optional<int> LocalCluster::AwaitLeader(std::optional<int> not_this, absl::Duration wait) {
  const absl::Time deadline = absl::Now() + wait;
  while (absl::Now() < deadline) {
    Supervise();
    const std::optional<int> leader = Leader();
    if (leader.has_value() && leader != not_this) return leader;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return std::nullopt;
}

absl::StatusOr<std::vector<server::cluster::NodeRecord>> LocalCluster::Records() {
  return server::cluster::ReadNodes(*etcd_client_, absl::StrCat(kClusterPrefix, "/nodes/"));
}

std::optional<int> LocalCluster::IndexOfNodeId(absl::string_view node_id) const {
  for (int i = 0; i < size(); ++i) {
    if (nodes_[i]->node_id() == node_id) return i;
  }
  return std::nullopt;
}

std::optional<int> LocalCluster::IndexOfAddress(absl::string_view address) const {
  for (int i = 0; i < size(); ++i) {
    if (nodes_[i]->address() == address) return i;
  }
  return std::nullopt;
}

}  // namespace clas::local_cluster
