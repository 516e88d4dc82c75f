// server/cluster/election.h against a real etcd per test (etcd_process.h), leases of 2 s. The
// file takes about 9 s: most of it the two tests that wait for a lease to lapse.
#include "server/cluster/election.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "grpc/grpc.h"
#include "gtest/gtest.h"
#include "tests/cluster/etcd_test_base.h"

namespace clas::server::cluster {
namespace {

using Clock = std::chrono::steady_clock;

constexpr absl::Duration kLeaseTtl = absl::Seconds(2);
// Generous: a leader is elected in well under a second here; a lease expires within TTL + 0.5 s.
constexpr absl::Duration kWaitMax = absl::Seconds(15);

// Polls `condition` every 20 ms until it holds or `timeout` passed; returns whether it held.
bool Eventually(const std::function<bool()>& condition, absl::Duration timeout = kWaitMax) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

// When a callback ran (steady clock), and with which term.
struct Moment {
  std::atomic<int64_t> at_ns{0};
  std::atomic<int64_t> term{0};
  void Record(int64_t t) {
    term = t;
    at_ns = Clock::now().time_since_epoch().count();
  }
  bool happened() const { return at_ns.load() != 0; }
};

class ElectionTest : public ::clas::testing::EtcdTestBase {
 protected:
  ElectionOptions Options(const std::string& node_id, const std::string& address) {
    ElectionOptions options;
    options.etcd_endpoints = {etcd_.endpoint()};
    options.election_name = "/clas-ledger/leader";
    options.node_id = node_id;
    options.advertised_address = address;
    options.lease_ttl = kLeaseTtl;
    options.call_timeout = absl::Milliseconds(500);
    options.campaign_wait_max = absl::Seconds(5);
    options.observe_refresh = absl::Seconds(2);
    options.backoff_max = absl::Milliseconds(500);
    return options;
  }

  std::unique_ptr<Election> StartNode(ElectionOptions options) {
    absl::StatusOr<std::unique_ptr<Election>> election = Election::Start(std::move(options));
    EXPECT_TRUE(election.ok()) << election.status();
    return election.ok() ? *std::move(election) : nullptr;
  }

  // node-b, whose election is recorded in *elected (which outlives it).
  std::unique_ptr<Election> StartSecondNode(Moment* elected) {
    ElectionOptions options = Options("node-b", "10.0.0.2:50051");
    options.on_elected = [elected](int64_t term) { elected->Record(term); };
    return StartNode(std::move(options));
  }

  // node-a, leading (or null after a failure), whose loss of the lead is recorded in *lost
  // (which outlives it).
  std::unique_ptr<Election> StartLeaderRecordingLoss(Moment* lost) {
    ElectionOptions options = Options("node-a", "10.0.0.1:50051");
    options.on_lost = [lost](int64_t term) { lost->Record(term); };
    std::unique_ptr<Election> node = StartNode(std::move(options));
    const bool leading = node != nullptr && node->AwaitLeading(true, kWaitMax);
    EXPECT_TRUE(leading) << "node-a did not lead";
    return leading ? std::move(node) : nullptr;
  }

