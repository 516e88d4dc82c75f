// clasctl cluster status against a real etcd: the leader etcd elected, each node as its registry
// record says, the lag behind the leader, in French text and in JSON; exit 1 without a leader,
// 3 when etcd cannot be read.
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/cluster/election.h"
#include "server/cluster/registry.h"
#include "tests/cluster/etcd_test_base.h"
#include "tools/clasctl/clasctl.h"

namespace clas::testing {
namespace {

using ::testing::HasSubstr;
using server::cluster::NodeRecord;

struct Ran {
  int code = 0;
  std::string out;
  std::string err;
};

Ran Clasctl(std::vector<std::string> args) {
  std::ostringstream out;
  std::ostringstream err;
  const int code = ctl::RunClasctl(std::move(args), out, err);
  return Ran{code, out.str(), err.str()};
}

class ClusterStatusTest : public EtcdTestBase {
 protected:
  std::unique_ptr<server::cluster::NodeRegistry> Publish(NodeRecord record) {
    auto registry = server::cluster::NodeRegistry::Start(server::cluster::RegistryOptions{
        .etcd_endpoints = {etcd_.endpoint()},
        .lease_ttl = absl::Seconds(2),
        .record = [record] { return record; }});
    EXPECT_TRUE(registry.ok()) << registry.status();
    return registry.ok() ? *std::move(registry) : nullptr;
  }

  // Waits until the registry lists `count` nodes; false after 10 s.
  bool AwaitNodes(size_t count) {
    server::cluster::EtcdClient etcd({etcd_.endpoint()}, absl::Seconds(1), absl::Seconds(1));
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (absl::Now() < deadline) {
      const auto nodes = server::cluster::ReadNodes(etcd, server::cluster::kNodesPrefixDefault);
      if (nodes.ok() && nodes->size() == count) return true;
      absl::SleepFor(absl::Milliseconds(20));
    }
    return false;
  }
};

TEST_F(ClusterStatusTest, ShowsTheLeaderEachNodeAndItsLag) {
  auto n1 = Publish({.node_id = "n1", .address = "127.0.0.1:50061", .position = 10,
                     .term = 5, .leading = true});
  auto n2 = Publish({.node_id = "n2", .address = "127.0.0.1:50062", .position = 7, .term = 5});
  ASSERT_TRUE(AwaitNodes(2));
  Ran none = Clasctl({"cluster", "status", "--etcd", etcd_.endpoint()});
  EXPECT_EQ(none.code, 1) << "no leader elected";
  EXPECT_THAT(none.out, HasSubstr("aucun leader élu"));

  server::cluster::ElectionOptions options;
  options.etcd_endpoints = {etcd_.endpoint()};
  options.node_id = "n1";
  options.advertised_address = "127.0.0.1:50061";
  options.lease_ttl = absl::Seconds(2);
  auto election = server::cluster::Election::Start(options);
  ASSERT_TRUE(election.ok());
  ASSERT_TRUE((*election)->AwaitLeading(true, absl::Seconds(10)));

  Ran text = Clasctl({"cluster", "status", "--etcd", etcd_.endpoint()});
  EXPECT_EQ(text.code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("2 nœuds vivants, leader n1 à 127.0.0.1:50061"));
  EXPECT_THAT(text.out, HasSubstr("leader"));
  EXPECT_THAT(text.out, HasSubstr("suiveur"));
  // n2 holds 7 records, the leader 10: 3 behind.
  Ran json = Clasctl({"cluster", "status", "--etcd", etcd_.endpoint(), "--json"});
  EXPECT_EQ(json.code, 0);
  EXPECT_THAT(json.out, HasSubstr("\"node_id\":\"n2\",\"address\":\"127.0.0.1:50062\","
                                  "\"position\":7,\"term\":5,\"leading\":false,\"lag\":3"));
  EXPECT_THAT(json.out, HasSubstr("\"leader\":{\"node_id\":\"n1\""));
  (*election)->Stop();
}

// The nodes publish the cluster's size and acks: the status says how many live nodes an election
// needs, and how many are missing when too few are live.
TEST_F(ClusterStatusTest, SaysHowManyLiveNodesAnElectionNeeds) {
  auto n1 = Publish({.node_id = "n1", .address = "127.0.0.1:50061", .position = 10, .term = 5,
                     .cluster_size = 3, .replication_acks = 1});
  ASSERT_TRUE(AwaitNodes(1));
  Ran alone = Clasctl({"cluster", "status", "--etcd", etcd_.endpoint()});
  EXPECT_THAT(alone.out,
              HasSubstr("Élection : 1 nœud vivant sur 3, 2 requis (accusés de réplication : 1) ; "
                        "il en manque 1 pour élire un leader"));
  auto n2 = Publish({.node_id = "n2", .address = "127.0.0.1:50062", .position = 10, .term = 5,
                     .cluster_size = 3, .replication_acks = 1});
  ASSERT_TRUE(AwaitNodes(2));
  Ran two = Clasctl({"cluster", "status", "--etcd", etcd_.endpoint()});
  EXPECT_THAT(two.out, HasSubstr("Élection : 2 nœuds vivants sur 3, 2 requis (accusés de "
                                 "réplication : 1)\n"));
  Ran json = Clasctl({"cluster", "status", "--etcd", etcd_.endpoint(), "--json"});
  EXPECT_THAT(json.out, HasSubstr("\"cluster_size\":3,\"replication_acks\":1,\"quorum\":2"));
}

TEST(ClusterStatus, EtcdUnreachableOrNoEndpointIsSaid) {
  Ran unreachable = Clasctl({"cluster", "status", "--etcd", "127.0.0.1:1"});
  EXPECT_EQ(unreachable.code, 3);
  EXPECT_THAT(unreachable.err, HasSubstr("injoignable"));
  EXPECT_EQ(Clasctl({"cluster", "status"}).code, 2);  // --etcd is required
}

}  // namespace
}  // namespace clas::testing
