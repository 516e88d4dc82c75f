// The registry's record format and its order of logs (server/cluster/registry.h), and the
// registry against a real etcd: a node's record appears, follows its changes, and goes with its
// lease.
#include "server/cluster/registry.h"

#include <chrono>
#include <filesystem>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "tools/cluster/etcd_process.h"

namespace clas::server::cluster {
namespace {

using namespace std::chrono_literals;

NodeRecord Record(std::string id, uint64_t position, uint64_t term, bool leading = false) {
  return NodeRecord{.node_id = std::move(id),
                    .address = "127.0.0.1:50061",
                    .position = position,
                    .term = term,
                    .leading = leading};
}

TEST(NodeRecordFormat, EncodesAndDecodesEveryField) {
  const NodeRecord record = Record("n-2.b_c", 18446744073709551615u, 77, true);
  const absl::StatusOr<NodeRecord> decoded = DecodeNodeRecord(EncodeNodeRecord(record));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, record);
}

TEST(NodeRecordFormat, TheClusterSizeAndAcksAreOptional) {
  NodeRecord sized = Record("n1", 5, 2);
  sized.cluster_size = 3;
  sized.replication_acks = 1;
  const std::string text = EncodeNodeRecord(sized);
  EXPECT_NE(text.find("cluster_size=3\nreplication_acks=1\n"), std::string::npos) << text;
  EXPECT_EQ(*DecodeNodeRecord(text), sized);
  // A node that does not publish them (an earlier version): 0 and 0.
  const std::string earlier = text.substr(0, text.find("cluster_size="));
  const absl::StatusOr<NodeRecord> decoded = DecodeNodeRecord(earlier);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->cluster_size, 0);
  EXPECT_EQ(decoded->replication_acks, 0);
  std::string bad = text;
  bad.replace(bad.find("cluster_size=3"), 14, "cluster_size=x");
  EXPECT_FALSE(DecodeNodeRecord(bad).ok());
  bad = text;
  bad.replace(bad.find("cluster_size=3"), 14, "cluster_size=99999");
  EXPECT_FALSE(DecodeNodeRecord(bad).ok());
}

TEST(NodeRecordFormat, RefusesWhatIsNotARecord) {
  EXPECT_FALSE(DecodeNodeRecord("").ok());
  EXPECT_FALSE(DecodeNodeRecord("clas-node 2\nnode=n1\n").ok());
  std::string text = EncodeNodeRecord(Record("n1", 5, 2));
  EXPECT_FALSE(DecodeNodeRecord(text.substr(0, text.find("term="))).ok());  // fields missing
  std::string bad = text;
  bad.replace(bad.find("position=5"), 10, "position=x");
  EXPECT_FALSE(DecodeNodeRecord(bad).ok());
  bad = text;
  bad.replace(bad.find("leading=0"), 9, "leading=2");
  EXPECT_FALSE(DecodeNodeRecord(bad).ok());
  // A later version's extra field is ignored.
  EXPECT_TRUE(DecodeNodeRecord(text + "zone=a\n").ok());
}

TEST(NodeRecordOrder, ALaterTermWinsOverALongerLog) {
  // A former leader's tail (term 3, 120 records) was never taken by the cluster, whose next
  // leader (term 5) wrote less: the node of term 5 is ahead.
  EXPECT_TRUE(IsAhead(Record("a", 100, 5), Record("b", 120, 3)));
  EXPECT_FALSE(IsAhead(Record("b", 120, 3), Record("a", 100, 5)));
  // Same term: the longer log.
  EXPECT_TRUE(IsAhead(Record("a", 101, 5), Record("b", 100, 5)));
  // Equal logs: neither is ahead, both may campaign.
  EXPECT_FALSE(IsAhead(Record("a", 100, 5), Record("b", 100, 5)));
  EXPECT_FALSE(IsAhead(Record("b", 100, 5), Record("a", 100, 5)));
}

TEST(CampaignQuorum, AnyQuorumOfLiveNodesHoldsEveryAcknowledgedWrite) {
  // A write acknowledged by the leader and `acks` followers is on acks + 1 nodes; the quorum
  // must leave fewer nodes outside it than that, for every size and number of acks.
  for (int size = 1; size <= 9; ++size) {
    for (int acks = 1; acks < size; ++acks) {
      const int quorum = CampaignQuorum(size, acks);
      EXPECT_LE(quorum, size) << size << " nodes, " << acks << " acks: a quorum that can form";
      EXPECT_LT(size - quorum, acks + 1) << size << " nodes, " << acks << " acks";
      EXPECT_EQ(size - (quorum - 1), acks + 1) << "and no larger than needed";
    }
  }
  EXPECT_EQ(CampaignQuorum(3, 1), 2);
  EXPECT_EQ(CampaignQuorum(5, 2), 3);
  EXPECT_EQ(CampaignQuorum(5, 1), 4);
  EXPECT_EQ(CampaignQuorum(3, 0), 1);  // no acks: the leader alone holds a write
}

