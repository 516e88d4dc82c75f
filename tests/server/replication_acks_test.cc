// Semi-synchronous acknowledgement's bookkeeping (server/replication_acks.h): which reports
// count, what a write waits for, and when writes are refused before anything is written.
#include "server/replication_acks.h"

#include <thread>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clas::server {
namespace {

using ::testing::HasSubstr;

absl::Time Soon() { return absl::Now() + absl::Milliseconds(50); }

TEST(ReplicationAcks, NoneRequiredAnswersAtOnce) {
  ReplicationAcks acks(0);
  EXPECT_TRUE(acks.Await(1'000, absl::Now()).ok());
  EXPECT_TRUE(acks.CheckLive().ok());
}

TEST(ReplicationAcks, AWriteWaitsForTheFollowersOfTheLeadersTerm) {
  ReplicationAcks acks(2);
  acks.NewTerm(40);
  acks.Reported("n2", 40, 10);
  const absl::Status one = acks.Await(10, Soon());
  EXPECT_TRUE(absl::IsUnavailable(one));
  EXPECT_THAT(one.message(), HasSubstr("1 of the 2"));
  acks.Reported("n3", 39, 12);  // a follower of an earlier term does not count
  EXPECT_FALSE(acks.Await(10, Soon()).ok());
  acks.Reported("n3", 40, 9);   // behind the write
  EXPECT_FALSE(acks.Await(10, Soon()).ok());
  acks.Reported("n3", 40, 11);
  EXPECT_TRUE(acks.Await(10, Soon()).ok());
  EXPECT_FALSE(acks.Await(12, Soon()).ok());
}

TEST(ReplicationAcks, AReportWakesTheWaitingWrite) {
  ReplicationAcks acks(1);
  acks.NewTerm(7);
  std::thread follower([&] {
    absl::SleepFor(absl::Milliseconds(50));
    acks.Reported("n2", 7, 5);
  });
  EXPECT_TRUE(acks.Await(5, absl::Now() + absl::Seconds(10)).ok());
  follower.join();
}

TEST(ReplicationAcks, TheEndOfTheTermEndsEveryWait) {
  ReplicationAcks acks(1);
  acks.NewTerm(7);
  std::thread stepping_down([&] {
    absl::SleepFor(absl::Milliseconds(50));
    acks.EndTerm();
  });
  const absl::Time started = absl::Now();
  const absl::Status held = acks.Await(5, absl::Now() + absl::Seconds(10));
  stepping_down.join();
  EXPECT_TRUE(absl::IsUnavailable(held));
  EXPECT_THAT(held.message(), HasSubstr("stopped leading"));
  EXPECT_LT(absl::Now() - started, absl::Seconds(5));
  // A report of the ended term counts no more, nor in the next one.
  acks.Reported("n2", 7, 5);
  acks.NewTerm(9);
  EXPECT_FALSE(acks.Await(5, Soon()).ok());
}

TEST(ReplicationAcks, WritesAreRefusedWhileTooFewFollowersAreLive) {
  ReplicationAcks acks(1);
  acks.NewTerm(3);
  const absl::Status none = acks.CheckLive();
  EXPECT_TRUE(absl::IsUnavailable(none));
  EXPECT_THAT(none.message(), HasSubstr("nothing was written"));
  acks.Reported("n2", 3, 0);
  EXPECT_TRUE(acks.CheckLive().ok());
}

TEST(ReplicationAcks, FollowersBeyondTheBoundAreIgnored) {
  ReplicationAcks acks(1);
  acks.NewTerm(3);
  for (size_t i = 0; i < kFollowersMax; ++i) acks.Reported("f" + std::to_string(i), 3, 0);
  acks.Reported("late", 3, 100);  // one more: not kept
  EXPECT_FALSE(acks.Await(100, Soon()).ok());
  acks.Reported("f0", 3, 100);
  EXPECT_TRUE(acks.Await(100, Soon()).ok());
}

}  // namespace
}  // namespace clas::server
