// Subscriptions (EventStore::WaitForHead then ReadAll): a waiter is woken by an append, times
// out without one, and a follower reads every event once, in order.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "ledger/event_store.h"
#include "tests/ledger/test_store.h"

namespace clas::ledger {
namespace {

using ::clas::ledger::testing::Events;

// Long enough never to be reached by a correct store; a hang guard, not a speed expectation.
constexpr absl::Duration kWakeWaitMax = absl::Seconds(30);

class SubscriptionTest : public testing::StoreTest {};

TEST_F(SubscriptionTest, TimesOutWithoutAppend) {
  EventStore& store = OpenStore();
  EXPECT_EQ(store.WaitForHead(0, absl::Now() + absl::Milliseconds(20)), 0u);
  ASSERT_TRUE(store.Append("s", ExpectedVersion::Any(), Events({"e-1"})).ok());
  EXPECT_EQ(store.WaitForHead(1, absl::Now() + absl::Milliseconds(20)), 1u);
  EXPECT_EQ(store.WaitForHead(1, absl::InfinitePast()), 1u);
}

TEST_F(SubscriptionTest, ReturnsAtOnceWhenTheHeadIsAlreadyPast) {
  EventStore& store = OpenStore();
  ASSERT_TRUE(store.Append("s", ExpectedVersion::Any(), Events({"e-1", "e-2"})).ok());
  EXPECT_EQ(store.WaitForHead(1, absl::InfiniteFuture()), 2u);
}

TEST_F(SubscriptionTest, ManyWaitersAreWokenByAppends) {
  EventStore& store = OpenStore();
  constexpr int kWaiters = 16;
  std::vector<uint64_t> seen(kWaiters, 0);
  std::vector<std::thread> waiters;
  for (int i = 0; i < kWaiters; ++i) {
    // Waiter i waits for the head to pass i % 4.
    waiters.emplace_back([&store, &seen, i] {
      seen[i] = store.WaitForHead(i % 4, absl::Now() + kWakeWaitMax);
    });
  }
  absl::SleepFor(absl::Milliseconds(10));  // most waiters are blocked by now (not required)
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(store.Append("s", ExpectedVersion::Any(), Events({"e-" + std::to_string(i)})).ok());
  }
  for (std::thread& waiter : waiters) waiter.join();
  for (int i = 0; i < kWaiters; ++i) EXPECT_GT(seen[i], uint64_t(i % 4)) << "waiter " << i;
}

TEST_F(SubscriptionTest, FollowerReadsEveryEventOnceInOrder) {
  EventStore& store = OpenStore();
  constexpr uint64_t kEvents = 60;
  std::vector<uint64_t> followed;
  std::thread follower([&] {
    uint64_t position = 0;
    while (position < kEvents) {
      const uint64_t head = store.WaitForHead(position, absl::Now() + kWakeWaitMax);
      ASSERT_GT(head, position) << "not woken";
      const absl::StatusOr<std::vector<RecordedEvent>> events = store.ReadAll(position + 1, 7);
      ASSERT_TRUE(events.ok()) << events.status();
      for (const RecordedEvent& event : *events) followed.push_back(event.position());
      position = followed.back();
    }
  });
  for (uint64_t i = 0; i < kEvents; i += 2) {
    ASSERT_TRUE(store.Append("s", ExpectedVersion::Any(),
                             Events({"e-" + std::to_string(i), "e-" + std::to_string(i + 1)}))
                    .ok());
  }
  follower.join();
  ASSERT_EQ(followed.size(), kEvents);
  for (uint64_t i = 0; i < kEvents; ++i) EXPECT_EQ(followed[i], i + 1);
}

}  // namespace
}  // namespace clas::ledger
