// The options of an Election checked, and the value a node campaigns with.
#include "server/cluster/election.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"

namespace clas::server::cluster {
namespace {

constexpr size_t kNodeIdLengthMax = 64;
constexpr size_t kAddressLengthMax = 255;

bool ValidNodeId(const std::string& id) {
  if (id.empty() || id.size() > kNodeIdLengthMax) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
  });
}

bool ValidAddress(const std::string& address) {
  if (address.empty() || address.size() > kAddressLengthMax) return false;
  return std::all_of(address.begin(), address.end(), [](char c) { return c > ' ' && c < 127; });
}

}  // namespace

absl::Status CheckElectionOptions(const ElectionOptions& o) {
  if (o.etcd_endpoints.empty()) return absl::InvalidArgumentError("no etcd endpoint");
  if (o.election_name.empty()) return absl::InvalidArgumentError("empty election name");
  if (!ValidNodeId(o.node_id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("node id '", o.node_id, "': 1 to 64 of [A-Za-z0-9._-]"));
  }
  if (!ValidAddress(o.advertised_address)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "advertised address '", o.advertised_address, "': 1 to 255 printable, no space"));
  }
  if (o.lease_ttl < absl::Seconds(1)) return absl::InvalidArgumentError("lease TTL under 1 s");
  if (o.margin < absl::ZeroDuration() || o.margin * 2 >= o.lease_ttl) {
    return absl::InvalidArgumentError("margin must be under half the lease TTL");
  }
  const absl::Duration zero = absl::ZeroDuration();
  if (o.call_timeout <= zero || o.campaign_wait_max <= zero || o.observe_refresh <= zero ||
      o.backoff_min <= zero || o.backoff_max < o.backoff_min || o.may_campaign_poll <= zero) {
    return absl::InvalidArgumentError("durations must be positive, backoff_min <= backoff_max");
  }
  return absl::OkStatus();
}


std::string EncodeLeaderValue(const std::string& node_id, const std::string& address) {
  return absl::StrCat(node_id, "\n", address);
}

LeaderInfo DecodeLeaderValue(const std::string& value, int64_t term) {
  LeaderInfo leader;
  const size_t newline = value.find('\n');
  leader.node_id = value.substr(0, newline);
  if (newline != std::string::npos) leader.address = value.substr(newline + 1);
  leader.term = term;
  return leader;
}

}  // namespace clas::server::cluster
