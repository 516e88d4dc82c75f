// Two Guards that wrap another (security.h's TokenGuard, after it authenticated and authorised
// the call), for what a node answers depending on where its log stands:
//
//   FollowerGuard  on a node that may not take writes (a read replica, --follow; a node of a
//                  cluster that does not lead now): every write (a command, an append; IsWrite)
//                  is refused UNAVAILABLE with the leader's address, in the message and in the
//                  trailing metadata "clas-leader" (CheckCall, guard.h), for the client to send
//                  it there. Reads, audits and subscriptions are served from the
//                  follower's own log. Why a guard rather than the store's refusal (a replica
//                  refuses Append too): the call is refused before the engine decides anything,
//                  with a code and an address a client can act on.
//   PositionGuard  on every node: a read (not IsWrite) whose metadata carry "clas-min-position"
//                  (a log position an earlier answer gave, e.g. a command's log_position at the
//                  leader) waits until the node's log reaches it, at most until the call's
//                  deadline and at most `wait_max`; so that a client reads its own writes on a
//                  follower. Metadata rather than a request field: every query, audit and read
//                  takes it alike, and no request message changes.
//
// Thread-safety: thread-safe; the wrapped guard and the store outlive them.
#ifndef CLAS_SERVER_FOLLOWER_GUARD_H_
#define CLAS_SERVER_FOLLOWER_GUARD_H_

#include <string>

#include "absl/time/time.h"
#include "ledger/event_store.h"
#include "server/guard.h"

namespace clas::server {

// The metadata key of a read's least log position (PositionGuard): decimal digits.
inline constexpr char kMinPositionMetadataKey[] = "clas-min-position";

// Whether this node takes writes now, and where the leader is. Thread-safe.
class Leadership {
 public:
  virtual ~Leadership() = default;
  virtual bool TakesWrites() const = 0;
  // The leader's address ("host:port") as this node knows it; "" when it leads or knows none.
  virtual std::string LeaderAddress() const = 0;
  // While it takes writes: why a write must be refused all the same, before anything is
  // written (too few followers to acknowledge it); OK otherwise.
  virtual absl::Status WriteRefusal() const { return absl::OkStatus(); }
};

// A read replica's: the leader it was told to follow (--follow), never writes.
class FixedLeader final : public Leadership {
 public:
  explicit FixedLeader(std::string leader) : leader_(std::move(leader)) {}
  bool TakesWrites() const override { return false; }
  std::string LeaderAddress() const override { return leader_; }

 private:
  const std::string leader_;
};

class FollowerGuard final : public Guard {
 public:
  FollowerGuard(const Guard* inner, const Leadership* leadership)
      : inner_(inner), leadership_(leadership) {}

  // The inner guard's answer; then, for a write while the node takes none, Unavailable "this
  // node does not take writes: the leader is at <leader> ..." carrying the leader
  // (kLeaderPayloadUrl), or saying none is known. Authentication and authorisation come first,
  // as on a leader: a caller learns nothing more here than there.
  absl::StatusOr<Caller> Check(const grpc::ServerContext& context, Need need,
                               const std::string& caf_id) const override;

 private:
  const Guard* const inner_;
  const Leadership* const leadership_;
};

class PositionGuard final : public Guard {
 public:
  // `leadership`: where the leader is, given with a wait that ran out; null on a single node.
  // REQUIRES: wait_max > 0.
  PositionGuard(const Guard* inner, const ledger::EventStore* store, absl::Duration wait_max,
                const Leadership* leadership)
      : inner_(inner), store_(store), wait_max_(wait_max), leadership_(leadership) {}

  // The inner guard's answer; then, for a read whose metadata carry clas-min-position N, the
  // caller once the log here holds position N. InvalidArgument for a value that is not one
  // decimal position (or is given twice); DeadlineExceeded when the call's deadline comes
  // first, Unavailable when wait_max does (carrying the leader on a follower): each says the
  // position asked and the one reached.
  absl::StatusOr<Caller> Check(const grpc::ServerContext& context, Need need,
                               const std::string& caf_id) const override;

 private:
  const Guard* const inner_;
  const ledger::EventStore* const store_;
  const absl::Duration wait_max_;
  const Leadership* const leadership_;
};

}  // namespace clas::server

#endif  // CLAS_SERVER_FOLLOWER_GUARD_H_
