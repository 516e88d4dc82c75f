#include "server/cluster/registry.h"

#include <algorithm>
#include <cstdio>
#include <tuple>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ledger/base/status_macros.h"

namespace clas::server::cluster {
namespace {

constexpr char kRecordHeader[] = "clas-node 1";
// Between two failed rounds: etcd unreachable, or the lease gone.
constexpr absl::Duration kRetryPause = absl::Milliseconds(200);

absl::StatusOr<uint64_t> NumberOf(absl::string_view key, absl::string_view text) {
  uint64_t value = 0;
  if (text.empty() || text.size() > 20 || !absl::SimpleAtoi(text, &value)) {
    return absl::InvalidArgumentError(absl::StrCat("node record: ", key, " is not a number"));
  }
  return value;
}

}  // namespace

std::string EncodeNodeRecord(const NodeRecord& r) {
  return absl::StrCat(kRecordHeader, "\nnode=", r.node_id, "\naddress=", r.address,
                      "\nposition=", r.position, "\nterm=", r.term,
                      "\nleading=", r.leading ? 1 : 0, "\ncluster_size=", r.cluster_size,
                      "\nreplication_acks=", r.replication_acks, "\n");
}

absl::StatusOr<NodeRecord> DecodeNodeRecord(absl::string_view text) {
  std::vector<absl::string_view> lines = absl::StrSplit(text, '\n', absl::SkipEmpty());
  if (lines.empty() || lines[0] != kRecordHeader) {
    return absl::InvalidArgumentError(
        absl::StrCat("node record: does not start with '", kRecordHeader, "'"));
  }
  NodeRecord record;
  int fields = 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(lines[i], absl::MaxSplits('=', 1));
    const auto& [key, value] = kv;
    if (key == "node") {
      record.node_id = std::string(value);
    } else if (key == "address") {
      record.address = std::string(value);
    } else if (key == "position") {
      ASSIGN_OR_RETURN(record.position, NumberOf(key, value));
    } else if (key == "term") {
      ASSIGN_OR_RETURN(record.term, NumberOf(key, value));
    } else if (key == "leading") {
      if (value != "0" && value != "1") {
        return absl::InvalidArgumentError("node record: leading is neither 0 nor 1");
      }
      record.leading = value == "1";
    } else if (key == "cluster_size" || key == "replication_acks") {  // optional
      ASSIGN_OR_RETURN(const uint64_t n, NumberOf(key, value));
      if (n > kNodesMax) {
        return absl::InvalidArgumentError(absl::StrCat("node record: ", key, " above ", kNodesMax));
      }
      (key == "cluster_size" ? record.cluster_size : record.replication_acks) =
          static_cast<int32_t>(n);
      continue;
    } else {
      continue;  // a later version's field
    }
    ++fields;
  }
  if (fields != 5 || record.node_id.empty() || record.address.empty()) {
    return absl::InvalidArgumentError(
        "node record: node, address, position, term and leading are each required once");
  }
  return record;
}

bool IsAhead(const NodeRecord& a, const NodeRecord& b) {
  return std::tie(a.term, a.position) > std::tie(b.term, b.position);
}

int CampaignQuorum(int cluster_size, int replication_acks) {
  return replication_acks == 0 ? 1 : cluster_size - replication_acks;
}

bool MayCampaignWith(const NodeRecord& mine, const std::vector<NodeRecord>& live, int quorum) {
  int nodes = 1;  // itself
  for (const NodeRecord& other : live) {
    if (other.node_id == mine.node_id) continue;
    if (IsAhead(other, mine)) return false;
    ++nodes;
  }
  return nodes >= quorum;
}

