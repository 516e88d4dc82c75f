// The figures of clas-bench-cluster (tools/bench/cluster/figures.h, cluster_rows.h): nearest-rank
// percentiles, the followers' lag read from registry records, and the rows' ratios and goal.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/bench/cluster/cluster_rows.h"
#include "tools/bench/cluster/figures.h"

namespace clas::bench {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(Summarise, NearestRankPercentiles) {
  struct Case {
    std::vector<double> samples;
    double p50, p99, max;
  };
  std::vector<double> hundred;
  for (int i = 100; i >= 1; --i) hundred.push_back(i);  // given in reverse order
  const std::vector<Case> cases = {
      {{7}, 7, 7, 7},
      {{3, 1, 2}, 2, 3, 3},
      {{1, 2, 3, 4}, 2, 4, 4},
      {hundred, 50, 99, 100},
  };
  for (const Case& c : cases) {
    const Distribution d = Summarise(c.samples);
    EXPECT_EQ(d.count, c.samples.size());
    EXPECT_EQ(d.p50, c.p50) << c.samples.size() << " samples";
    EXPECT_EQ(d.p99, c.p99) << c.samples.size() << " samples";
    EXPECT_EQ(d.max, c.max) << c.samples.size() << " samples";
  }
  const Distribution none = Summarise({});
  EXPECT_EQ(none.count, 0u);
  EXPECT_EQ(none.max, 0);
}

server::cluster::NodeRecord Node(std::string id, uint64_t position, bool leading) {
  return {.node_id = std::move(id),
          .address = "127.0.0.1:1",
          .position = position,
          .term = 3,
          .leading = leading};
}

TEST(LagsFromRecords, EachFollowerBehindTheLeadingRecord) {
  EXPECT_THAT(
      LagsFromRecords({Node("n1", 90, false), Node("n2", 100, true), Node("n3", 40, false)}),
      ElementsAre(10, 60));
}

TEST(LagsFromRecords, AFollowerPublishedAfterTheLeaderIsNotBehind) {
  EXPECT_THAT(LagsFromRecords({Node("n1", 100, true), Node("n2", 105, false)}), ElementsAre(0));
}

TEST(LagsFromRecords, NoneWithoutExactlyOneLeader) {
  EXPECT_TRUE(LagsFromRecords({Node("n1", 100, false), Node("n2", 90, false)}).empty());
  EXPECT_TRUE(LagsFromRecords({Node("n1", 100, true), Node("n2", 90, true)}).empty());
  EXPECT_TRUE(LagsFromRecords({}).empty());
}

CallFigures Appended(uint64_t events, double seconds) {
  CallFigures f;
  f.calls = static_cast<int64_t>(events);
  f.events = events;
  f.seconds = seconds;
  f.latency_ms = Summarise({1.0, 2.0});
  return f;
}

ClusterFigures WithBatches(uint64_t acks1_events, uint64_t acks0_events) {
  ClusterFigures f;
  f.acks1.batches = Appended(acks1_events, 1);
  f.acks0.batches = Appended(acks0_events, 1);
  f.failover.seconds = {6.0, 4.0, 5.0};
  f.reads.leader = Appended(1000, 2);
  f.reads.followers = Appended(1500, 2);
  return f;
}

const Row& RowOf(const std::vector<Row>& rows, const std::string& id) {
  for (const Row& row : rows) {
    if (row.row == id) return row;
  }
  ADD_FAILURE() << "no row " << id;
  static const Row none;
  return none;
}

TEST(ClusterRows, BatchesMeetTheGoalFromSixtyPercentOfTheBaseline) {
  struct Case {
    uint64_t acks1, acks0;
    std::string ratio;
    bool met;
  };
  for (const Case& c : std::vector<Case>{{600, 1000, "60 %", true},
                                         {590, 1000, "59 %", false},
                                         {1200, 1000, "120 %", true},
                                         {0, 0, "", false}}) {
    const std::vector<Row> rows = ClusterRows(ClusterSettings{}, WithBatches(c.acks1, c.acks0));
    const Row& batch = RowOf(rows, "cluster_append_batch");
    EXPECT_EQ(batch.ratio, c.ratio) << c.acks1 << " / " << c.acks0;
    ASSERT_TRUE(batch.met.has_value());
    EXPECT_EQ(*batch.met, c.met) << c.acks1 << " / " << c.acks0;
  }
}

TEST(ClusterRows, FailoverAgainstTheLeaseAndReadsAgainstTheLeader) {
  ClusterSettings settings;
  settings.lease_seconds = 5;
  const std::vector<Row> rows = ClusterRows(settings, WithBatches(600, 1000));
  ASSERT_EQ(rows.size(), 7u);
  const Row& failover = RowOf(rows, "cluster_failover");
  EXPECT_THAT(failover.ours, HasSubstr("p50 5.00 s"));
  EXPECT_THAT(failover.ours, HasSubstr("max 6.00 s (3 kills)"));
  EXPECT_EQ(failover.ratio, "1.00× (p50)");
  ClusterFigures one = WithBatches(600, 1000);
  one.failover.seconds = {4.5};
  EXPECT_THAT(RowOf(ClusterRows(settings, one), "cluster_failover").ours,
              HasSubstr("max 4.50 s (1 kill)"));
  const Row& reads = RowOf(rows, "cluster_reads");
  EXPECT_THAT(reads.ours, HasSubstr("750 reads/s"));
  EXPECT_THAT(reads.baseline, HasSubstr("500 reads/s"));
  EXPECT_EQ(reads.ratio, "1.50×");
}

}  // namespace
}  // namespace clas::bench
