// The open subscriptions (server/open_subscriptions.h): bounded in number, each counted until
// its slot ends, and how far behind the head they are.
#include "server/open_subscriptions.h"

#include <memory>

#include "gtest/gtest.h"

namespace clas::server {
namespace {

TEST(OpenSubscriptions, RefusesPastTheBoundAndFreesASlotWhenItEnds) {
  OpenSubscriptions open;
  auto first = open.Open(2, 0);
  auto second = open.Open(2, 0);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(open.Open(2, 0), nullptr);
  EXPECT_EQ(open.LagBehind(0).open, 2);
  second.reset();
  EXPECT_EQ(open.LagBehind(0).open, 1);
  EXPECT_NE(open.Open(2, 0), nullptr);  // and ends at once
  EXPECT_EQ(open.Open(0, 0), nullptr);  // no subscription allowed at all
}

TEST(OpenSubscriptions, LagIsTheHeadMinusTheLastPositionGonePast) {
  OpenSubscriptions open;
  auto behind = open.Open(8, 3);   // resumed after position 3
  auto current = open.Open(8, 0);  // from the start
  current->Passed(10);
  const OpenSubscriptions::Lag at_10 = open.LagBehind(10);
  EXPECT_EQ(at_10.open, 2);
  EXPECT_EQ(at_10.events_max, 7u);
  EXPECT_EQ(at_10.events_sum, 7u);
  behind->Passed(9);
  const OpenSubscriptions::Lag at_12 = open.LagBehind(12);
  EXPECT_EQ(at_12.events_max, 3u);
  EXPECT_EQ(at_12.events_sum, 3u + 2u);
  // A head read before a subscription's last step never makes a negative lag.
  EXPECT_EQ(open.LagBehind(5).events_max, 0u);
  behind.reset();
  current.reset();
  EXPECT_EQ(open.LagBehind(12).open, 0);
  EXPECT_EQ(open.LagBehind(12).events_max, 0u);
}

}  // namespace
}  // namespace clas::server
