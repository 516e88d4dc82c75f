// The value types of the log's API (ledger/types.h): the buckets of a Distribution.
#include "ledger/types.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clas::ledger {
namespace {

using ::testing::ElementsAre;

TEST(DistributionTest, EachValueFallsInTheFirstBucketWhoseBoundHoldsIt) {
  Distribution<3> d{{10, 100, 1000}};
  // A bound belongs to its bucket; past the last bound, the overflow bucket.
  for (uint64_t value : {0, 10, 11, 100, 999, 1000, 1001, 50'000}) d.Add(value);
  EXPECT_THAT(d.counts, ElementsAre(2, 2, 2, 2));
  EXPECT_EQ(d.count(), 8u);
  EXPECT_EQ(d.sum, 0u + 10 + 11 + 100 + 999 + 1000 + 1001 + 50'000);
}

TEST(DistributionTest, TheStoreCountsGroupsUpToTheLargestGroup) {
  StoreStats stats;
  stats.group_calls.Add(kGroupCommitRequestsMax);
  stats.group_calls.Add(1);
  EXPECT_EQ(stats.group_calls.counts.front(), 1u);
  EXPECT_EQ(stats.group_calls.counts[kGroupCallsBounds.size() - 1], 1u);
  EXPECT_EQ(stats.group_calls.counts.back(), 0u);  // no group is larger than the bound
  stats.write_time_us.Add(kWriteTimeBoundsUs.back() + 1);
  EXPECT_EQ(stats.write_time_us.counts.back(), 1u);
}

}  // namespace
}  // namespace clas::ledger
