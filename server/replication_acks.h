// What the followers of a leader hold, as they report it (Ledger.ReportReplicated), and the wait
// of semi-synchronous acknowledgement: a write is answered once `required` followers of the
// leader's term hold it durably (clas-ledgerd --replication_acks). A follower counts only when
// it reports the leader's own term: it then took its records from this leader, after checking
// its head against the leader's log (replicator.h), so its position is a prefix of this log.
//
// Thread-safety: thread-safe.
#ifndef CLAS_SERVER_REPLICATION_ACKS_H_
#define CLAS_SERVER_REPLICATION_ACKS_H_

#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace clas::server {

// A follower that reported within this window counts as live (it reports at least every 500 ms).
inline constexpr absl::Duration kFollowerLiveWindow = absl::Seconds(3);
// The most followers a leader keeps track of (a report from one more is ignored).
inline constexpr size_t kFollowersMax = 64;

class ReplicationAcks {
 public:
  // REQUIRES: required >= 0 (0: every write answered once it is durable here).
  explicit ReplicationAcks(int required) : required_(required) {}

  int required() const { return required_; }

  // This node leads with `term` from now on: the reports of earlier terms no longer count.
  void NewTerm(uint64_t term);
  // This node no longer leads: every wait ends (Unavailable).
  void EndTerm();
  // A follower's report.
  void Reported(const std::string& node_id, uint64_t term, uint64_t position);

  // OK once `required` followers of the current term hold `position`; Unavailable, saying how
  // many do, when `deadline` comes first or the term ends.
  absl::Status Await(uint64_t position, absl::Time deadline) const;
  // OK when at least `required` followers of the current term are live; else Unavailable
  // saying how many are, for a write to be refused before anything is written.
  absl::Status CheckLive() const;

 private:
  struct Follower {
    uint64_t position = 0;
    absl::Time reported_at;
  };
  int HoldingLocked(uint64_t position) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const int required_;
  mutable absl::Mutex mu_;
  uint64_t term_ ABSL_GUARDED_BY(mu_) = 0;  // 0: not leading
  absl::flat_hash_map<std::string, Follower> followers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace clas::server

#endif  // CLAS_SERVER_REPLICATION_ACKS_H_