  // The leader key etcd holds now, read by a client of the test's own.
  std::optional<mvccpb::KeyValue> EtcdLeader() {
    EtcdClient client({etcd_.endpoint()}, absl::Seconds(1), absl::Milliseconds(100));
    absl::StatusOr<std::optional<mvccpb::KeyValue>> kv = client.Leader("/clas-ledger/leader");
    EXPECT_TRUE(kv.ok()) << kv.status();
    return kv.ok() ? *kv : std::nullopt;
  }

};

TEST_F(ElectionTest, OneNodeLeadsWithTheTermOfItsKeyInEtcd) {
  std::unique_ptr<Election> a = StartNode(Options("node-a", "10.0.0.1:50051"));
  ASSERT_TRUE(a->AwaitLeading(true, kWaitMax));
  const int64_t term = a->Term();
  EXPECT_GT(term, 0);

  const std::optional<mvccpb::KeyValue> kv = EtcdLeader();
  ASSERT_TRUE(kv.has_value());
  EXPECT_EQ(kv->value(), "node-a\n10.0.0.1:50051");
  EXPECT_EQ(kv->create_revision(), term);
  ASSERT_TRUE(Eventually([&] { return a->ObservedLeader().has_value(); }));
  EXPECT_EQ(a->ObservedLeader()->node_id, "node-a");
  EXPECT_EQ(a->ObservedLeader()->term, term);
}

TEST_F(ElectionTest, OfTwoNodesOneLeadsAndTheOtherObservesIt) {
  std::unique_ptr<Election> a = StartNode(Options("node-a", "10.0.0.1:50051"));
  std::unique_ptr<Election> b = StartNode(Options("node-b", "10.0.0.2:50051"));
  ASSERT_TRUE(Eventually([&] { return a->IsLeader() || b->IsLeader(); }));
  EXPECT_NE(a->IsLeader(), b->IsLeader());
  Election* leader = a->IsLeader() ? a.get() : b.get();
  Election* follower = a->IsLeader() ? b.get() : a.get();
  const std::string leader_address = a->IsLeader() ? "10.0.0.1:50051" : "10.0.0.2:50051";
  const int64_t term = leader->Term();
  EXPECT_EQ(follower->Term(), 0);

  ASSERT_TRUE(Eventually([&] {
    const std::optional<LeaderInfo> seen = follower->ObservedLeader();
    return seen.has_value() && seen->term == term;
  }));
  EXPECT_EQ(follower->ObservedLeader()->address, leader_address);
  EXPECT_FALSE(follower->IsLeader());
}

TEST_F(ElectionTest, ALeaderThatStopsResignsAndTheOtherLeadsWithAGreaterTerm) {
  std::unique_ptr<Election> a = StartNode(Options("node-a", "10.0.0.1:50051"));
  ASSERT_TRUE(a->AwaitLeading(true, kWaitMax));
  const int64_t term_a = a->Term();
  Moment b_elected;
  std::unique_ptr<Election> b = StartSecondNode(&b_elected);
  ASSERT_TRUE(Eventually([&] { return b->ObservedLeader().has_value(); }));
  EXPECT_FALSE(b->IsLeader());

  a->Stop();
  EXPECT_FALSE(a->IsLeader());
  ASSERT_TRUE(b->AwaitLeading(true, kWaitMax));
  EXPECT_GT(b->Term(), term_a);
  ASSERT_TRUE(Eventually([&] { return b_elected.happened(); }));  // called right after
  EXPECT_EQ(b_elected.term.load(), b->Term());
}

TEST_F(ElectionTest, AFrozenLeaderStepsDownBeforeItsLeaseExpiresThenTheOtherLeads) {
  Moment a_lost;
  std::atomic<bool> etcd_still_showed_a{false};
  ElectionOptions options_a = Options("node-a", "10.0.0.1:50051");
  options_a.on_lost = [&](int64_t term) {
    // Frozen, node-a has not revoked anything: if etcd still shows its key, its lease has not
    // expired yet, and no other node can lead.
    const std::optional<mvccpb::KeyValue> kv = EtcdLeader();
    etcd_still_showed_a = kv.has_value() && kv->create_revision() == term;
    a_lost.Record(term);
  };
  std::unique_ptr<Election> a = StartNode(std::move(options_a));
  ASSERT_TRUE(a->AwaitLeading(true, kWaitMax));
  const int64_t term_a = a->Term();
  Moment b_elected;
  std::unique_ptr<Election> b = StartSecondNode(&b_elected);
  ASSERT_TRUE(Eventually([&] { return b->ObservedLeader().has_value(); }));

  a->PauseKeepAlivesForTesting(true);
  ASSERT_TRUE(b->AwaitLeading(true, kWaitMax));
  EXPECT_FALSE(a->IsLeader());
  ASSERT_TRUE(a_lost.happened());
  ASSERT_TRUE(Eventually([&] { return b_elected.happened(); }));
  EXPECT_EQ(a_lost.term.load(), term_a);
  EXPECT_TRUE(etcd_still_showed_a.load());
  EXPECT_LT(a_lost.at_ns.load(), b_elected.at_ns.load());
  EXPECT_GT(b->Term(), term_a);
  a->PauseKeepAlivesForTesting(false);
}

TEST_F(ElectionTest, WhenEtcdDiesTheLeaderStepsDownWithinTheTtlAndLeadsAgainWhenItIsBack) {
  Moment a_lost;
  std::unique_ptr<Election> a = StartLeaderRecordingLoss(&a_lost);
  ASSERT_NE(a, nullptr);
  const int64_t term_before = a->Term();

  const int64_t killed_ns = Clock::now().time_since_epoch().count();
  etcd_.Kill();
  ASSERT_TRUE(Eventually([&] { return a_lost.happened(); }));
  EXPECT_FALSE(a->IsLeader());
  // The last renewal confirmed was sent before the kill: its TTL bounds the step-down.
  EXPECT_LT(a_lost.at_ns.load() - killed_ns, absl::ToInt64Nanoseconds(kLeaseTtl));

  const absl::Status restarted = etcd_.Start();
  ASSERT_TRUE(restarted.ok()) << restarted;
  ASSERT_TRUE(a->AwaitLeading(true, kWaitMax));
  EXPECT_GT(a->Term(), term_before);
}

TEST_F(ElectionTest, ALeaderWhoseLeaseIsRevokedStepsDownAndLeadsAgainWithAGreaterTerm) {
  Moment a_lost;
  std::unique_ptr<Election> a = StartLeaderRecordingLoss(&a_lost);
  ASSERT_NE(a, nullptr);
  const int64_t term_before = a->Term();
  const std::optional<mvccpb::KeyValue> kv = EtcdLeader();
  ASSERT_TRUE(kv.has_value());

  // As an operator would with etcdctl lease revoke: the key goes with the lease.
  EtcdClient operator_client({etcd_.endpoint()}, absl::Seconds(1), absl::Milliseconds(100));
  ASSERT_TRUE(operator_client.Revoke(kv->lease()).ok());
  ASSERT_TRUE(Eventually([&] { return a_lost.happened(); }));
  EXPECT_EQ(a_lost.term.load(), term_before);
  ASSERT_TRUE(a->AwaitLeading(true, kWaitMax));
  EXPECT_GT(a->Term(), term_before);
  EXPECT_NE(EtcdLeader()->lease(), kv->lease());
}

TEST_F(ElectionTest, ANodeThatMayNotCampaignNeverLeads) {
  std::atomic<int> asked{0};
  ElectionOptions options_a = Options("node-a", "10.0.0.1:50051");
  options_a.may_campaign = [&] {
    ++asked;
    return false;
  };
  options_a.may_campaign_poll = absl::Milliseconds(20);
  std::unique_ptr<Election> a = StartNode(std::move(options_a));
  ASSERT_TRUE(Eventually([&] { return asked.load() >= 5; }));
  EXPECT_FALSE(a->IsLeader());
  EXPECT_FALSE(EtcdLeader().has_value());

  std::unique_ptr<Election> b = StartNode(Options("node-b", "10.0.0.2:50051"));
  ASSERT_TRUE(b->AwaitLeading(true, kWaitMax));
  ASSERT_TRUE(Eventually([&] {
    const std::optional<LeaderInfo> seen = a->ObservedLeader();
    return seen.has_value() && seen->node_id == "node-b";
  }));
  b->Stop();
  const int asked_before = asked.load();
  ASSERT_TRUE(Eventually([&] { return asked.load() >= asked_before + 5; }));
  EXPECT_FALSE(a->IsLeader());
  EXPECT_FALSE(EtcdLeader().has_value());
}

TEST_F(ElectionTest, ANodeThatMayNoLongerCampaignWhenItWinsResignsWithoutLeading) {
  // node-b queues behind node-a while it may campaign; by the time node-a goes, another node
  // got ahead of node-b: its queued key wins in etcd, and it must hand over, never lead.
  std::unique_ptr<Election> a = StartNode(Options("node-a", "10.0.0.1:50051"));
  ASSERT_TRUE(a->AwaitLeading(true, kWaitMax));
  std::atomic<bool> b_may{true};
  std::atomic<int> b_asked{0};
  Moment b_elected;
  ElectionOptions options_b = Options("node-b", "10.0.0.2:50051");
  options_b.may_campaign = [&] {
    ++b_asked;
    return b_may.load();
  };
  options_b.may_campaign_poll = absl::Milliseconds(20);
  options_b.on_elected = [&](int64_t term) { b_elected.Record(term); };
  std::unique_ptr<Election> b = StartNode(std::move(options_b));
  ASSERT_TRUE(Eventually([&] { return b_asked.load() >= 1; }));  // asked, then queued
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  b_may = false;
  const int asked_before = b_asked.load();
  a->Stop();  // resigns: node-b's key is the oldest, etcd makes it the leader
  ASSERT_TRUE(Eventually([&] { return b_asked.load() >= asked_before + 3; }));
  EXPECT_FALSE(b->IsLeader());
  EXPECT_FALSE(b_elected.happened());
  EXPECT_FALSE(EtcdLeader().has_value());  // resigned: no key left under the election
  b_may = true;  // caught up: it leads
  ASSERT_TRUE(b->AwaitLeading(true, kWaitMax));
  ASSERT_TRUE(Eventually([&] { return b_elected.happened(); }));
}

TEST(ElectionOptionsTest, BadOptionsAreRefusedBeforeAnyThreadStarts) {
  ElectionOptions options;
  options.etcd_endpoints = {"127.0.0.1:1"};
  options.node_id = "node a";  // a space
  options.advertised_address = "10.0.0.1:50051";
  EXPECT_TRUE(absl::IsInvalidArgument(Election::Start(options).status()));
  options.node_id = "node-a";
  options.margin = absl::Seconds(3);  // not under half the 5 s TTL
  EXPECT_TRUE(absl::IsInvalidArgument(Election::Start(options).status()));
  options.margin = absl::ZeroDuration();
  options.advertised_address = "";
  EXPECT_TRUE(absl::IsInvalidArgument(Election::Start(options).status()));
}

TEST(LeaderValueTest, NodeIdAndAddressRoundTrip) {
  const LeaderInfo leader = DecodeLeaderValue("node-b\n[::1]:50051", 42);
  EXPECT_EQ(leader.node_id, "node-b");
  EXPECT_EQ(leader.address, "[::1]:50051");
  EXPECT_EQ(leader.term, 42);
  EXPECT_EQ(EncodeLeaderValue("node-b", "[::1]:50051"), "node-b\n[::1]:50051");
}

}  // namespace
}  // namespace clas::server::cluster