absl::StatusOr<std::vector<NodeRecord>> ReadNodes(EtcdClient& etcd, const std::string& prefix) {
  ASSIGN_OR_RETURN(const std::vector<mvccpb::KeyValue> kvs, etcd.RangePrefix(prefix, kNodesMax));
  std::vector<NodeRecord> nodes;
  for (const mvccpb::KeyValue& kv : kvs) {
    absl::StatusOr<NodeRecord> record = DecodeNodeRecord(kv.value());
    if (!record.ok()) {
      return absl::DataLossError(absl::StrCat("etcd key ", kv.key(), ": ",
                                              record.status().message()));
    }
    nodes.push_back(*std::move(record));
  }
  return nodes;
}

absl::StatusOr<std::unique_ptr<NodeRegistry>> NodeRegistry::Start(RegistryOptions options) {
  if (options.etcd_endpoints.empty()) return absl::InvalidArgumentError("no etcd endpoint");
  if (options.prefix.empty() || options.prefix.back() != '/') {
    return absl::InvalidArgumentError("registry prefix: not empty, ending with '/'");
  }
  if (options.lease_ttl < absl::Seconds(1) || options.call_timeout <= absl::ZeroDuration() ||
      options.publish_interval <= absl::ZeroDuration() || !options.record) {
    return absl::InvalidArgumentError(
        "registry: lease TTL of 1 s at least, positive durations, a record source");
  }
  std::unique_ptr<NodeRegistry> registry(new NodeRegistry(std::move(options)));
  registry->thread_ = std::thread([r = registry.get()] { r->Run(); });
  return registry;
}

NodeRegistry::NodeRegistry(RegistryOptions options)
    : options_(std::move(options)),
      etcd_(options_.etcd_endpoints, options_.call_timeout, absl::Seconds(1)) {}

NodeRegistry::~NodeRegistry() { Stop(); }

void NodeRegistry::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
  if (lease_id_ != 0) {
    (void)etcd_.Revoke(lease_id_);  // else the record lives until the TTL ends
    lease_id_ = 0;
  }
  absl::MutexLock lock(&mu_);
  published_ = false;
}

absl::StatusOr<std::vector<NodeRecord>> NodeRegistry::Nodes() {
  return ReadNodes(etcd_, options_.prefix);
}

bool NodeRegistry::Published() const {
  absl::MutexLock lock(&mu_);
  return published_;
}

void NodeRegistry::Run() {
  while (true) {
    const absl::Status round = PublishOnce();
    if (!round.ok()) {
      etcd_.Rotate();
      absl::MutexLock lock(&mu_);
      published_ = false;
    }
    absl::MutexLock lock(&mu_);
    const auto stopping = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stopping_; };
    mu_.AwaitWithTimeout(absl::Condition(&stopping),
                         round.ok() ? options_.publish_interval : kRetryPause);
    if (stopping_) return;
  }
}

absl::Status NodeRegistry::PublishOnce() {
  if (lease_id_ == 0) {
    ASSIGN_OR_RETURN(const EtcdClient::Lease lease, etcd_.Grant(options_.lease_ttl));
    lease_id_ = lease.id;
    lease_ttl_ = lease.ttl;
    renewed_at_ = absl::Now();
    last_put_.reset();
  }
  if (absl::Now() - renewed_at_ >= lease_ttl_ / 3) {
    const absl::Time sent = absl::Now();
    ASSIGN_OR_RETURN(const absl::Duration ttl, etcd_.KeepAliveOnce(lease_id_));
    if (ttl <= absl::ZeroDuration()) {  // expired: a new lease, and the record put again
      lease_id_ = 0;
      return absl::UnavailableError("registry lease expired");
    }
    renewed_at_ = sent;
  }
  const NodeRecord record = options_.record();
  if (!last_put_.has_value() || !(*last_put_ == record)) {
    RETURN_IF_ERROR(etcd_.Put(options_.prefix + record.node_id, EncodeNodeRecord(record),
                              lease_id_));
    last_put_ = record;
  }
  absl::MutexLock lock(&mu_);
  published_ = true;
  return absl::OkStatus();
}

}  // namespace clas::server::cluster
