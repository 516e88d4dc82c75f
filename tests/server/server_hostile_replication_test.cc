// Ledger.Replicate against hostile and absurd requests, over the world of hostile_fixture.h, as
// the role replica (replica-demo): positions past the leader's head + 1 are OUT_OF_RANGE naming
// from_position, every position up to it is served, and its streams count against the bound of
// open streams they share with Subscribe. The other roles are refused Replicate, and the replica
// everything else, in Hostile.EveryRoleOutsideItsRights.
#include <chrono>
#include <memory>
#include <numeric>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/server/hostile_fixture.h"

namespace clas::testing {
namespace {

using HostileReplication = Hostile;

constexpr char kReplica[] = "replica-demo";
constexpr auto kOutOfRange = grpc::StatusCode::OUT_OF_RANGE;

// 1, 2, ..., last.
std::vector<uint64_t> Through(uint64_t first, uint64_t last) {
  std::vector<uint64_t> out(last >= first ? last - first + 1 : 0);
  std::iota(out.begin(), out.end(), first);
  return out;
}

TEST_F(HostileReplication, PositionsPastTheHeadAreOutOfRange) {
  const uint64_t head = HeadNow().position;
  ASSERT_GT(head, 2u);
  auto from = [&](uint64_t position) {
    return [&, position] { return ReplicateStatus(kReplica, position); };
  };
  std::vector<Row> rows = {
      {"from the head + 2", from(head + 2), kOutOfRange, "", "from_position"},
      {"from the head + 1 000", from(head + 1000), kOutOfRange, "", "from_position"},
      {"from 2^63", from(uint64_t{1} << 63), kOutOfRange, "", "from_position"},
      {"from the last possible position", from(kUint64Max), kOutOfRange, "", "from_position"},
  };
  RunRows(rows);

  // Every position up to the head + 1 is served: 0 reads as 1; the head + 1 is a heartbeat
  // saying where the head is.
  struct Served {
    uint64_t from;
    std::vector<uint64_t> positions;
  };
  const Served served[] = {
      {0, Through(1, head)}, {1, Through(1, head)}, {head - 1, {head - 1, head}},
      {head, {head}},        {head + 1, {}},
  };
  for (const Served& s : served) {
    SCOPED_TRACE(s.from);
    ReplicationStream stream(*this, kReplica, s.from);
    ASSERT_TRUE(stream.ReadUntilIdle());
    EXPECT_EQ(stream.positions, s.positions);
    EXPECT_EQ(stream.leader_head, head);
    EXPECT_EQ(stream.Cancel().error_code(), grpc::StatusCode::CANCELLED);
  }
  EXPECT_EQ(HeadNow().position, head);
}

// Replication streams and subscriptions hold a server thread each: they share one bound
// (subscriptions_max), past which a new one of either kind is refused at once.
TEST_F(HostileReplication, ReplicationStreamsShareTheBoundOfOpenStreams) {
  config_.limits.subscriptions_max = 2;
  Restart();
  const uint64_t head = HeadNow().position;
  auto replication = std::make_unique<ReplicationStream>(*this, kReplica, head + 1);
  ASSERT_TRUE(replication->ReadUntilIdle());
  Subscription subscription(*this, "service-demo", v1::SubscribeRequest());
  ASSERT_TRUE(subscription.ReadUntilCaughtUp(head));
  std::vector<Row> rows = {
      {"a third stream, a replication", [&] { return ReplicateStatus(kReplica, head + 1); },
       grpc::StatusCode::RESOURCE_EXHAUSTED, "", "abonnements"},
      {"a third stream, a subscription",
       [&] { return SubscribeStatus("auditeur", v1::SubscribeRequest()); },
       grpc::StatusCode::RESOURCE_EXHAUSTED, "", "abonnements"},
  };
  RunRows(rows);
  // The slot of a replication cancelled is free again once its handler returned.
  EXPECT_EQ(replication->Cancel().error_code(), grpc::StatusCode::CANCELLED);
  replication.reset();
  bool reopened = false;
  for (int attempt = 0; attempt < 50 && !reopened; ++attempt) {
    ReplicationStream again(*this, kReplica, head + 1);
    reopened = again.ReadUntilIdle();
    if (!reopened) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    again.Cancel();
  }
  EXPECT_TRUE(reopened);
  subscription.Cancel();
}

}  // namespace
}  // namespace clas::testing
