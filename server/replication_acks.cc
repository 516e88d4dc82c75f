#include "server/replication_acks.h"

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace clas::server {

void ReplicationAcks::NewTerm(uint64_t term) {
  absl::MutexLock lock(&mu_);
  term_ = term;
  followers_.clear();
}

void ReplicationAcks::EndTerm() {
  absl::MutexLock lock(&mu_);
  term_ = 0;
  followers_.clear();
}

void ReplicationAcks::Reported(const std::string& node_id, uint64_t term, uint64_t position) {
  absl::MutexLock lock(&mu_);
  if (term_ == 0 || term != term_) return;
  auto it = followers_.find(node_id);
  if (it == followers_.end()) {
    if (followers_.size() >= kFollowersMax) return;
    it = followers_.emplace(node_id, Follower{}).first;
  }
  it->second.position = std::max(it->second.position, position);
  it->second.reported_at = absl::Now();
}

int ReplicationAcks::HoldingLocked(uint64_t position) const {
  int holding = 0;
  for (const auto& [id, follower] : followers_) holding += follower.position >= position ? 1 : 0;
  return holding;
}

absl::Status ReplicationAcks::Await(uint64_t position, absl::Time deadline) const {
  if (required_ == 0) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  const uint64_t term = term_;
  const auto done = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return term_ != term || term_ == 0 || HoldingLocked(position) >= required_;
  };
  mu_.AwaitWithDeadline(absl::Condition(&done), deadline);
  if (term_ != 0 && term_ == term && HoldingLocked(position) >= required_) {
    return absl::OkStatus();
  }
  const bool lost = term_ != term || term_ == 0;
  return absl::UnavailableError(absl::StrFormat(
      "position %d is durable on this node but %s (%d of the %d followers that must hold it "
      "do): the cluster may not keep it; retry with the same request id, which answers the "
      "original if it was kept and records it otherwise",
      position, lost ? "this node stopped leading before its followers held it"
                     : "its followers did not confirm it in time",
      lost ? 0 : HoldingLocked(position), required_));
}

absl::Status ReplicationAcks::CheckLive() const {
  if (required_ == 0) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  const absl::Time now = absl::Now();
  int live = 0;
  for (const auto& [id, follower] : followers_) {
    live += now - follower.reported_at <= kFollowerLiveWindow ? 1 : 0;
  }
  if (live >= required_) return absl::OkStatus();
  return absl::UnavailableError(absl::StrFormat(
      "the leader hears from %d follower(s) of its term, and acknowledges a write only once %d "
      "hold it (--replication_acks): writes are refused, nothing was written; retry once the "
      "followers are back",
      live, required_));
}

}  // namespace clas::server