TEST(CampaignQuorum, ALaggingNodeAloneDoesNotCampaign) {
  // What the long crash run found: with 3 nodes and 1 ack, n2 (behind) was the only live node
  // while n1 (frozen) and n3 (restarting) held writes n2 lacked; it led and set them aside.
  const NodeRecord n2 = Record("n2", 12185, 400);
  EXPECT_FALSE(MayCampaignWith(n2, {n2}, CampaignQuorum(3, 1)));
  EXPECT_FALSE(MayCampaignWith(n2, {}, CampaignQuorum(3, 1)));
  // n3 back, ahead of it: n3 campaigns, n2 does not.
  const NodeRecord n3 = Record("n3", 12449, 450);
  EXPECT_FALSE(MayCampaignWith(n2, {n2, n3}, CampaignQuorum(3, 1)));
  EXPECT_TRUE(MayCampaignWith(n3, {n2, n3}, CampaignQuorum(3, 1)));
  // Without acks nothing is promised: a lone node campaigns.
  EXPECT_TRUE(MayCampaignWith(n2, {n2}, CampaignQuorum(3, 0)));
  // Equal logs, enough nodes: either may.
  const NodeRecord n1 = Record("n1", 12449, 450);
  EXPECT_TRUE(MayCampaignWith(n1, {n1, n3}, CampaignQuorum(3, 1)));
  EXPECT_TRUE(MayCampaignWith(n3, {n1, n3}, CampaignQuorum(3, 1)));
}

TEST(NodeRegistryOptions, RefusesOptionsOutOfBounds) {
  RegistryOptions options{.etcd_endpoints = {"127.0.0.1:1"},
                          .record = [] { return Record("n1", 0, 0); }};
  RegistryOptions no_endpoint = options;
  no_endpoint.etcd_endpoints.clear();
  EXPECT_FALSE(NodeRegistry::Start(no_endpoint).ok());
  RegistryOptions bad_prefix = options;
  bad_prefix.prefix = "/clas-ledger/nodes";
  EXPECT_FALSE(NodeRegistry::Start(bad_prefix).ok());
  RegistryOptions short_ttl = options;
  short_ttl.lease_ttl = absl::Milliseconds(500);
  EXPECT_FALSE(NodeRegistry::Start(short_ttl).ok());
  RegistryOptions no_source = options;
  no_source.record = nullptr;
  EXPECT_FALSE(NodeRegistry::Start(no_source).ok());
}

class NodeRegistryOnEtcd : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(local_cluster::kEtcdBinary)) {
      GTEST_SKIP() << local_cluster::kEtcdBinary
                   << " is missing: tools/setup.sh installs etcd-server";
    }
    ASSERT_TRUE(etcd_.Start().ok());
  }

  // Waits until the registry read from etcd satisfies `done`; false after 10 s.
  template <typename Done>
  bool AwaitNodes(Done done) {
    EtcdClient etcd({etcd_.endpoint()}, absl::Seconds(1), absl::Seconds(1));
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      const absl::StatusOr<std::vector<NodeRecord>> nodes = ReadNodes(etcd, kNodesPrefixDefault);
      if (nodes.ok() && done(*nodes)) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  local_cluster::EtcdProcess etcd_;
};

TEST_F(NodeRegistryOnEtcd, PublishesFollowsAndLeavesWithItsLease) {
  absl::Mutex mu;
  NodeRecord current = Record("n1", 3, 1);
  auto registry = NodeRegistry::Start(RegistryOptions{
      .etcd_endpoints = {etcd_.endpoint()},
      .lease_ttl = absl::Seconds(2),
      .record = [&] {
        absl::MutexLock lock(&mu);
        return current;
      }});
  ASSERT_TRUE(registry.ok()) << registry.status();
  EXPECT_TRUE(AwaitNodes([](const std::vector<NodeRecord>& nodes) {
    return nodes.size() == 1 && nodes[0] == Record("n1", 3, 1);
  }));
  {
    absl::MutexLock lock(&mu);
    current = Record("n1", 9, 4, true);
  }
  EXPECT_TRUE(AwaitNodes([](const std::vector<NodeRecord>& nodes) {
    return nodes.size() == 1 && nodes[0] == Record("n1", 9, 4, true);
  }));
  const absl::StatusOr<std::vector<NodeRecord>> seen = (*registry)->Nodes();
  ASSERT_TRUE(seen.ok());
  EXPECT_EQ(seen->size(), 1u);
  EXPECT_TRUE((*registry)->Published());
  // A stop revokes the lease: the record goes at once, not at the TTL's end.
  (*registry)->Stop();
  EXPECT_TRUE(AwaitNodes([](const std::vector<NodeRecord>& nodes) { return nodes.empty(); }));
}

}  // namespace
}  // namespace clas::server::cluster
