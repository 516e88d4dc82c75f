#include "server/follower_guard.h"

#include <cstdint>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "ledger/base/status_macros.h"

namespace clas::server {
namespace {

absl::Status WithLeader(absl::Status status, const std::string& leader) {
  if (!leader.empty()) status.SetPayload(kLeaderPayloadUrl, absl::Cord(leader));
  return status;
}

// The clas-min-position of the call; 0 when it has none.
absl::StatusOr<uint64_t> MinPositionOf(const grpc::ServerContext& context) {
  const auto& metadata = context.client_metadata();
  const size_t count = metadata.count(kMinPositionMetadataKey);
  if (count == 0) return 0;
  const auto it = metadata.find(kMinPositionMetadataKey);
  const std::string value(it->second.data(), it->second.size());
  uint64_t position = 0;
  if (count > 1 || value.empty() || value.size() > 20 ||
      value.find_first_not_of("0123456789") != std::string::npos ||
      !absl::SimpleAtoi(value, &position)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s : une seule position du journal, en chiffres (%s: one log position, in decimal "
        "digits)",
        kMinPositionMetadataKey, kMinPositionMetadataKey));
  }
  return position;
}

}  // namespace

absl::StatusOr<Caller> FollowerGuard::Check(const grpc::ServerContext& context, Need need,
                                            const std::string& caf_id) const {
  ASSIGN_OR_RETURN(Caller caller, inner_->Check(context, need, caf_id));
  if (!IsWrite(need)) return caller;
  if (leadership_->TakesWrites()) {
    RETURN_IF_ERROR(leadership_->WriteRefusal());
    return caller;
  }
  const std::string leader = leadership_->LeaderAddress();
  if (leader.empty()) {
    return absl::UnavailableError(
        "this node does not take writes and knows no leader now (an election is under way): "
        "retry in a few seconds");
  }
  return WithLeader(absl::UnavailableError(absl::StrFormat(
                        "this node does not take writes: the leader is at %s, send them there "
                        "(%s metadata)",
                        leader, kLeaderMetadataKey)),
                    leader);
}

absl::StatusOr<Caller> PositionGuard::Check(const grpc::ServerContext& context, Need need,
                                            const std::string& caf_id) const {
  ASSIGN_OR_RETURN(Caller caller, inner_->Check(context, need, caf_id));
  if (IsWrite(need)) return caller;
  ASSIGN_OR_RETURN(const uint64_t wanted, MinPositionOf(context));
  if (wanted == 0 || store_->Head().position >= wanted) return caller;
  const absl::Time call_deadline = absl::FromChrono(context.deadline());
  const absl::Time wait_deadline = absl::Now() + wait_max_;
  const uint64_t reached = store_->WaitForHead(wanted - 1, std::min(call_deadline, wait_deadline));
  if (reached >= wanted) return caller;
  const std::string where = absl::StrFormat(
      "le journal de ce nœud est à la position %d, avant la position %d demandée par %s (this "
      "node's log is at position %d, before the position %d asked by %s)",
      reached, wanted, kMinPositionMetadataKey, reached, wanted, kMinPositionMetadataKey);
  if (call_deadline <= wait_deadline) {
    return absl::DeadlineExceededError(absl::StrFormat("%s, at the call's deadline", where));
  }
  const std::string leader = leadership_ == nullptr ? "" : leadership_->LeaderAddress();
  return WithLeader(
      absl::UnavailableError(absl::StrFormat(
          "%s, after waiting %s, the most a read waits%s", where, absl::FormatDuration(wait_max_),
          leader.empty() ? "" : absl::StrFormat("; the leader is at %s", leader))),
      leader);
}

}  // namespace clas::server
